#!/usr/bin/env bash
# Install what the project needs on a fresh Debian machine: `setup.sh run` (Python packages) or
# `setup.sh test` (also the `clickhouse` extra, and Debian's chromium, chromium-driver and postgresql for the real-browser and
# real-server tests). Idempotent: a second run only checks.
set -euo pipefail
mode="${1:-run}"
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

if [ "$mode" = test ]; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v chromedriver >/dev/null || need+=(chromium-driver)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${need[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$mode"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # test: also the `clickhouse` extra (chDB, clickhouse-connect; ~180 MB) for the ClickHouse tests
  if [ "$mode" = test ]; then .venv/bin/python -m pip install -q -e ".[test,lint,clickhouse]"; else .venv/bin/python -m pip install -q -e .; fi
  touch "$stamp"
fi
