"""Dagster wrappers for the books: thin, all logic lives in the plain modules beside this one."""

# No `from __future__ import annotations`: Dagster reads the context annotation at runtime.

from collections.abc import Mapping
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
    define_asset_job,
)

from assets.books.budgets import unopened_text
from assets.books.checks import (
    compare_holdings,
    diff_table,
    latest_prices,
    ledger_units,
    load_books,
    unmapped_text,
)
from assets.books.fava_import import write_fava_import
from assets.books.gap_alert import gap_problems
from assets.books.gaps import balance_gaps, gap_entry, gap_line
from assets.books.generate import write_bank_books, write_price_books
from assets.books.inbox import InboxReport, process_inbox
from assets.books.jobs import RECATEGORIZE_JOB
from assets.books.reader import read_alerts, read_snapshots, read_statement_lines
from assets.books.reconcile import not_on_statement_line, read_reconciliation, reconcile
from assets.books.resources import BooksResource
from assets.books.schedules import books_nightly
from assets.books.sensors import build_statement_inbox_sensor
from assets.books.statement_entries import describer
from assets.books.writer import ensure_generated, generated_dir
from assets.common.resources import Clock, Warehouse
from assets.common.warehouse import WAREHOUSE_POOL
from assets.notify.sensors import IncidentSource, incident_source
from assets.portfolio.history import latest_holdings
from assets.transactions.categories import rules_from_config
from assets.transactions.payees import aliases_from_config
from assets.transactions.resources import ParsingConfig

GROUP = "books"
MAX_LISTED = 50  # metadata stays readable; the count says how many there are in all


@asset(
    deps=["transactions"],
    pool=WAREHOUSE_POOL,
    group_name=GROUP,
    description="ledger/generated/bank/YYYY-MM.beancount: bank alerts as transactions, the "
    "imported statements' lines no alert shows (`source: statement`; statements dropped into "
    "[statements] inbox are imported first), plus next-day balance assertions from the alerts' "
    "available balance.",
    check_specs=[
        AssetCheckSpec(
            "unmapped_accounts",
            asset="ledger_entries",
            description="Every account an alert names is in [books] account_mapping.",
        ),
        AssetCheckSpec(
            "budget_accounts_open",
            asset="ledger_entries",
            description="Every [[budgets]] account is one the ledger opens (a budget for any "
            "other would be silently ignored by Fava: it is left out and named here).",
        ),
    ],
)
def ledger_entries(
    context: AssetExecutionContext,
    warehouse: Warehouse,
    books_config: BooksResource,
    parsing: ParsingConfig,
    clock: Clock,
) -> MaterializeResult:
    mapping = books_config.mapping()
    inbox = _import_inbox(context, warehouse, books_config, clock)
    alerts = read_alerts(warehouse.path)
    lines, periods = read_statement_lines(warehouse.path)
    statement = reconcile(lines, alerts, mapping.lookup, books_config.tz, periods)
    today = books_config.today(clock.now())
    result = write_bank_books(
        books_config.folder,
        alerts,
        mapping,
        tz=books_config.tz,
        today=today,
        statement=statement,
        describe=describer(
            rules_from_config(parsing.category_rules), aliases_from_config(parsing.payees)
        ),
        budgets=books_config.budget_list(),
    )
    write_fava_import(
        books_config.folder,
        generated_dir(books_config.folder),
        books_config.account_mapping,
        books_config.statement_formats,
        books_config.inbox,
    )
    build, report = result.build, result.report
    for line in result.owner_errors:
        context.log.warning(f"your ledger has a syntax error: {line}")
    for line in build.currency_blocked:
        context.log.warning(f"a foreign-currency alert is not in the books: {line}")
    for line in build.before_open:
        context.log.warning(f"an alert is not in the books: {line}")
    for opening in build.openings:
        posting = opening.postings[0]
        context.log.info(
            f"{posting.account} opens with {posting.units} on {opening.date}, the balance its "
            f"first assertion states (alert {opening.meta['opening_from_sms']}); an opening "
            "entry of your own in main.beancount before that day replaces it"
        )
    unmapped = build.unmapped
    check = AssetCheckResult(
        check_name="unmapped_accounts",
        passed=not unmapped,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"{len(unmapped)} account(s) in bank alerts have no mapping; their alerts are not in "
            "the books. Append these lines to homeclerk.toml as they are (rename an account if "
            f"you like):\n\n{unmapped_text(unmapped)}"
            if unmapped
            else "every alert's account is mapped"
        ),
        metadata={
            "unmapped": len(unmapped),
            "alerts_skipped": sum(u.alerts for u in unmapped),
            "toml": MetadataValue.md(f"```toml\n{unmapped_text(unmapped)}\n```")
            if unmapped
            else MetadataValue.text(""),
        },
    )
    unopened = [
        unopened_text(b, result.opened, today, books_config.config_source)
        for b in result.budgets.unopened
    ]
    for line in unopened:
        context.log.error(line)
    budget_check = AssetCheckResult(
        check_name="budget_accounts_open",
        passed=not unopened,
        severity=AssetCheckSeverity.ERROR,
        description="\n".join(unopened)
        if unopened
        else f"{len(result.budgets.entries)} budget(s) in the books",
        metadata={
            "budgets_in_books": len(result.budgets.entries),
            "unopened": len(unopened),
        },
    )
    return MaterializeResult(
        metadata={
            "folder": MetadataValue.path(str(books_config.folder / "generated" / "bank")),
            "alerts": len(alerts),
            "transactions": len(build.transactions),
            "statement_lines": len(lines),
            "inbox_imported": len(inbox.imported),
            "inbox_refused": len(inbox.failed),
            "confirmed_by_statement": len(statement.matched),
            "new_from_statement": len(statement.new) - len(build.statement_hand_kept),
            "not_on_statement": len(statement.not_on_statement),
            "balance_assertions": len(build.balances),
            "hand_kept_duplicates": len(build.hand_kept_duplicates),
            "foreign_currency_not_posted": len(build.currency_blocked),
            "dated_before_account_opens": len(build.before_open),
            "opened_accounts": len(build.opens),
            "inferred_openings": len(build.openings),
            "files_written": len(report.written),
            "files_unchanged": len(report.unchanged),
            "files_removed": len(report.removed),
        },
        check_results=[check, budget_check],
    )


