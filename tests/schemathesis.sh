#!/usr/bin/env bash
# Property-based API test of farmhand-server: schemathesis generates requests
# from the server's own /openapi.json and checks that no answer is a 5xx and
# that every answer conforms to the document (status, content type, headers,
# body schema).
#
# Self-contained: makes its own virtualenv, installs a pinned schemathesis,
# builds and starts the server on a free loopback port, stops it at the end.
#
# Environment:
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 100)
#   SCHEMATHESIS_VENV          virtualenv folder (default target/schemathesis-venv)
#   SCHEMATHESIS_MAX_TIME      hard time limit in seconds (default 300); the run
#                              normally ends well before, bounded by the examples
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${SCHEMATHESIS_VENV:-$ROOT/target/schemathesis-venv}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
MAX_TIME="${SCHEMATHESIS_MAX_TIME:-300}"
VERSION="4.32.5"

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
    echo "schemathesis.sh: installing schemathesis $VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

echo "schemathesis.sh: building farmhand-server" >&2
cargo build --quiet -p farmhand-server --bin farmhand-server
BIN="$ROOT/target/debug/farmhand-server"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
LOG="$(mktemp -t farmhand-server-schemathesis.XXXXXX.log)"

# Generous limits: schemathesis sends requests in parallel and must see the
# API's behaviour, not load shedding. A short sync timeout bounds any problem
# the fuzzer makes big.
"$BIN" --addr "127.0.0.1:$PORT" --max-waiting 256 --max-queued-jobs 256 \
    --request-timeout 30 --shutdown-grace 5 --log-format json >"$LOG" 2>&1 &
SERVER_PID=$!
cleanup() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    if curl --silent --fail "$BASE/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "schemathesis.sh: the server died at start:" >&2
        cat "$LOG" >&2
        exit 1
    fi
    sleep 0.1
done

status=0
timeout --signal=INT "$MAX_TIME" "$VENV/bin/schemathesis" run "$BASE/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" \
    --request-timeout 60 \
    --workers 2 \
    --seed 42 \
    --generation-database none \
    --no-color \
    --report-dir "$ROOT/target/schemathesis-report" || status=$?

if [ "$status" -ne 0 ]; then
    echo "schemathesis.sh: FAILED (exit $status); server log: $LOG" >&2
    grep -E '"level":"(ERROR|WARN)"' "$LOG" | tail -20 >&2 || true
    exit "$status"
fi
rm -f "$LOG"
echo "schemathesis.sh: 1 passed, 0 failed"
