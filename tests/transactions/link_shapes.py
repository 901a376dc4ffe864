"""Alerts of one payment in the issuers' shapes, for the linking tests (links.py).

Bank wordings are the ones the corpora in tests/data/sms hold; the payment apps' confirmations
are read by `[[sms.formats]]` owner formats standing in for app support (APP_FORMATS).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.transactions.categories import DEFAULT_RULES, categorize
from assets.transactions.parsing import formats_from_config, parse_message
from assets.transactions.payees import PayeeResolver
from assets.transactions.stored import StoredTransaction

TZ = ZoneInfo("Asia/Kolkata")
T0 = dt.datetime(2026, 3, 18, 6, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(minutes=10)

# What an owner writes for an app homeclerk does not read yet: one format each.
APP_FORMAT_CONFIG = [
    {
        "name": "cred",
        "sender": "CRED",
        "bank": "CRED",
        "direction": "debit",
        "channel": "upi",
        "pattern": r"(?i)payment of (?:Rs\.?|INR|₹) ?(?P<amount>[\d,]+(?:\.\d\d)?) towards "
        r"(?P<counterparty>[A-Za-z ]+? Credit Card) XX\d+ is successful",
    },
    {
        "name": "amazonpay",
        "sender": "AMAZONPAY",
        "bank": "AMAZONPAY",
        "direction": "debit",
        "channel": "upi",
        "pattern": r"(?i)payment of (?:Rs\.?|INR|₹) ?(?P<amount>[\d,]+(?:\.\d\d)?) to "
        r"(?P<counterparty>[A-Za-z .]+?) was successful",
    },
    {
        "name": "phonepe",
        "sender": "PHONPE",
        "bank": "PHONEPE",
        "direction": "debit",
        "channel": "upi",
        "pattern": r"(?i)paid (?:Rs\.?|INR|₹) ?(?P<amount>[\d,]+(?:\.\d\d)?) to "
        r"(?P<counterparty>[A-Za-z .]+?) from [A-Za-z ]+? a/c XX(?P<account_tail>\d+)",
    },
]
APP_FORMATS = formats_from_config(APP_FORMAT_CONFIG)

# (sender, body) pairs: the first is the bank's own alert.
CRED_BANK = (
    "VK-HDFCBK",
    "Sent Rs.36437.91\nFrom HDFC Bank A/C *1276\nTo CRED CLUB\nOn 18/03/26\nRef 607712345678\n"
    "Not You?\nCall 18002586161/SMS BLOCK UPI to 7308080808",
)
CRED_APP = (
    "CRED",
    "Payment of Rs.36,437.91 towards HDFC Bank Credit Card XX1691 is successful. "
    "Txn ID CR8812734. - CRED",
)
# CRED's confirmation from its own header, read by homeclerk (no owner format): the payment
# arriving on the card, as the card's own alert below; and in CRED's other wording, no digits.
CRED_OWN_HEADER = (
    "VM-CREDIN-S",
    "Payment of Rs.36,437.91 towards HDFC Bank Credit Card XX1691 is successful. "
    "Txn ID CR8812734. - CRED",
)
CRED_CREDITED = (
    "VM-CREDIN-S",
    "Payment of Rs.36,437.91 has been successfully credited towards your HDFC Bank Credit Card",
)
# The card's own alert of the same bill payment: the other leg of the transfer.
CARD_PAYMENT_RECEIVED = (
    "VM-HDFCBK",
    "DEAR HDFCBANK CARDMEMBER, PAYMENT OF Rs. 36437.91 RECEIVED TOWARDS YOUR CREDIT CARD ENDING "
    "WITH 1691 FROM YOUR BANK ACCOUNT ON 18/03/2026.YOUR AVAILABLE LIMIT IS Rs. 266197.71",
)
AMAZON_BANK = (
    "AX-ICICIT",
    "ICICI Bank Acct XX114 debited for Rs 4133.06 on 18-Mar-26; AMAZON PAY INDIA credited. "
    "UPI:599010381479. Call 18002662 for dispute. SMS BLOCK 114 to 9215676766.",
)
AMAZON_APP = (
    "AMAZONPAY",
    "Payment of INR 4133.06 to Amazon.in was successful. Paid using ICICI Bank a/c. "
    "Order #407-1234567",
)
PHONEPE_BANK = (
    "VK-HDFCBK",
    "Sent Rs.500.00\nFrom HDFC Bank A/C *1276\nTo SWIGGY\nOn 18/03/26\nRef 612345678901\n"
    "Not You?\nCall 18002586161/SMS BLOCK UPI to 7308080808",
)
PHONEPE_APP = ("JM-PHONPE-S", "Paid Rs.500.00 to SWIGGY from HDFC Bank a/c XX1276 on PhonePe.")
FEDERAL_DEBIT = (
    "JD-FEDBNK",
    "Debited Rs 2900 from a/c XX6142 on 18MAR2026 11:34 via NEFT to Arun Pillai."
    "Ref FDRLM7165241187.Bal Rs 85678.82.Not you?Call 18004251199 -Federal Bank",
)
FEDERAL_RECEIVED = (
    "VD-FEDBNK-S",
    "Arun Pillai has received Rs 2900.000 from your A/c XX6142 via NEFT on 18-03-2026 11:34:02."
    " Ref no. FDRLM7165241187 - Federal Bank",
)
SBI_CARD_SPEND = (
    "VM-SBIINB-S",
    "Dear Customer, transaction number 9937 for Rs.649.00 by SBI Debit Card 2298 done at NETFLIX "
    "on 18Mar26 at 11:30:12. Your updated available balance is Rs.48866.44. If not done by you, "
    "forward this SMS to 7400165218/ call 1800111109/9449112211 to block card.",
)
SBI_EMANDATE = (
    "VM-SBIINB-S",
    "Hi, payment of INR 649.00 for Netflix via e-mandate ID: Z6PSVPJBMRM on SBI Debit Card 2298 "
    "is processed successfully. To manage, visit: https://www.sihub.in/managesi/sbi T&CA - SBI",
)
HDFC_CARD_SPEND = (
    "VM-HDFCBK",
    "Spent Rs.649 On HDFC Bank Card 9541 At NETFLIX On 2026-03-18:11:30:07.Not You? "
    "To Block+Reissue Call 18002586161/SMS BLOCK CC 9541 to 7308080808",
)
HDFC_EMANDATE = (
    "VM-HDFCBK",
    "Hi, payment of INR 649.00 for Netflix via e-mandate ID: Z6PSVPJBMRM on HDFC Bank Credit "
    "Card 9541 is processed successfully. To manage, visit: https://www.sihub.in/managesi/hdfc "
    "T&CA - HDFC Bank",
)


def card_spend(amount: str, merchant: str, second: int = 7) -> tuple[str, str]:
    """An HDFC credit-card spend alert."""
    return (
        "VM-HDFCBK",
        f"Spent Rs.{amount} On HDFC Bank Card 9541 At {merchant} On 2026-03-18:11:30:"
        f"{second:02d}.Not You? To Block+Reissue Call 18002586161/SMS BLOCK CC 9541 to "
        "7308080808",
    )


def alert(message: tuple[str, str], minutes: float, guid: str) -> StoredTransaction:
    """The message parsed (owner app formats included) as if received `minutes` after T0."""
    sender, body = message
    txn = parse_message(sender, body, APP_FORMATS).transaction
    assert txn is not None, body
    return StoredTransaction.from_parsed(
        txn,
        message_guid=guid,
        received_at=T0 + dt.timedelta(minutes=minutes),
        category=categorize(txn, DEFAULT_RULES),
        payee=PayeeResolver()(txn.counterparty),
    )


# The owner files payments to CRED as card-bill transfers (a rule homeclerk.toml would hold).
CRED_RULE = {"pattern": "cred club", "category": "Transfers:CreditCardPayment"}
HEADERS = ["HDFCBK", "FEDBNK", "SBIINB", "CRED", "AMAZONPAY", "ICICIT"]
# (message, minutes after T0, is a copy of an earlier payment's alert)
PAYMENTS = [
    (CRED_BANK, 0, False),
    (CARD_PAYMENT_RECEIVED, 1, False),
    (CRED_APP, 2, True),
    (FEDERAL_DEBIT, 30, False),
    (FEDERAL_RECEIVED, 31, True),
    (SBI_CARD_SPEND, 60, False),
    (SBI_EMANDATE, 61, True),
    (AMAZON_BANK, 90, False),
    (AMAZON_APP, 90.5, True),
    (card_spend("649", "SPOTIFY", 40), 120, False),
]


def linked_warehouse(folder: Path, *, with_copies: bool, window: float = 10) -> Path:
    """A real chat.db and warehouse holding PAYMENTS, ingested and derived (with the app formats
    and CRED_RULE); without the copies when `with_copies` is false."""
    from assets.sms.ingest import ingest_new_messages
    from assets.transactions.categories import rules_from_config
    from assets.transactions.derive import derive_transactions
    from tests.sms.helpers import ChatDb

    chat = ChatDb(folder / "chat.db")
    chat.add(
        chat.message(*message, when=T0 + dt.timedelta(minutes=minutes))
        for message, minutes, copy in PAYMENTS
        if with_copies or not copy
    )
    warehouse = folder / "w.duckdb"
    ingest_new_messages(chat.path, warehouse, HEADERS)
    rules = rules_from_config([CRED_RULE])
    derive_transactions(warehouse, rules, TZ, APP_FORMATS, link_window_minutes=window)
    return warehouse