def _import_inbox(
    context: AssetExecutionContext,
    warehouse: Warehouse,
    books_config: BooksResource,
    clock: Clock,
) -> InboxReport:
    """The statements dropped into `[statements] inbox`, imported before the books are built."""
    inbox = books_config.inbox
    if inbox is None:
        return InboxReport((), ())
    report = process_inbox(
        inbox,
        books_config.documents,
        warehouse.path,
        books_config.mapping(),
        books_config.tz,
        now=clock.now(),
        formats=books_config.layouts(),
    )
    for outcome, moved in report.imported:
        for account in outcome.accounts:
            context.log.info(
                f"statement {outcome.file.name} → {moved}: {account.account} "
                f"{account.first}..{account.last}, {account.added} line(s) stored, "
                f"{account.matched} matched, {account.new} new, "
                f"{len(account.flagged)} SMS not on it"
            )
    for path, why in report.failed:
        context.log.warning(f"statement {path} left in the inbox: {why}")
    return report


@asset(
    deps=["broker_holdings"],
    pool=WAREHOUSE_POOL,
    group_name=GROUP,
    description="ledger/generated/prices/YYYY-MM.beancount: a daily price for every held "
    "instrument from the broker's snapshots (never zero).",
)
def ledger_prices(
    context: AssetExecutionContext, warehouse: Warehouse, books_config: BooksResource
) -> MaterializeResult:
    result = write_price_books(
        books_config.folder, read_snapshots(warehouse.path), tz=books_config.tz
    )
    if result.build.missing:
        context.log.warning(
            f"no usable price for {len(result.build.missing)} holding-day(s), left out: "
            + ", ".join(result.build.missing[:MAX_LISTED])
        )
    return MaterializeResult(
        metadata={
            "folder": MetadataValue.path(str(books_config.folder / "generated" / "prices")),
            "prices": len(result.build.prices),
            "missing_prices": len(result.build.missing),
            "files_written": len(result.report.written),
        }
    )


