#!/usr/bin/env bash
# Mutation testing (not CI): small deliberate bugs in the privacy filter, atomic writes, ledger
# entries and the feed readers, one at a time; a mutant the tests do not notice is a blind spot.
#
#   bash benchmarks/mutation.sh            # all configured modules ([tool.mutmut] in pyproject)
#   MUTMUT_JOBS=1 bash benchmarks/mutation.sh
#
# mutmut copies the code to mutants/ (gitignored) and keeps its results there, so a second run
# only re-tests what changed. Prints the score and every surviving mutant; inspect one with
# `.venv/bin/mutmut show <name>`.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${MUTMUT_JOBS:-2}"
start=$(date +%s)
.venv/bin/mutmut run --max-children "$JOBS" >/dev/null 2>&1 || true
elapsed=$(( $(date +%s) - start ))
.venv/bin/mutmut results --all true >mutants/results.txt 2>&1 || true
.venv/bin/python - "$elapsed" <<'PY'
import collections
import re
import sys
from pathlib import Path

lines = Path("mutants/results.txt").read_text().splitlines()
status = collections.Counter()
survivors = []
for line in lines:
    m = re.match(r"\s*(\S+): (.+)$", line)
    if not m:
        continue
    status[m.group(2)] += 1
    if m.group(2) == "survived":
        survivors.append(m.group(1))
total = sum(status.values())
killed = status["killed"] + status["timeout"]
print(f"mutants: {total}, {dict(status)}, {sys.argv[1]} s")
if total:
    print(f"score: {killed}/{total} killed = {100 * killed / total:.1f} %")
for name in survivors:
    print(f"survived: {name}")
PY
