#!/usr/bin/env bash
# Mutation testing (not CI): small deliberate bugs in the modules listed under [tool.mutmut] in
# pyproject.toml, one at a time; a mutant the tests do not notice is a blind spot.
#
#   bash benchmarks/mutation.sh                    # every configured module
#   bash benchmarks/mutation.sh review service     # only these groups (names below)
#   bash benchmarks/mutation.sh assets.review.week # only this module
#   MUTMUT_JOBS=1 bash benchmarks/mutation.sh ...  # one worker on a busy machine
#
# Groups: older (privacy, atomic writes, ledger entries, expenses reader, portfolio history),
# review, backup, power, parsing (generic layer, negatives, the parser's layers and batches, kinds, skip-ahead regexes, stated rupee figures, payees,
# refunds), ingest (SMS ingest, the attributedBody decoder, bulk columns), service (the supervisor and a stop's runs in flight), stores (a broken
# store in the feeds, logs on a full disk, the run storage guard), sources (Android backups, the
# webhook's spool, 1Password, systemd without a user manager), money (linked alerts, statement
# matching, learned categories, notification incidents, messages set aside).
#
# mutmut copies the code to mutants/ (gitignored) and keeps its results there. A run naming
# groups re-tests every mutant of those groups; a run of everything re-tests only mutants whose
# source changed (`rm -rf mutants` for a fresh run). Prints the score per module and every
# surviving mutant; inspect one with `.venv/bin/mutmut show <name>`.
#
# Exits non-zero when mutmut fails (its clean run, its forced-failure run, a crash) or leaves a
# selected mutant unchecked or suspicious: a run that did not finish is never reported as a score.
# Survivors alone do not fail it: benchmarks/mutation-survivors.md explains each one.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${MUTMUT_JOBS:-2}"

declare -A MODULE_GROUPS=(
    [older]="assets.common.privacy assets.common.atomic assets.books.entries assets.expenses.reader assets.portfolio.history"
    [review]="assets.review.compose assets.review.week assets.review.reader"
    [backup]="assets.backup.retention assets.backup.freshness"
    [power]="assets.power.feed assets.power.log"
    [parsing]="assets.transactions.parsing.generic assets.transactions.parsing.negatives assets.transactions.parsing.not_moved assets.transactions.parsing.core assets.transactions.parsing.kinds assets.common.regex_prefix assets.transactions.parsing.inr_equivalent assets.transactions.inr_fill assets.transactions.payees assets.transactions.refunds"
    [ingest]="assets.sms.ingest assets.sms.attributed_body assets.common.columns"
    [service]="pipeline.service.supervisor pipeline.service.stop_runs"
    [stores]="assets.common.store_fault pipeline.service.log_files pipeline.service.store_watch"
    [sources]="assets.sms.android assets.sms.android_ingest assets.sms.webhook_spool pipeline.secret_source pipeline.platform.systemd"
    [money]="assets.transactions.links assets.books.reconcile assets.transactions.learned assets.notify.incidents assets.transactions.dismissed"
)
modules=()
for group in "$@"; do
    if [[ "$group" == *.* ]]; then  # one module of a group, e.g. assets.review.week
        if [[ " ${MODULE_GROUPS[*]} " != *" $group "* ]]; then
            echo "mutation.sh: '$group' is in no group: see [tool.mutmut] source_paths" >&2
            exit 2
        fi
        modules+=("$group")
        continue
    fi
    if [[ -z "${MODULE_GROUPS[$group]+x}" ]]; then
        echo "mutation.sh: unknown group '$group': use one of ${!MODULE_GROUPS[*]}" >&2
        exit 2
    fi
    read -ra names <<<"${MODULE_GROUPS[$group]}"
    modules+=("${names[@]}")
done
patterns=()
for module in "${modules[@]}"; do
    patterns+=("$module.*")
done

mkdir -p mutants
start=$(date +%s)
if ! .venv/bin/mutmut run --max-children "$JOBS" "${patterns[@]}" >mutants/run.log 2>&1; then
    echo "mutation.sh: mutmut run failed; the end of its output (mutants/run.log):" >&2
    tail -n 40 mutants/run.log >&2
    exit 1
fi
elapsed=$(( $(date +%s) - start ))
.venv/bin/mutmut results --all true >mutants/results.txt
.venv/bin/python - "$elapsed" "${modules[@]}" <<'PY'
import collections
import re
import sys
from pathlib import Path

elapsed, wanted = sys.argv[1], sys.argv[2:]
# A mutant's name is "<module>.x_<function>__mutmut_<n>" (a method: "<module>.xǁ<class>ǁ…").
NAME = re.compile(r"\s*(?P<module>[\w.]+?)\.xǁ?\w*__mutmut_\d+: (?P<status>.+)$")
by_module: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
survivors: list[str] = []
for line in Path("mutants/results.txt").read_text().splitlines():
    m = NAME.match(line)
    if not m or (wanted and m["module"] not in wanted):
        continue
    by_module[m["module"]][m["status"]] += 1
    if m["status"] == "survived":
        survivors.append(line.split(":")[0].strip())
unfinished = 0
print(f"mutmut run took {elapsed} s")
for module, status in sorted(by_module.items()):
    total = sum(status.values())
    # A mutant that crashes the test process (reported as "segfault") was noticed too.
    killed = status["killed"] + status["timeout"] + status["segfault"]
    unfinished += status["not checked"] + status["suspicious"]
    print(
        f"{module}: {killed}/{total} killed = {100 * killed / total:.1f} %, "
        f"{status['survived']} survived, {status['no tests']} without tests"
        + ("" if status.keys() <= {"killed", "survived", "no tests"} else f" {dict(status)}")
    )
for name in survivors:
    print(f"survived: {name}")
missing = [m for m in wanted if m not in by_module]
if missing:
    print(f"mutation.sh: no mutants reported for {missing}", file=sys.stderr)
    sys.exit(1)
if unfinished:
    print(f"mutation.sh: {unfinished} mutants not checked or suspicious: the run did not finish",
          file=sys.stderr)
    sys.exit(1)
PY
