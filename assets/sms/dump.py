"""`homeclerk sms dump`: the bank messages a chat.db holds, as JSON lines.

The same privacy rules as the warehouse apply: OTP messages are left out, numbers are masked.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import closing
from pathlib import Path

from assets.common.privacy import is_otp, mask_numbers
from assets.sms.chatdb import bank_handles, iter_bank_messages, open_chat_db_readonly


def dump_jsonl(
    chat_db: Path | str, headers: Collection[str], since_rowid: int = 0
) -> Iterator[str]:
    """One JSON object per incoming bank message after `since_rowid`, oldest first.

    Streams rows as SQLite yields them, so dumping a large database needs little memory.
    """
    with closing(open_chat_db_readonly(chat_db)) as con:
        for m in iter_bank_messages(con, bank_handles(con, headers), since_rowid):
            if m.body is not None and is_otp(m.body):
                continue
            yield json.dumps(
                {
                    "rowid": m.rowid,
                    "guid": m.guid,
                    "sender": m.sender,
                    "received_at": m.received_at.isoformat(),
                    "body": None if m.body is None else mask_numbers(m.body),
                },
                ensure_ascii=False,
            )
