"""The webhook's spool → warehouse `sms_messages` (source 'webhook'), then the spool compacted.

Messages from a configured alert sender go through the same OTP drop, number masking and date
settling as chat.db's and Android's (assets.sms.android_ingest.store_batch), each stored once: a
message's GUID is `webhook:` + a hash of its id (the id the app gave, or a hash of sender, time
and text), so an app's retry, or a spool line ingested before a crash cut the compaction, is
not stored twice. Rows get ROWIDs from ROWID_BASE up, above Android's range.

Once the rows are committed, the lines read are removed from the spool (assets.sms.webhook_spool)
with everything else they held: other senders' messages, OTPs, torn lines. No body stays on
disk but what the warehouse stores.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple

from assets.common.clock import now_utc
from assets.common.senders import alert_key
from assets.common.warehouse import connect
from assets.sms.android_ingest import ROWID_CEILING, store_batch
from assets.sms.chatdb import normalise_headers
from assets.sms.tables import ensure_tables
from assets.sms.webhook_spool import compact_spool, read_spool

WEBHOOK_SOURCE = "webhook"
ROWID_BASE = ROWID_CEILING
GUID_PREFIX = "webhook:"


class WebhookIngestStats(NamedTuple):
    """What one pass over the spool read and stored."""

    read: int  # whole lines in the spool
    bank: int  # of them, from a configured alert sender
    stored: int  # rows newly inserted (a message already stored is not counted)
    otp_dropped: int
    torn_lines: int  # lines skipped (a crash mid-write)
    kept_bytes: int  # appended while this ran: left for the next run
    redated: tuple[str, ...] = ()


def message_guid(message_id: str) -> str:
    """The GUID of a spool message: the same id, from any retry, gets the same one."""
    digest = hashlib.blake2b(message_id.encode("utf-8", "surrogatepass"), digest_size=12)
    return GUID_PREFIX + digest.hexdigest()


def ingest_webhook_spool(
    folder: Path | str,
    warehouse_path: Path | str,
    headers: Collection[str],
    now: dt.datetime | None = None,
) -> WebhookIngestStats:
    """Store the spool's bank SMS, then compact the spool; see the module doc."""
    folder, moment = Path(folder), now or now_utc()
    senders = normalise_headers(headers)
    spool = read_spool(folder)
    batch: dict[str, tuple[str, int, str]] = {}
    for message in spool.messages:
        key = alert_key(message["from"])
        if key is not None and key in senders:
            batch[message_guid(message["id"])] = (
                message["from"],
                message["received_at"],
                message["body"],
            )
    totals = {"stored": 0, "dropped": 0}
    redated: list[str] = []
    if batch:
        with connect(Path(warehouse_path)) as con:
            ensure_tables(con)
            store_batch(
                con,
                batch,
                moment,
                totals,
                redated,
                source=WEBHOOK_SOURCE,
                rowids=(ROWID_BASE, 1 << 62),
            )
    # Only after the commit: a crash before it leaves every line for the next run.
    kept = compact_spool(folder, spool)
    return WebhookIngestStats(
        len(spool.messages),
        len(batch),
        totals["stored"],
        totals["dropped"],
        spool.torn_lines,
        max(kept, 0),
        tuple(redated),
    )
