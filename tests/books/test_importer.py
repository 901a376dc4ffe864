"""The beangulp importer on a real chat.db written with the project's own writer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from assets.books.importer import ChatDbImporter
from assets.sms.chatdb import utc_to_apple_ns
from pipeline.demo.chatdb_writer import NewMessage, append_messages, create_chat_db

from .helpers import SAVINGS

UPI = (
    "Sent Rs.6443.28\nFrom HDFC Bank A/C *1276\nTo JOSEPH THOMAS\nOn 24/08/25\n"
    "Ref 458167896224\nNot You?\nCall 18002586161/SMS BLOCK UPI to 7308080808"
)
CARD = (
    "Spent Rs.4594.59 From HDFC Bank Card x2949 At BARISTA On 2025-08-24:18:43:49 "
    "Bal Rs.39299.41 Not You? Call 18002586161/SMS BLOCK DC 2949 to 7308080808"
)
OTP = "452118 is OTP for txn of INR 4996.37 at NATURE BASKET on HDFC Bank card ending 1240."


def _chat_db(path: Path) -> Path:
    create_chat_db(path)
    start = dt.datetime(2025, 8, 24, 9, 0, tzinfo=dt.UTC)
    messages = [
        NewMessage(
            f"SMS-{i}",
            "VK-HDFCBK",
            body,
            None,
            utc_to_apple_ns(start + dt.timedelta(hours=i)),
        )
        for i, body in enumerate((UPI, CARD, OTP))
    ]
    append_messages(path, messages)
    return path


def _importer() -> ChatDbImporter:
    mapping = [
        {"bank": "HDFC", "tail": "1276", "account": SAVINGS},
        {"bank": "HDFC", "tail": "2949", "account": SAVINGS},
    ]
    return ChatDbImporter(mapping, ["HDFCBK"], today=dt.date(2025, 9, 1))


def test_identifies_a_chat_db_and_nothing_else(tmp_path: Path) -> None:
    db = _chat_db(tmp_path / "chat.db")
    other = tmp_path / "statement.csv"
    other.write_text("date,amount\n")
    assert _importer().identify(str(db))
    assert not _importer().identify(str(other))


def test_extract_gives_stable_ids_and_skips_what_the_books_hold(tmp_path: Path) -> None:
    db = str(_chat_db(tmp_path / "chat.db"))
    importer = _importer()
    entries = importer.extract(db, [])
    opening, *txns = [e for e in entries if isinstance(e, data.Transaction)]
    # Nothing in the books before: the account opens with what its first assertion states.
    assert "opening_from_sms" in opening.meta
    assert [t.meta["sms_guid"] for t in txns] == ["SMS-0", "SMS-1"]
    assert txns[0].meta["bank_ref"] == "458167896224" and txns[0].payee == "Joseph Thomas"
    # The raw counterparty stays beside the readable payee.
    assert txns[0].meta["counterparty"] == "JOSEPH THOMAS"
    # Categorized by the pipeline's built-in rules: a café is food, a person is not known.
    assert [[p.account for p in t.postings] for t in txns] == [
        [SAVINGS, "Expenses:Uncategorized"],
        [SAVINGS, "Expenses:Food:Restaurants"],
    ]
    balances = [e for e in entries if isinstance(e, data.Balance)]
    assert [(b.date, str(b.amount.number)) for b in balances] == [
        (dt.date(2025, 8, 25), "39299.41")
    ]
    assert importer.extract(db, []) == entries  # same file, same entries

    again = importer.extract(db, [txns[0]])  # the books already hold SMS-0
    # (and an entry of the account before its assertion: no opening inferred)
    assert [e.meta.get("sms_guid") for e in again if isinstance(e, data.Transaction)] == ["SMS-1"]
    importer.deduplicate(entries, [txns[0], *balances])
    assert [bool(e.meta.get("__duplicate__")) for e in entries] == [False, True, False, True]


def test_extract_posts_a_payment_with_two_alerts_once(tmp_path: Path) -> None:
    from tests.transactions.link_shapes import FEDERAL_DEBIT, FEDERAL_RECEIVED

    path = tmp_path / "chat.db"
    create_chat_db(path)
    start = dt.datetime(2026, 3, 18, 6, 4, tzinfo=dt.UTC)
    append_messages(
        path,
        [
            NewMessage("SMS-0", FEDERAL_RECEIVED[0], FEDERAL_RECEIVED[1], None,
                       utc_to_apple_ns(start)),
            NewMessage("SMS-1", FEDERAL_DEBIT[0], FEDERAL_DEBIT[1], None,
                       utc_to_apple_ns(start + dt.timedelta(minutes=1))),
        ],
    )  # fmt: skip
    mapping = [{"bank": "FEDERAL", "tail": "6142", "account": "Assets:Bank:Federal"}]
    importer = ChatDbImporter(mapping, ["FEDBNK"], today=dt.date(2026, 4, 1))
    entries = importer.extract(str(path), [])
    txns = [e for e in entries if isinstance(e, data.Transaction) and "sms_guid" in e.meta]
    assert [(t.meta["sms_guid"], t.meta.get("also_alerted_by")) for t in txns] == [
        ("SMS-1", "SMS-0")
    ]
    # With linking off, both alerts are posted: the payment would count twice.
    apart = ChatDbImporter(
        mapping, ["FEDBNK"], today=dt.date(2026, 4, 1), link_window_minutes=0
    ).extract(str(path), [])
    assert len([e for e in apart if isinstance(e, data.Transaction) and "sms_guid" in e.meta]) == 2


def test_extract_posts_a_foreign_spend_at_the_rupee_figure_its_alert_states(
    tmp_path: Path,
) -> None:
    path = tmp_path / "chat.db"
    create_chat_db(path)
    body = (
        "INR 1,083.45 spent on your HDFC Bank Credit Card XX9541 for USD 12.99 at NETFLIX.COM"
        " on 24-08-25. Avl Lmt: INR 49,000.00"
    )
    at = utc_to_apple_ns(dt.datetime(2025, 8, 24, 9, 0, tzinfo=dt.UTC))
    append_messages(path, [NewMessage("SMS-0", "VM-HDFCBK", body, None, at)])
    card = "Liabilities:CreditCard:HDFC"
    importer = ChatDbImporter(
        [{"bank": "HDFC", "tail": "9541", "account": card}],
        ["HDFCBK"],
        today=dt.date(2025, 9, 1),
    )
    (txn,) = [e for e in importer.extract(str(path), []) if isinstance(e, data.Transaction)]
    own, other = txn.postings
    assert (own.account, own.units.number, own.units.currency) == (card, Decimal("-1083.45"), "INR")
    assert (other.units.number, other.units.currency) == (Decimal("12.99"), "USD")