@asset(
    deps=[ledger_entries, ledger_prices],
    pool=WAREHOUSE_POOL,
    group_name=GROUP,
    description="The whole ledger (main.beancount and everything it includes) loaded and checked.",
    check_specs=[
        AssetCheckSpec(
            "ledger_loads_clean",
            asset="books",
            blocking=True,
            description="The ledger loads with no errors: it balances, every balance assertion "
            "holds, every account is open.",
        ),
        AssetCheckSpec(
            "holdings_match_broker",
            asset="books",
            description="Units per instrument under Assets:Investments:Broker equal the broker's; "
            "values agree within the tolerance.",
        ),
    ],
)
def books(warehouse: Warehouse, books_config: BooksResource) -> MaterializeResult:
    ensure_generated(books_config.folder)
    loaded = load_books(books_config.main_file)
    errors = loaded.errors
    listed = "\n".join(f"- `{e.filename}:{e.lineno}` {e.message}" for e in errors[:MAX_LISTED])
    load_check = AssetCheckResult(
        check_name="ledger_loads_clean",
        passed=not errors,
        severity=AssetCheckSeverity.ERROR,
        # The first error in the description itself: `doctor` and the UI's check list show
        # only the description, and "1 error(s)" alone names nothing to fix.
        description=f"{len(errors)} error(s) in the ledger, first: {errors[0].filename}:"
        f"{errors[0].lineno} {errors[0].message}"
        if errors
        else "no errors",
        metadata={"errors": len(errors), "details": MetadataValue.md(listed or "none")},
    )

    snapshot = latest_holdings(warehouse.path)
    units = ledger_units(loaded.entries)
    if snapshot is None:
        holdings_check = AssetCheckResult(
            check_name="holdings_match_broker",
            passed=not units,
            severity=AssetCheckSeverity.WARN,
            description="no broker snapshot stored yet; nothing to compare"
            if not units
            else "the ledger holds investments but no broker snapshot is stored",
        )
    else:
        diffs = compare_holdings(
            units,
            latest_prices(loaded.entries),
            snapshot.holdings,
            books_config.broker_value_tolerance,
        )
        holdings_check = AssetCheckResult(
            check_name="holdings_match_broker",
            passed=not diffs,
            severity=AssetCheckSeverity.ERROR,
            description=f"{len(diffs)} instrument(s) differ from the broker"
            if diffs
            else f"{len(units)} instrument(s) match the broker",
            metadata={
                "broker_fetched_at": snapshot.fetched_at.isoformat(),
                "differences": MetadataValue.md(diff_table(diffs) if diffs else "none"),
            },
        )
    return MaterializeResult(
        metadata={
            "main_file": MetadataValue.path(str(books_config.main_file)),
            "entries": len(loaded.entries),
            "errors": len(errors),
            "files": len(loaded.options.get("include", ())),
        },
        check_results=[load_check, holdings_check],
    )


BOOKS_ASSETS = [ledger_entries, ledger_prices, books]


@asset_check(
    # By key: the transactions domain does not know the books, whose mapping and hand-kept
    # files say which ledger account a gap is on and which gaps the owner explained.
    asset=AssetKey("transactions"),
    pool=WAREHOUSE_POOL,
    description=(
        "Warns when an account's balance chain breaks: the balances (a card's available limit) "
        "two consecutive alerts state disagree with the alerts between them, so money moved "
        "with no alert. A gap closes when an entry in your own ledger files explains it (same "
        "account and amount, dated between the two alerts); nothing is invented."
    ),
)
def balances_chain_whole(warehouse: Warehouse, books_config: BooksResource) -> AssetCheckResult:
    tz = books_config.tz
    report = balance_gaps(warehouse.path, books_config.folder, books_config.mapping(), tz)
    lines = [f"- {gap_line(g, tz)}" for g in report.open[:MAX_LISTED]]
    entries = [e for g in report.open[:MAX_LISTED] if (e := gap_entry(g, tz))]
    return AssetCheckResult(
        passed=not report.open,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"{len(report.open)} gap(s) in the balance chain (money moved with no alert), most "
            f"recent first: {gap_line(report.open[0], tz)}"
            + (f"; and {len(report.open) - 1} more" if len(report.open) > 1 else "")
            + ". If you know what it was, keep an entry for it in your ledger files (this "
            "check's `entries` and `homeclerk doctor` print one to paste) and it closes; nothing "
            "is invented to close it."
            if report.open
            else "every balance an alert states agrees with the alerts before it"
        ),
        metadata={
            "open_gaps": len(report.open),
            "closed_by_your_entries": len(report.closed),
            "gaps": MetadataValue.md("\n".join(lines) or "none"),
            "entries": MetadataValue.md(
                "```beancount\n" + "\n\n".join(entries) + "\n```" if entries else "none"
            ),
        },
    )


