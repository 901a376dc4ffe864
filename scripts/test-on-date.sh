#!/usr/bin/env bash
# Run the test suite with the system clock set to another date (libfaketime), to check that no
# test depends on today's date. Not part of CI. Usage:
#   scripts/test-on-date.sh YYYY-MM-DD [pytest arguments…]
# The clock starts at 10:00 local time on that date and runs on from there.
set -euo pipefail
if [[ $# -lt 1 || ! "$1" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
  echo "usage: scripts/test-on-date.sh YYYY-MM-DD [pytest arguments…]" >&2
  exit 2
fi
if ! command -v faketime >/dev/null 2>&1; then
  echo "test-on-date: faketime is not installed: run scripts/setup-system.sh (or apt-get install faketime)" >&2
  exit 2
fi
date="$1"
shift
cd "$(dirname "$0")/.."
exec faketime "$date 10:00:00" .venv/bin/pytest -q -p no:cacheprovider "$@"
