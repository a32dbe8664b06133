#!/usr/bin/env bash
# One entry point for people and CI.
#   bash scripts/dev.sh build   set up, then build the graph from the bundled pages and print its summary
#   bash scripts/dev.sh check   set up, then run ruff, mypy and the whole test suite
#   bash scripts/dev.sh setup   only set up (.venv with actionkg installed in editable mode)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

setup() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "actionkg needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
    exit 2
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  # pip's configuration on some machines names index folders that do not exist; that warning is noise
  "$VENV/bin/python" -m pip install --quiet --upgrade pip 2> >(grep -v '^WARNING: Location' >&2)
  "$VENV/bin/python" -m pip install --quiet -e '.[dev]' 2> >(grep -v '^WARNING: Location' >&2)
}

case "${1:-}" in
  setup)
    setup
    ;;
  build)
    setup
    shift
    exec "$VENV/bin/actionkg" build "$@"
    ;;
  check)
    setup
    "$VENV/bin/ruff" check src tests bench
    "$VENV/bin/ruff" format --check src tests bench
    "$VENV/bin/mypy"
    exec "$VENV/bin/pytest" -q
    ;;
  *)
    echo "usage: bash scripts/dev.sh setup|build|check" >&2
    exit 2
    ;;
esac
