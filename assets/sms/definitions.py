"""Dagster wrappers for bank SMS: the asset `sms_messages` and its checks.

Thin on purpose: each body calls a plain function and turns its result into metadata. Everything
that opens the warehouse declares the `warehouse` pool (one slot: DuckDB allows one writer).
"""

from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
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

from assets.common.resources import Clock, Warehouse
from assets.common.warehouse import WAREHOUSE_POOL
from assets.sms.android_ingest import AndroidIngestStats, ingest_android_inbox
from assets.sms.chatdb import ChatDbUnreadableError, open_chat_db_readonly
from assets.sms.health import problem_messages, quiet_verdict, read_receive_times
from assets.sms.ingest import DATE_FLOOR, ingest_new_messages
from assets.sms.resources import MessagesSource
from assets.sms.webhook_ingest import WebhookIngestStats, ingest_webhook_spool

GROUP = "bank_sms"


@asset(
    pool=WAREHOUSE_POOL,
    group_name=GROUP,
    kinds={"sqlite", "duckdb"},
    description=(
        "SMS from the configured senders ([messages] senders) in chat.db since the last ROWID "
        "cursor (promotional -P senders and OTPs dropped, account numbers masked; a replaced "
        "chat.db is read again by GUID), from new or changed Android backups in "
        "[sources.android] inbox (each message once), and from the SMS webhook's spool "
        "([sources.webhook], emptied after each run) → warehouse table sms_messages."
    ),
)
def sms_messages(
    context: AssetExecutionContext, messages: MessagesSource, warehouse: Warehouse, clock: Clock
) -> MaterializeResult:
    now = clock.now()
    android = _android(context, messages, warehouse, now) if messages.android_inbox else None
    webhook = _webhook(context, messages, warehouse, now) if messages.webhook_spool else None
    other = {
        **(_android_metadata(android) if android is not None else {}),
        **(_webhook_metadata(webhook) if webhook is not None else {}),
    }
    if other and not Path(messages.chat_db).exists():
        # An Android-only machine (a Linux box): no Messages database to read, not an error.
        context.log.info(f"no chat.db at {messages.chat_db}: Android backups and webhook only")
        return MaterializeResult(metadata=other)
    try:
        stats = ingest_new_messages(
            messages.chat_db, warehouse.path, messages.bank_headers, now=now
        )
    except ChatDbUnreadableError as exc:
        # Nothing was written: the warehouse and every feed keep their last good state.
        raise Failure(description=str(exc), allow_retries=False) from exc
    if stats.chat_db_replaced:
        context.log.warning(
            f"chat.db no longer holds the message read at ROWID {stats.cursor_before} (newest "
            f"ROWID now {stats.newest_rowid}): the Messages database was replaced (restore or new "
            "Mac) or that message deleted. It was read again in full; "
            f"{stats.stored} messages not yet stored (by GUID) were added."
        )
    if stats.undecodable:
        context.log.warning(
            f"{stats.undecodable} bank SMS could not be read as UTF-8 text or processed: stored "
            "with a problem, see check messages_decodable"
        )
    for line in stats.redated:
        context.log.warning(
            f"bank SMS {line}: more than a day after this ingest or before "
            f"{DATE_FLOOR:%Y-%m-%d} (a wrong device clock or a corrupt date), so it is taken as "
            f"received now, {now.isoformat(timespec='seconds')}; a date its text states still "
            "counts"
        )
    context.log.info(
        f"{stats.stored} new bank SMS stored, {stats.otp_dropped} OTPs dropped, "
        f"cursor {stats.cursor_before} → {stats.cursor}"
    )
    return MaterializeResult(
        metadata={
            "new_messages": stats.stored,
            "bank_messages_read": stats.read,
            "otp_dropped": stats.otp_dropped,
            "cursor": stats.cursor,
            "chat_db_replaced": stats.chat_db_replaced,
            "undecodable": stats.undecodable,
            "redated": len(stats.redated),
            **other,
        }
    )


def _android(
    context: AssetExecutionContext, messages: MessagesSource, warehouse: Warehouse, now: Any
) -> AndroidIngestStats:
    """The Android inbox's new or changed backups, read before chat.db (each is independent)."""
    stats = ingest_android_inbox(
        messages.android_inbox, warehouse.path, messages.bank_headers, now=now
    )
    for problem in stats.problems:
        context.log.warning(problem)
    for line in stats.redated:
        context.log.warning(f"Android SMS {line}: implausible date, taken as received now")
    context.log.info(
        f"Android backups: {stats.files_read} read ({stats.files_unchanged} unchanged), "
        f"{stats.stored} new bank SMS stored, {stats.otp_dropped} OTPs dropped"
    )
    return stats


