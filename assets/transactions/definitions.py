"""Dagster wrappers for parsed bank messages: the asset `transactions` and its check.

Thin on purpose: each body calls a plain function and turns its result into metadata. Everything
that opens the warehouse declares the `warehouse` pool (one slot: DuckDB allows one writer).
"""

from collections.abc import Mapping
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    Definitions,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from assets.common.resources import Warehouse
from assets.common.warehouse import WAREHOUSE_POOL, connect
from assets.transactions.categories import CategoryConfigError, rules_from_config
from assets.transactions.derive import derive_transactions
from assets.transactions.health import unrecognized_messages
from assets.transactions.parsing import FormatConfigError, formats_from_config
from assets.transactions.payees import PayeeConfigError, aliases_from_config
from assets.transactions.plausible import held_amounts
from assets.transactions.resources import ParsingConfig

# The group the asset has always been in (with `sms_messages`): the UI's lineage and any saved
# selection keep working.
GROUP = "bank_sms"


@asset(
    # By key: the SMS source is upstream, and this domain does not import it.
    deps=["sms_messages"],
    pool=WAREHOUSE_POOL,
    group_name=GROUP,
    kinds={"duckdb"},
    description=(
        "Each bank SMS parsed (amount, direction, counterparty, account tail, balance, "
        "reference, channel, date) and categorized; unparsed ones kept with a reason."
    ),
)
def transactions(
    context: AssetExecutionContext, warehouse: Warehouse, parsing: ParsingConfig
) -> MaterializeResult:
    try:
        rules = rules_from_config(parsing.category_rules)
        formats = formats_from_config(parsing.formats)
        payees = aliases_from_config(parsing.payees)
    except (CategoryConfigError, FormatConfigError, PayeeConfigError) as exc:
        # The message names the bad homeclerk.toml entry and shows a valid one.
        raise Failure(description=str(exc), allow_retries=False) from exc
    stats = derive_transactions(
        warehouse.path,
        rules,
        parsing.tz,
        formats,
        payees,
        parsing.max_plausible_amount,
        learned_confidence=parsing.auto_apply_confidence,
        link_window_minutes=parsing.link_window_minutes,
    )
    if stats.held:
        context.log.warning(
            f"{len(stats.held)} amount(s) above the plausibility ceiling held out of the feed "
            f"and the books until confirmed ({', '.join(stats.held)}): see check "
            "amounts_plausible"
        )
    if stats.refiled:
        context.log.info(
            f"{stats.refiled} stored transaction(s) re-filed: the category rules changed"
        )
    if stats.learned:
        context.log.info(
            f"{stats.learned} transaction(s) filed or given back by the learned model "
            "([categories] auto_apply_confidence)"
        )
    if stats.unrecognized:
        context.log.warning(
            f"{stats.unrecognized} bank SMS not recognised by the parser: see check parse_coverage"
        )
    return MaterializeResult(
        metadata={
            "messages_considered": stats.considered,
            "transactions": stats.transactions,
            "ignored": stats.ignored,
            "unrecognized": stats.unrecognized,
            "held_implausible": len(stats.held),
            "refiled": stats.refiled,
            "learned": stats.learned,
            "linked_alerts": stats.linked,
        }
    )


@asset_check(
    asset=transactions,
    pool=WAREHOUSE_POOL,
    description="Warns when bank SMS were not recognised by the parser (a bank changed wording).",
)
def parse_coverage(warehouse: Warehouse) -> AssetCheckResult:
    if not warehouse.file.exists():
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description=f"warehouse {warehouse.path} does not exist: materialize transactions",
        )
    total, examples = unrecognized_messages(warehouse.path)
    listing = "\n".join(f"| {u.guid} | {u.sender} | {_cell(u.body)} |" for u in examples)
    return AssetCheckResult(
        passed=total == 0,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"{total} bank SMS not recognised" if total else "every bank SMS was recognised"
        ),
        metadata={
            "unrecognized": total,
            "examples": MetadataValue.md(
                "| guid | sender | body (masked, 80 chars, 4-8 digit numbers hidden) |\n"
                "| --- | --- | --- |\n" + listing
            )
            if examples
            else MetadataValue.md("none"),
        },
    )


@asset_check(
    asset=transactions,
    pool=WAREHOUSE_POOL,
    description=(
        "Warns about amounts above the plausibility ceiling ([sms] max_plausible_amount, else "
        "20 × the 99th percentile of past debits, at least ₹10,00,000), held out of the feed "
        "and the books until confirmed with `homeclerk sms confirm GUID`."
    ),
)
def amounts_plausible(warehouse: Warehouse, parsing: ParsingConfig) -> AssetCheckResult:
    if not warehouse.file.exists():
        return AssetCheckResult(
            passed=True,
            severity=AssetCheckSeverity.WARN,
            description="no warehouse yet: nothing is held",
        )
    with connect(warehouse.path, read_only=True) as con:
        held = held_amounts(con)
    commands = [f"{parsing.command} sms confirm {h.message_guid}" for h in held]
    lines = [
        f"{h.message_guid} from {h.sender} ({h.received_at.isoformat(timespec='minutes')}): "
        f"{h.amount:,} "
        f"{h.currency}, above the ceiling {h.ceiling:,}; if it is real, run: {command}"
        for h, command in zip(held, commands, strict=True)
    ]
    return AssetCheckResult(
        passed=not held,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"{len(held)} amount(s) held out of the feed and the books until you confirm them: "
            + "; ".join(lines)
            if held
            else "no amount is held"
        ),
        metadata={
            "held": len(held),
            "commands": MetadataValue.md("\n".join(f"    {c}" for c in commands) or "none"),
        },
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The transactions slice: the `transactions` asset, its parse-coverage check and the
    check naming amounts held as implausible."""
    del resources  # nothing here depends on the configured values
    return Definitions(assets=[transactions], asset_checks=[parse_coverage, amounts_plausible])
