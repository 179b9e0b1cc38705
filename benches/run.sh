#!/usr/bin/env bash
# Whole-run benchmark: generate each preset, solve it with the release CLI
# (file to file), check the solution independently, and print a markdown row
# with wall time and peak resident memory.
#
#   benches/run.sh county province            # default options
#   SEPARABLE=1 benches/run.sh county          # date-separable options
#
# Long presets (province, national) take long: run by hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p farmhand-cli >&2
bin=target/release/farmhand
out=${OUT:-target/bench-runs}
mkdir -p "$out"
sep=()
suffix=""
if [ -n "${SEPARABLE:-}" ]; then sep=(--separable); suffix="-sep"; fi
echo "| preset | options | wall s | peak RSS MiB | filled / needed | weighted / bound | objective km | optimal | check |"
echo "|---|---|---|---|---|---|---|---|---|"
for preset in "$@"; do
  p="$out/$preset$suffix.json"
  s="$out/$preset$suffix-solution.json"
  "$bin" generate --preset "$preset" --seed 1 "${sep[@]}" -o "$p" -q
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$bin" match "$p" -o "$s" -q
  read -r wall kib < "$out/time.txt"
  if "$bin" check "$p" "$s" -q > "$out/check.txt" 2>&1; then verdict=ok; else verdict=FAILED; fi
  python3 - "$s" "$preset" "${SEPARABLE:+separable}" "$wall" "$kib" "$verdict" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
preset, opts, wall, kib, verdict = sys.argv[2], sys.argv[3] or "default", sys.argv[4], int(sys.argv[5]), sys.argv[6]
print(f"| {preset} | {opts} | {float(wall):.1f} | {kib/1024:.0f} | {s['worker_days_filled']:,} / {s['worker_days_needed']:,} "
      f"| {s['weighted_fill']:,} / {s['weighted_fill_bound']:,} | {s['objective_km']:.1f} | {s['optimal']} | {verdict} |")
PY
done
