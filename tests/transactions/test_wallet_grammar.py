"""The generic layer reads a wallet's or app's alert, which names no account digits, by the
owner's own stored value or app card it moves (generic._own_store), and nothing else that way.

The wordings are made up in the shapes of the apps' alerts (tests/data/sms/sms-apps.md), from
a header no issuer module knows, so only the generic layer can read them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.transactions.parsing import parse_message
from assets.transactions.parsing.kinds import wallet_kind

APP = "AX-ZORPAY-S"  # an unknown header that does not look like a bank's
BANK = "VM-ZXYBNK-S"  # an unknown bank's header
SENDERS = (APP, BANK, "ZORPAY", "JD-ZORPAY-T")
VARIANTS = (str, str.upper, str.lower)
# Negatives hold under any spacing as well.
SPACED = (*VARIANTS, lambda text: text.replace(" ", "  "), lambda text: text.replace(". ", ".\n"))


@pytest.mark.parametrize("sender", SENDERS)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Rs.740.00 credited to your Zorpay Wallet on 02-03-2026 11:20:05. Bal:Rs.915.50",
            ("credit", "740.00", "wallet", "wallet_topup", "915.50"),
        ),
        (
            "Rs. 85.00 spent from Zorpay Food wallet on 02-03-2026 at IDLI HOUSE. Avl bal "
            "Rs.1,015.00",
            ("debit", "85.00", "wallet", "wallet_spend", "1015.00"),
        ),
        (
            "You paid Rs.260.0 to KIRAN with txn ID ZP9912345678. Your Zorpay a/c balance is "
            "Rs.1,100.0",
            ("debit", "260.0", "wallet", "wallet_spend", "1100.0"),
        ),
        (
            "You received Rs.500.0 from ANITA with txn ID ZP9912345679. Your Zorpay a/c balance "
            "is Rs.1,600.0",
            ("credit", "500.0", "wallet", "transfer", "1600.0"),
        ),
        (
            "You've paid Rs.120 via Zorpay gift card to CORNER STORE on Mar 2, 2026. Remaining "
            "balance Rs.380.",
            ("debit", "120", "wallet", "wallet_spend", "380"),
        ),
        (
            "Your Zorpay credit card transaction of Rs.310.40 on BOOKHIVE is successful. Not you? "
            "Call 08000000000",
            ("debit", "310.40", "credit_card", "purchase", None),
        ),
        (
            "Your txn of Rs.45.00 at TEA HOUSE is successful. Zorpay wallet balance Rs.955.00",
            ("debit", "45.00", "wallet", "wallet_spend", "955.00"),
        ),
        (
            "Payment of Rs 81.00 using Zorpay balance is successful at CORNER STORE. Updated "
            "Balance: 125.00. For help: https://zorpay.example/txn",
            ("debit", "81.00", "wallet", "wallet_spend", "125.00"),
        ),
    ],
)
def test_a_wallet_or_app_card_stands_for_the_account_digits(
    body: str, expected: tuple, sender: str, variant
) -> None:  # type: ignore[no-untyped-def]
    txn = parse_message(sender, variant(body)).transaction
    assert txn is not None, variant(body)
    direction, amount, instrument, kind, balance = expected
    assert (txn.direction, txn.amount, txn.instrument, txn.kind, txn.account_tail) == (
        direction,
        Decimal(amount),
        instrument,
        kind,
        None,
    )
    assert txn.balance == (Decimal(balance) if balance else None)


def test_the_payee_is_read_before_the_wallets_balance_not_after_it() -> None:
    paid = (
        "You paid Rs.260.0 to KIRAN with txn ID ZP9912345678. Your Zorpay a/c balance is Rs.1,100"
    )
    txn = parse_message(APP, paid + ".0").transaction
    assert txn is not None and (txn.counterparty, txn.reference) == ("KIRAN", "ZP9912345678")
    added = (
        "Rs 2.0 was credited to your account with transaction ID ZP9912345670. Currently, your "
        "account balance is Rs 4400.0 on Zorpay."
    )
    txn = parse_message(APP, added).transaction
    assert txn is not None and txn.counterparty is None


# Not BANK: from a bank's header a reference alone already stands for the digits (an older
# rule, test_generic_grammar), and no bank sends a merchant's receipt.
@pytest.mark.parametrize("sender", [s for s in SENDERS if s != BANK])
@pytest.mark.parametrize("variant", SPACED)
@pytest.mark.parametrize(
    "body",
    [
        # An offer: money to come, nothing shows it done (no reference, balance or success).
        "Get Rs.100 credited to your Zorpay wallet on your first bill payment",
        # A noun, not a movement: "credit of … pending".
        "Credit of Rs.500 pending on your Zorpay Wallet. Wallet balance Rs.20.00",
        # A merchant's receipt: money that left the owner's wallet, "received" by the merchant.
        "Payment of Rs.250 received from your Zorpay wallet for order 5521. Ref No 612300001234",
        "Payment of Rs.250 received using your Zorpay balance is successful. Ref No 612300001234",
        # A payment from the balance that is not done.
        "Payment of Rs 81.00 using Zorpay balance is pending at CORNER STORE. Updated Balance: "
        "125.00.",
        # Money into the wallet said with a debit verb: not the wallet's own credit.
        "Rs.250 debited and added to your Zorpay wallet by MERCHANT. Ref No 612300001234",
        # A biller's receipt and a broker's ledger: no wallet or card of the owner's moved.
        "Hi! Payment of Rs. 532.18 is credited to your Zorvi number 98XXXXXX07. Your billed "
        "outstanding as on 2026-06-02 is Rs. 0.00.",
        "Dear account: (98XXXXXX47) credited Rs.31199. dt. 12/09 14:34 Ledger Balance Rs.53964",
        "Challan payment of Rs. 1820 against PAN PDXXXXXX8L has been successfully paid.",
        # A biller's receipt naming a bank and a "Transaction ID": a wallet's own reference
        # shows a wallet's movement done, it does not stand for a bank's account digits.
        "Payment of Rs.1,200.00 received for your electricity bill via ZXY Bank. Transaction ID "
        "TX12345678. Thank you",
    ],
)
def test_wallet_words_without_the_owners_wallet_moved_are_no_transaction(
    body: str, sender: str, variant
) -> None:  # type: ignore[no-untyped-def]
    result = parse_message(sender, variant(body))
    assert result.transaction is None, (sender, variant(body), result)


def test_a_wallets_txn_id_shows_it_done_and_a_bank_reference_comes_first() -> None:
    only_id = "Rs.500.00 credited to your Zorpay Wallet. txn ID ZP9912345001"
    txn = parse_message(APP, only_id).transaction
    assert txn is not None and (txn.instrument, txn.reference) == ("wallet", "ZP9912345001")
    both = "Rs.500.00 credited to your Zorpay Wallet via UPI Ref 612300004321, txn ID ZP9912345000."
    txn = parse_message(APP, both).transaction
    assert txn is not None and txn.reference == "612300004321"


def test_a_name_after_the_balance_is_passed_over_for_the_payee_before_it() -> None:
    # "at Zorpay." after the balance is not the payee; "to KIRAN" before it is.
    body = (
        "You paid Rs.260.0 to KIRAN with txn ID ZP9912345678. Your Zorpay a/c balance is "
        "Rs.1,100.0 at Zorpay."
    )
    txn = parse_message(APP, body).transaction
    assert txn is not None and txn.counterparty == "KIRAN"


def test_a_phone_number_never_stands_for_a_wallet() -> None:
    body = "Rs.740.00 credited to your Zorpay Wallet on 02-03-2026 11:20:05. Bal:Rs.915.50"
    assert parse_message(APP, body).transaction is not None
    assert parse_message("+919812345678", body).transaction is None


FUNDED = (
    "Rs.1,000.00 credited to your Zor Wallet from HDFC Bank A/c XX1234. Wallet balance Rs.2,250.00",
    "Rs 1,000.00 added and credited to your Zor wallet from your a/c no. 001234. Wallet Bal "
    "Rs 2,250",
    "INR 1,000.00 paid from your Zor Wallet to A/c XX9876 of RAVI. Wallet balance INR 1,250.00",
)


@pytest.mark.parametrize("body", FUNDED)
@pytest.mark.parametrize("sender", SENDERS)
def test_a_bank_account_named_beside_a_wallet_is_not_the_wallets(body: str, sender: str) -> None:
    # The account that topped the wallet up (or that the wallet paid) is the bank's, with an
    # alert of its own; taken for the wallet's digits, one wallet became one per bank account.
    for variant in VARIANTS:
        txn = parse_message(sender, variant(body)).transaction
        assert txn is not None
        assert (txn.instrument, txn.account_tail, txn.amount) == (
            "wallet",
            None,
            Decimal("1000.00"),
        )


@pytest.mark.parametrize("sender", SENDERS)
def test_the_card_a_wallet_issued_keeps_its_digits(sender: str) -> None:
    body = "Rs 81.00 spent from Zor Meal wallet, card no.xx6620 at CAFE COFFEE DAY on 05-11-26."
    for variant in VARIANTS:
        txn = parse_message(sender, variant(body) + " Avl bal Rs 919.00").transaction
        assert txn is not None
        assert (txn.instrument, txn.account_tail) == ("wallet", "6620")


@pytest.mark.parametrize(
    ("kind", "direction", "has_payee", "wallet"),
    [
        # Paid out of the wallet's balance: a spend, a bill paid from it too.
        ("purchase", "debit", True, "wallet_spend"),
        ("transfer", "debit", True, "wallet_spend"),
        ("bill", "debit", False, "wallet_spend"),
        # A fee the wallet charged, or money it took back, keeps its kind.
        ("fee", "debit", False, "fee"),
        ("refund", "debit", True, "refund"),
        # Into it: from nobody named a top-up; from a person or a refund, their own kinds.
        ("transfer", "credit", False, "wallet_topup"),
        ("transfer", "credit", True, "transfer"),
        ("refund", "credit", False, "refund"),
    ],
)
def test_a_wallets_own_kinds(kind: str, direction: str, has_payee: bool, wallet: str) -> None:
    assert wallet_kind(kind, direction, has_payee) == wallet  # type: ignore[arg-type]
