#!/usr/bin/env bash
# Load benchmark of farmhand-server: a release server on loopback driven by a
# second process (the `load` example of farmhand-server) at several
# concurrency levels, with a county-day problem (the county preset restricted
# to its busiest date, about 2,000 workers).
#
# Prints a markdown table for BENCHMARKS.md: requests/s, p50 and p99 latency,
# errors (must be 0) and the server's peak RSS (VmHWM) after each level.
#
# Environment:
#   LOAD_REQUESTS     requests per concurrency level, at least twice the
#                     concurrency (default 16: a county-day solve takes
#                     seconds, and the whole run must stay within minutes)
#   LOAD_LEVELS       concurrency levels (default "1 2 8 32")
#   LOAD_SEED         generator seed (default 1)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REQUESTS="${LOAD_REQUESTS:-16}"
LEVELS="${LOAD_LEVELS:-1 2 8 32}"
SEED="${LOAD_SEED:-1}"

echo "load: building release (server and client)" >&2
cargo build --quiet --release -p farmhand-server --bin farmhand-server --example load
SERVER="$ROOT/target/release/farmhand-server"
CLIENT="$ROOT/target/release/examples/load"

WORK="$(mktemp -d -t farmhand-load.XXXXXX)"
PROBLEM="$WORK/county-day.json"
"$CLIENT" problem --seed "$SEED" --out "$PROBLEM"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
# Room for every client to wait its turn: the benchmark measures queueing,
# not load shedding.
RUST_LOG=warn "$SERVER" --addr "127.0.0.1:$PORT" --max-waiting 256 --request-timeout 600 \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
cleanup() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
    curl --silent --fail "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done

rss_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }

# One unmeasured request warms the allocator and page cache.
"$CLIENT" drive --url "$BASE/v1/match" --body "$PROBLEM" --concurrency 1 --requests 1 >/dev/null

echo "county-day problem ($(wc -c <"$PROBLEM") bytes), max($REQUESTS, 2 x concurrency) requests per level, $(nproc) cores, server: --max-concurrent-solves default ($(nproc)), release build"
echo
echo "| concurrency | requests | errors | requests/s | p50 ms | p99 ms | peak RSS MiB |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
total_errors=0
for c in $LEVELS; do
    n=$((REQUESTS > 2 * c ? REQUESTS : 2 * c))
    row="$("$CLIENT" drive --url "$BASE/v1/match" --body "$PROBLEM" --concurrency "$c" --requests "$n")"
    errors="$(echo "$row" | awk -F'|' '{ gsub(/ /, "", $4); print $4 }')"
    total_errors=$((total_errors + errors))
    echo "$row $(rss_mib) |"
done
if [ "$total_errors" -ne 0 ]; then
    echo "load: $total_errors request(s) failed; server log:" >&2
    tail -20 "$WORK/server.log" >&2
    exit 1
fi
