"""Real chat.db files with the Messages schema, built with the project's own writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from assets.sms.attributed_body import encode_attributed_body
from assets.sms.chatdb import utc_to_apple_ns
from pipeline.demo.chatdb_writer import NewMessage, append_messages, create_chat_db

BANKS = ("HDFCBK", "ICICIB", "SBIINB")

UPI_DEBIT = (
    "Sent Rs.{amount}\nFrom HDFC Bank A/C *1276\nTo JOSEPH THOMAS\nOn 24/08/25\n"
    "Ref 458167896224\nNot You?\nCall 18002586161/SMS BLOCK UPI to 7308080808"
)
AXIS_DEBIT = (
    "INR 1978.99 debited from A/c no. XX205146 on SHOPPERS STOP 26-05-2026 13:14:56 IST. "
    "Avl bal: INR 10110.65. Not you? SMS BLOCKCARD XX2731 to +919951860002 - Axis Bank"
)
OTP = (
    "452118 is OTP for txn of INR 4996.37 at NATURE BASKET on HDFC Bank card ending 1240. "
    "Valid till 03:46. Do not share OTP for security reasons"
)


class ChatDb:
    """A chat.db in tmp_path plus a counter for unique GUIDs and increasing dates."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
        create_chat_db(path)

    def message(
        self,
        sender: str,
        body: str | None,
        *,
        blob_only: bool = False,
        is_from_me: int = 0,
        when: dt.datetime | None = None,
    ) -> NewMessage:
        self.count += 1
        when = when or self.start + dt.timedelta(minutes=self.count)
        return NewMessage(
            guid=f"GUID-{self.count:06d}",
            sender=sender,
            text=None if blob_only else body,
            attributed_body=None if body is None else encode_attributed_body(body),
            date=utc_to_apple_ns(when),
            is_from_me=is_from_me,
        )

    def add(self, messages: Iterable[NewMessage]) -> list[int]:
        return append_messages(self.path, messages)