def _webhook(
    context: AssetExecutionContext, messages: MessagesSource, warehouse: Warehouse, now: Any
) -> WebhookIngestStats:
    """The webhook spool's messages, stored before chat.db's; the spool is emptied after."""
    stats = ingest_webhook_spool(
        messages.webhook_spool, warehouse.path, messages.bank_headers, now=now
    )
    if stats.torn_lines:
        context.log.warning(
            f"SMS webhook spool: {stats.torn_lines} torn line(s) skipped (a crash mid-write; "
            "such a message was never answered 202, so its app sends it again)"
        )
    for line in stats.redated:
        context.log.warning(f"webhook SMS {line}: implausible date, taken as received now")
    context.log.info(
        f"SMS webhook: {stats.read} spooled, {stats.bank} from bank senders, {stats.stored} new "
        f"stored, {stats.otp_dropped} OTPs dropped; spool emptied"
    )
    return stats


def _webhook_metadata(stats: WebhookIngestStats) -> dict[str, Any]:
    return {
        "webhook_spooled": stats.read,
        "webhook_new_messages": stats.stored,
        "webhook_otp_dropped": stats.otp_dropped,
    }


def _android_metadata(stats: AndroidIngestStats) -> dict[str, Any]:
    return {
        "android_files_read": stats.files_read,
        "android_new_messages": stats.stored,
        "android_otp_dropped": stats.otp_dropped,
        "android_problems": len(stats.problems),
    }


@asset_check(
    asset=sms_messages,
    description="chat.db opens read-only (on macOS this needs Full Disk Access).",
)
def chat_db_readable(messages: MessagesSource) -> AssetCheckResult:
    if (messages.android_inbox or messages.webhook_spool) and not Path(messages.chat_db).exists():
        sources = [
            *(["the Android backups"] if messages.android_inbox else []),
            *(["the SMS webhook"] if messages.webhook_spool else []),
        ]
        return AssetCheckResult(
            passed=True, description=f"no chat.db here: SMS come from {' and '.join(sources)} only"
        )
    try:
        with closing(open_chat_db_readonly(messages.chat_db)):
            pass
    except ChatDbUnreadableError as exc:
        return AssetCheckResult(passed=False, description=str(exc))
    return AssetCheckResult(passed=True, metadata={"chat_db": MetadataValue.path(messages.chat_db)})


@asset_check(
    asset=sms_messages,
    pool=WAREHOUSE_POOL,
    description=(
        "Warns when no bank SMS arrived for far longer than usual: more than "
        "max(3 days, 10 × the 95th-percentile gap of the last 180 days)."
    ),
)
def source_not_quiet(warehouse: Warehouse, clock: Clock) -> AssetCheckResult:
    times = read_receive_times(warehouse.path) if warehouse.file.exists() else []
    verdict = quiet_verdict(times, clock.now())
    metadata: dict[str, object] = {
        "threshold_hours": round(verdict.threshold.total_seconds() / 3600, 1),
        "gaps_in_history": verdict.gaps,
    }
    if verdict.silence is not None:
        metadata["hours_since_newest"] = round(verdict.silence.total_seconds() / 3600, 1)
    return AssetCheckResult(
        passed=not verdict.quiet,
        severity=AssetCheckSeverity.WARN,
        description=verdict.describe(),
        metadata=metadata,
    )


@asset_check(
    asset=sms_messages,
    pool=WAREHOUSE_POOL,
    description=(
        "Warns when bank SMS were stored with a problem: text that is not valid UTF-8 (kept with "
        "U+FFFD for the bad bytes) or a message that could not be processed (kept without body)."
    ),
)
def messages_decodable(warehouse: Warehouse) -> AssetCheckResult:
    total, guids = problem_messages(warehouse.path) if warehouse.file.exists() else (0, [])
    return AssetCheckResult(
        passed=total == 0,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"{total} bank SMS stored with a problem (GUIDs in metadata; open them in Messages)"
            if total
            else "every bank SMS was read as text"
        ),
        metadata={"with_problem": total, "guids": MetadataValue.md("\n".join(guids) or "none")},
    )


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The SMS source's slice: `sms_messages` and its checks. The sensor that watches chat.db
    (`assets.sms.sensors`) is wired by the domain whose job it starts."""
    del resources  # nothing here depends on the configured values
    return Definitions(
        assets=[sms_messages],
        asset_checks=[chat_db_readable, source_not_quiet, messages_decodable],
    )
