#!/usr/bin/env bash
# Run the test suite with the system clock set to another date (libfaketime), to check that no
# test depends on today's date. Not part of CI. Usage:
#   scripts/test-on-date.sh YYYY-MM-DD [pytest arguments…]
# The clock starts at 10:00 local time on that date and runs on from there. With libfaketime
# 0.9.10, time.sleep fails (EINVAL) under it, so tests that sleep or wait on a subprocess with a
# timeout fail for that reason alone: pass the in-process test folders (see README).
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
# Only the wall clock moves: libfaketime 0.9.10 fakes CLOCK_MONOTONIC badly enough that timed
# waits (threading.Event.wait) never return.
export FAKETIME_DONT_FAKE_MONOTONIC=1
exec faketime "$date 10:00:00" .venv/bin/pytest -q -p no:cacheprovider "$@"
