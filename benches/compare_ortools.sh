#!/usr/bin/env bash
# Issue #6's comparison with OR-Tools' min-cost flow; see benches/README.md.
#   benches/compare_ortools.sh                      # county, seed 1
#   benches/compare_ortools.sh --preset province --seed 1 --json out.json
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then set -- --preset county --seed 1; fi
exec python3 benches/compare_ortools.py "$@"
