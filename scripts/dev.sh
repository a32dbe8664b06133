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
  # the browser libraries the HTML view inlines are committed in src/actionkg/vendor/: no Node.js needed
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  # pip runs only when what it installs from changed: the stamp holds a hash of the packaging files
  # and the Python version, so a second setup is silent and takes well under a second
  local stamp="$VENV/.actionkg-setup" want
  want=$(cat pyproject.toml setup.cfg 2>/dev/null | "$VENV/bin/python" -c \
    'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read() + sys.version.encode()).hexdigest())')
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! "$VENV/bin/python" -c 'import actionkg' 2>/dev/null; then
    # pip's configuration on some machines names index folders that do not exist; that warning is noise
    "$VENV/bin/python" -m pip install --quiet --upgrade pip 2> >(grep -v '^WARNING: Location' >&2)
    "$VENV/bin/python" -m pip install --quiet -e '.[dev]' 2> >(grep -v '^WARNING: Location' >&2)
    echo "$want" >"$stamp"
  fi
}

# Debian packages the test suite drives: a real SPARQL server (Virtuoso), Graphviz, and a headless
# browser with its driver (Chromium; a test tool's own browser download does not work here).
DEBIAN_PACKAGES=(virtuoso-opensource-7-bin:virtuoso-t graphviz:dot chromium:chromium chromium-driver:chromedriver nginx:nginx
                 default-jre-headless:java  # Java: the HermiT reasoner (owlready2) in tests/test_interop.py
                 npm:npm)  # npm (with Node.js) for npm_packages below, on a machine that has neither

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

# npm packages for the browser tests (axe-core) and tests/test_vendor.py, which checks the committed
# browser libraries against what npm installs from the lock file; `npm ci` only when the lock file changed
npm_packages() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "note: npm not installed; the browser tests and tests/test_vendor.py skip here and fail in CI" >&2
    return 0
  fi
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
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
    npm_packages
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
