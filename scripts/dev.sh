#!/usr/bin/env bash
# One entry point for people and CI.
#   bash scripts/dev.sh build   set up, then build the graph from the bundled pages and print its summary
#   bash scripts/dev.sh check   set up (Python and npm packages; Debian's Virtuoso, Graphviz and Chromium
#                               when run as root), then run ruff, mypy, the import contracts and the whole test suite
#   bash scripts/dev.sh setup   only set up (.venv with actionkg installed in editable mode)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"  # Debian puts nginx there

PYTHON=${PYTHON:-python3}
VENV=.venv

setup() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "actionkg needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
    exit 2
  fi
  # the browser library the HTML view inlines: npm installs it from the lock file, then it is
  # copied into the package's data folder (src/actionkg/vendor/, never committed)
  if ! command -v npm >/dev/null 2>&1; then
    echo "actionkg needs Node.js and npm to install its browser library (cytoscape)" >&2
    exit 2
  fi
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  npm run -s vendor >/dev/null
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  # pip's configuration on some machines names index folders that do not exist; that warning is noise
  "$VENV/bin/python" -m pip install --quiet --upgrade pip 2> >(grep -v '^WARNING: Location' >&2)
  "$VENV/bin/python" -m pip install --quiet -e '.[dev]' 2> >(grep -v '^WARNING: Location' >&2)
}

# Debian packages the test suite drives: a real SPARQL server (Virtuoso), Graphviz, and a headless
# browser with its driver (Chromium; a test tool's own browser download does not work here).
DEBIAN_PACKAGES=(virtuoso-opensource-7-bin:virtuoso-t graphviz:dot chromium:chromium chromium-driver:chromedriver nginx:nginx)

system_packages() {
  local missing=() entry
  for entry in "${DEBIAN_PACKAGES[@]}"; do
    command -v "${entry#*:}" >/dev/null 2>&1 || missing+=("${entry%%:*}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "note: ${missing[*]} not installed (needs root and apt-get); tests that use them skip here and fail in CI" >&2
  fi
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
    system_packages
    "$VENV/bin/ruff" check src tests bench
    "$VENV/bin/ruff" format --check src tests bench
    "$VENV/bin/mypy"
    "$VENV/bin/lint-imports" --no-logo --no-cache   # the wings' import contracts (pyproject.toml)
    exec "$VENV/bin/pytest" -q
    ;;
  *)
    echo "usage: bash scripts/dev.sh setup|build|check" >&2
    exit 2
    ;;
esac
