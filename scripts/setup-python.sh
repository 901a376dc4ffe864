#!/usr/bin/env bash
# A virtualenv in .venv with the exact versions of requirements.lock, and homeclerk itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "homeclerk needs Python 3.11 or newer"'
[[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade "pip>=24"
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps -e .
echo "setup-python: ready: $(.venv/bin/homeclerk --help | head -1)"
