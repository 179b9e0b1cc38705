#!/usr/bin/env bash
# Time-limit benchmark: generate each preset (seed 1, default options, so
# dates couple), solve it with the release CLI under each time limit, and
# print a markdown row with the limit, the solver's own elapsed_ms, the
# wall time of the whole run (parse, solve, explain, write), the plan's
# quality and the independent check.
#
#   benches/time_limits.sh wanju county             # limits 200 1000 5000 ms
#   LIMITS="500 2000" benches/time_limits.sh county
#
# "within" is elapsed_ms <= 1.1 x limit + 5 ms, the target of issue 4.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p farmhand-cli >&2
bin=target/release/farmhand
out=${OUT:-target/bench-runs}
mkdir -p "$out"
echo "| preset | limit ms | elapsed ms | wall s | within | weighted / bound | objective km | optimal | check |"
echo "|---|---|---|---|---|---|---|---|---|"
for preset in "$@"; do
  base="$out/$preset-tl.json"
  "$bin" generate --preset "$preset" --seed 1 -o "$base" -q
  for limit in ${LIMITS:-200 1000 5000}; do
    p="$out/$preset-tl-$limit.json"
    s="$out/$preset-tl-$limit-solution.json"
    python3 - "$base" "$p" "$limit" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p.setdefault("options", {})["time_limit_ms"] = int(sys.argv[3])
json.dump(p, open(sys.argv[2], "w"))
PY
    /usr/bin/time -f "%e" -o "$out/time.txt" "$bin" match "$p" -o "$s" -q
    wall=$(cat "$out/time.txt")
    if "$bin" check "$p" "$s" -q > "$out/check.txt" 2>&1; then verdict=ok; else verdict=FAILED; fi
    python3 - "$s" "$preset" "$limit" "$wall" "$verdict" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
preset, limit, wall, verdict = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
within = "yes" if s["elapsed_ms"] <= 1.1 * limit + 5 else "NO"
print(f"| {preset} | {limit} | {s['elapsed_ms']:.0f} | {wall:.2f} | {within} | {s['weighted_fill']:,} / {s['weighted_fill_bound']:,} "
      f"| {s['objective_km']:.1f} | {s['optimal']} | {verdict} |")
PY
  done
done