@asset_check(
    asset=AssetKey("transactions"),
    pool=WAREHOUSE_POOL,
    description=(
        "Warns when an SMS transaction dated inside an imported bank statement's period has no "
        "line on that statement (`not_on_statement`: a misread, or an alert sent twice); counts "
        "the alerts a statement line confirms and the lines that are new to the books."
    ),
)
def statements_reconciled(warehouse: Warehouse, books_config: BooksResource) -> AssetCheckResult:
    tz = books_config.tz
    statement = read_reconciliation(warehouse.path, books_config.mapping(), tz)
    flagged = statement.not_on_statement
    lines = [f"- {not_on_statement_line(t, tz)}" for t in flagged[:MAX_LISTED]]
    return AssetCheckResult(
        passed=not flagged,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"{len(flagged)} SMS transaction(s) inside an imported statement's period are not on "
            f"the statement: {not_on_statement_line(flagged[0], tz)}"
            + (f"; and {len(flagged) - 1} more" if len(flagged) > 1 else "")
            + ". Check the alert: if it was misread or sent twice, keep a correcting entry in "
            "your ledger files."
            if flagged
            else "every SMS transaction inside an imported statement's period is on it"
        ),
        metadata={
            "not_on_statement": len(flagged),
            "confirmed_by_statement": len(statement.matched),
            "new_from_statement": len(statement.new),
            "flagged": MetadataValue.md("\n".join(lines) or "none"),
        },
    )


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The books slice: its assets (their checks are specs on them), the balance-chain check on
    `transactions`, `books_job`, `recategorize_job` and the nightly run in the owner's zone
    (from the `books_config` resource)."""
    books_job = define_asset_job(
        "books_job",
        selection=AssetSelection.assets(*BOOKS_ASSETS),
        description="Transactions and broker snapshots → generated ledger files → checked books.",
    )
    # By key: the books do not import the transactions or expenses domains' assets.
    recategorize_job = define_asset_job(
        RECATEGORIZE_JOB,
        selection=AssetSelection.assets("transactions", "expenses_feed", ledger_entries, books),
        description="A category rule written (Fava's categorize page asks for this run) → "
        "stored transactions re-filed → feeds/expenses.json and the generated books, checked.",
    )
    return Definitions(
        assets=BOOKS_ASSETS,
        asset_checks=[balances_chain_whole, statements_reconciled],
        jobs=[books_job, recategorize_job],
        schedules=[books_nightly(books_job, resources["books_config"].timezone)],
        sensors=[build_statement_inbox_sensor(books_job, resources["books_config"])],
    )


def notify_sources(resources: Mapping[str, Any]) -> list[IncidentSource]:
    """A message when `balances_chain_whole` finds a gap in the balance chain, one when the gaps
    are explained (the check's last verdict, read from the instance)."""
    return [
        incident_source(
            "balance_gap",
            "books:balance_gap",
            lambda now, context: gap_problems(*last_verdict(context.instance)),
            interval=10 * 60,
        )
    ]


def last_verdict(instance: DagsterInstance) -> tuple[bool | None, str]:
    """The last finished evaluation of `balances_chain_whole`: (passed, description); (None,
    "") when it never finished."""
    key = AssetCheckKey(AssetKey("transactions"), "balances_chain_whole")
    for record in instance.event_log_storage.get_asset_check_execution_history(key, limit=5):
        evaluation = record.evaluation
        if isinstance(evaluation, AssetCheckEvaluation):
            return bool(evaluation.passed), evaluation.description or ""
    return None, ""
