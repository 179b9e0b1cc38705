#!/usr/bin/env bash
# Browser test of the farmhand view: the web page served at / and a report
# written by `farmhand match --report`, in headless Chromium (Debian's
# package, driven by Playwright for Python). See test_view.py for what it
# asserts.
#
# Self-contained and idempotent: installs Chromium (and a Korean font, so that
# the screenshots are legible) with apt when missing, makes its own
# virtualenv with a pinned Playwright, builds the `farmhand` binary, and
# writes screenshots to target/browser/page.png, report.png and csv-errors.png.
# Playwright's own browser download is never used.
#
# Environment:
#   BROWSER_VENV   virtualenv folder (default target/browser-venv)
#   CHROMIUM       the browser (default /usr/bin/chromium)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VENV="${BROWSER_VENV:-$ROOT/target/browser-venv}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
PLAYWRIGHT="1.58.0"

apt_install() {
    if [ -z "${APT_UPDATED:-}" ]; then
        apt-get update -qq
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if [ ! -x "$CHROMIUM" ]; then
    echo "browser: installing chromium" >&2
    apt_install chromium
fi
if ! fc-list :lang=ko 2>/dev/null | grep -q .; then
    echo "browser: installing a Korean font (fonts-noto-cjk)" >&2
    apt_install fonts-noto-cjk
fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
fi

if ! "$VENV/bin/python" -c "import playwright, importlib.metadata as m; assert m.version('playwright') == '$PLAYWRIGHT'" >/dev/null 2>&1; then
    echo "browser: installing playwright $PLAYWRIGHT into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "playwright==$PLAYWRIGHT"
fi

echo "browser: building farmhand" >&2
cargo build --quiet -p farmhand-cli --bin farmhand

exec timeout --signal=INT 300 "$VENV/bin/python" "$ROOT/tests/browser/test_view.py" \
    --bin "$ROOT/target/debug/farmhand" \
    --chromium "$CHROMIUM" \
    --examples "$ROOT/examples" \
    --out "$ROOT/target/browser"
