"""Senders of every shape real carriers deliver, through one key: settings → ingest → parser.

A six-letter DLT header with its operator prefix and -S/-T/-G suffix, short brands (4-5
letters), longer ids (7-10), and names with spaces reach the warehouse when configured, in any
shape the owner wrote them; promotional (-P) senders, phone numbers, e-mail, numeric headers and
unconfigured brands never do.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from assets.common.senders import is_alert_sender, sender_header
from assets.sms.chatdb import newest_bank_rowid, read_bank_messages
from assets.sms.dump import dump_jsonl
from assets.sms.ingest import ingest_new_messages
from assets.transactions.derive import derive_transactions
from assets.transactions.parsing import KNOWN_BANK_HEADERS, issuer_for_sender, parse_message
from pipeline.settings import load_settings

from .helpers import UPI_DEBIT, ChatDb

# A card alert that shows the owner's card digits: read from any sender with a key, even one
# whose name does not look like a bank's.
CARD_SPEND = "INR {amount} spent on your card XX4100 at AMAZON on 05-03-26."
# The same spend with a reference but no digits of the owner's: read only from a bank-like key.
REFERENCE_ONLY = "Rs.{amount} paid to CHAI POINT. UPI Ref 612345678901."

# Every entry shape the owner may write, each configuring one sender.
SENDERS = [
    "HDFCBK",  # the six-letter header alone
    "VM-SLCEIT-G",  # as delivered: prefix and suffix are dropped
    "PAYTM",  # a five-letter brand
    "CRED",  # a four-letter brand
    "AMAZONPAY",  # a nine-letter id
    "American Express",  # a card company's name with a space
]

# (sender id as chat.db holds it, body, stored?)
MESSAGES = [
    ("VM-HDFCBK-S", UPI_DEBIT.format(amount="101.00"), True),
    ("AD-HDFCBK-T", CARD_SPEND.format(amount="102.00"), True),
    ("HDFCBK", CARD_SPEND.format(amount="103.00"), True),
    ("VM-HDFCBK-P", "Pre-approved loan of Rs 5,00,000 credited instantly! Apply: x.in", False),
    ("BZ-SLCEIT-G", CARD_SPEND.format(amount="104.00"), True),
    ("PAYTM", CARD_SPEND.format(amount="105.00"), True),
    ("JM-PAYTM-S", CARD_SPEND.format(amount="106.00"), True),
    ("JX-CRED-T", CARD_SPEND.format(amount="107.00"), True),
    ("AX-AMAZONPAY-T", CARD_SPEND.format(amount="108.00"), True),
    ("American Express", CARD_SPEND.format(amount="109.00"), True),
    ("AMERICAN  EXPRESS", CARD_SPEND.format(amount="110.00"), True),
    ("American Express", REFERENCE_ONLY.format(amount="111.00"), True),  # stored, not read
    ("JX-AMAZON-S", "Your order of Rs 499.00 has shipped.", False),  # not configured
    ("+919800000000", CARD_SPEND.format(amount="112.00"), False),  # a phone number
    ("9800000000", CARD_SPEND.format(amount="113.00"), False),
    ("alerts@hdfcbank.example", CARD_SPEND.format(amount="114.00"), False),  # e-mail
    ("VM-123456", CARD_SPEND.format(amount="115.00"), False),  # a numeric header
    ("VM-HDFCBK-X", CARD_SPEND.format(amount="116.00"), False),  # not a DLT category
    ("American Expresso", CARD_SPEND.format(amount="117.00"), False),  # another name
]


@pytest.fixture
def configured(tmp_path: Path) -> tuple[str, ...]:
    config = tmp_path / "homeclerk.toml"
    entries = ", ".join(f'"{s}"' for s in SENDERS)
    config.write_text(f"[messages]\nsenders = [{entries}]\n", encoding="utf-8")
    return load_settings(config).bank_senders


def test_the_configured_senders_are_their_keys(configured: tuple[str, ...]) -> None:
    assert configured == ("HDFCBK", "SLCEIT", "PAYTM", "CRED", "AMAZONPAY", "AMERICAN EXPRESS")


def test_the_ingest_stores_every_configured_shape_and_drops_the_rest(
    chat_db: ChatDb, tmp_path: Path, configured: tuple[str, ...]
) -> None:
    chat_db.add([chat_db.message(sender, body) for sender, body, _ in MESSAGES])
    warehouse = tmp_path / "warehouse.duckdb"
    stats = ingest_new_messages(chat_db.path, warehouse, configured)
    wanted = [(i + 1, s) for i, (s, _, stored) in enumerate(MESSAGES) if stored]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        stored = con.execute("SELECT rowid, sender FROM sms_messages ORDER BY rowid").fetchall()
    finally:
        con.close()
    assert stored == wanted
    assert stats.stored == len(wanted)
    # The other readers of chat.db use the same filter: the dump, the reader, the news check.
    assert [(m.rowid, m.sender) for m in read_bank_messages(chat_db.path, configured, 0)] == wanted
    assert len(list(dump_jsonl(chat_db.path, configured))) == len(wanted)
    assert newest_bank_rowid(chat_db.path, configured) == wanted[-1][0]


def test_the_parser_reads_the_stored_alerts_under_their_key(
    chat_db: ChatDb, tmp_path: Path, configured: tuple[str, ...]
) -> None:
    chat_db.add([chat_db.message(sender, body) for sender, body, _ in MESSAGES])
    warehouse = tmp_path / "warehouse.duckdb"
    ingest_new_messages(chat_db.path, warehouse, configured)
    stats = derive_transactions(warehouse, [], ZoneInfo("Asia/Kolkata"))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        read = con.execute(
            "SELECT sender, amount, bank FROM transactions WHERE amount IS NOT NULL"
            " ORDER BY message_rowid"
        ).fetchall()
    finally:
        con.close()
    assert read == [
        ("VM-HDFCBK-S", Decimal("101.00"), "HDFC"),
        ("AD-HDFCBK-T", Decimal("102.00"), "HDFC"),
        ("HDFCBK", Decimal("103.00"), "HDFC"),
        ("BZ-SLCEIT-G", Decimal("104.00"), "SLICE"),  # a header the slice issuer module knows
        ("PAYTM", Decimal("105.00"), "PAYTM"),
        ("JM-PAYTM-S", Decimal("106.00"), "PAYTM"),
        ("JX-CRED-T", Decimal("107.00"), "CRED"),
        ("AX-AMAZONPAY-T", Decimal("108.00"), "AMAZONPAY"),
        ("American Express", Decimal("109.00"), "AMERICAN EXPRESS"),
        ("AMERICAN  EXPRESS", Decimal("110.00"), "AMERICAN EXPRESS"),
    ]
    # The reference-only message from a name that is not a bank's waits as unrecognized.
    assert stats.unrecognized == 1


@pytest.mark.parametrize(
    ("sender", "key"),
    [
        ("HDFCBK", "HDFCBK"),
        ("VM-HDFCBK", "HDFCBK"),
        ("vm-hdfcbk-s", "HDFCBK"),
        ("AD-HDFCBK-T", "HDFCBK"),
        ("BZ-SLCEIT-G", "SLCEIT"),
        ("AX-FEDBNK-P", "FEDBNK"),  # it has a key; the ingest and the parser refuse -P apart
        ("CRED", "CRED"),
        ("JM-PAYTM-S", "PAYTM"),
        ("JX-AMAZON-S", "AMAZON"),
        ("VM-PHONPE-T", "PHONPE"),
        ("AMAZONPAY", "AMAZONPAY"),
        ("VK-AMAZONPAY-S", "AMAZONPAY"),
        ("American Express", "AMERICAN EXPRESS"),
        ("  american \t express ", "AMERICAN EXPRESS"),
        ("AMERICAN EXPRESS", "AMERICAN EXPRESS"),  # a key is its own key
        ("+919800000000", None),
        ("+91 98000 00000", None),
        ("9800000000", None),
        ("57575", None),  # a short code
        ("VM-123456", None),  # a numeric (promotional) header
        ("alerts@bank.example", None),
        ("VM-HDFCBK-X", None),  # not a DLT category
        ("AB", None),
        ("ABCDEFGHIJKL", None),  # longer than an alphanumeric sender can be
        ("HDFC_BANK", None),
    ],
)
def test_one_key_for_every_shape(sender: str, key: str | None) -> None:
    assert sender_header(sender) == key
    # Settings hand keys on (to the ingest, the watcher): a key is its own key.
    assert key is None or sender_header(key) == key
    assert is_alert_sender(sender) == (key is not None and not sender.endswith("-P"))
    # The parser's issuer lookup goes through the same key.
    if key == "HDFCBK":
        assert issuer_for_sender(sender) == "HDFC"


def test_a_phone_number_is_never_read_even_with_the_owners_digits() -> None:
    body = CARD_SPEND.format(amount="250.00")
    assert parse_message("American Express", body).transaction is not None
    for sender in ("+919800000000", "9800000000", "alerts@bank.example", "VM-123456"):
        assert parse_message(sender, body).transaction is None
    # A promotional sender of a known bank is never an alert, whatever its body says.
    assert parse_message("VM-HDFCBK-P", body).reason == "promo"


def test_every_header_the_parser_knows_is_its_own_key() -> None:
    # The default senders are these headers, handed to the chat.db filter as keys: one that
    # were no key would silently never be read.
    assert {h: sender_header(h) for h in KNOWN_BANK_HEADERS} == {h: h for h in KNOWN_BANK_HEADERS}
    # A DLT header arrives with an operator prefix and a category suffix; a card company's
    # full name ("SBI CARDS AND PAYMENT SERVICES") as is.
    dlt = {h for h in KNOWN_BANK_HEADERS if " " not in h}
    assert {sender_header(f"VM-{h}-S") for h in dlt} == dlt
