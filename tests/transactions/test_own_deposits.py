"""The owner's own fixed and recurring deposits: money between the owner's accounts, neither
spent nor earned (kind `investment`, category Transfers:Investments), through every layer that
reads the alert; the deposit's interest stays income and a charge on it a fee. Alerts written for
these tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.transactions.categories import categorize, is_transfer
from assets.transactions.parsing import parse_message
from assets.transactions.parsing.core import disable_issuer_formats
from assets.transactions.parsing.issuers import FORMATS_BY_ISSUER

AMOUNTS = (("Rs 1,00,000.00", Decimal("100000.00")), ("INR 5,000", Decimal("5000")))
CASINGS = (str, str.upper, str.title)
# An unknown bank (the generic layer), and issuers whose own formats read "debited from"/"credited".
SENDERS = ("VM-ZXYBNK-S", "AD-HDFCBK", "JD-SBIINB-S", "VM-ICICIB", "AX-KOTAKB-T", "VM-CANBNK-S")

INTO_A_DEPOSIT = (
    "{amt} debited from A/c XX1234 towards FD booking on 05-11-26. Avl bal Rs 20,000.00",
    "{amt} transferred from A/c XX1234 to FD A/c XX9876 on 05-11-26 (Auto Sweep)",
    "Your A/c XX1234 is debited with {amt} towards RD instalment of RD A/c XX9876 on 05-11-26",
    "{amt} debited from A/c XX1234 for Recurring Deposit XX9876 on 05-11-26",
    "{amt} debited from A/c XX1234 on 05-11-26 for opening Fixed Deposit XX9876",
    "Dear Customer, {amt} debited from your A/c XX1234 towards Term Deposit XX9876 on 05-11-26",
)
# The government savings schemes are the owner's deposits too.
INTO_A_SCHEME = (
    "{amt} debited from A/c XX1234 towards PPF A/c XX9876 on 05-11-26",
    "{amt} transferred from A/c XX1234 to Sukanya Samriddhi A/c XX9876 on 05-11-26",
    "{amt} debited from A/c XX1234 for NPS contribution on 05-11-26. Ref 612345678901",
    "Dear Customer, {amt} debited from your A/c XX1234 towards Public Provident Fund on 05-11-26",
)
INTO_A_SCHEMES_ACCOUNT = (
    "{amt} credited to your PPF A/c XX1234 from A/c XX9876 on 05-11-26",
    "Your NPS contribution of {amt} has been credited to PRAN XX1234 on 05-11-26",
)
# Securities bought from the account: shares allotted in an IPO, a sovereign gold bond.
INTO_SECURITIES = (
    "{amt} debited from A/c XX1234 towards allotment of shares in ACME LTD IPO on 05-11-26",
    "{amt} debited from A/c XX1234 for purchase of Sovereign Gold Bond on 05-11-26",
    "Dear Customer, {amt} debited from your A/c XX1234 for SGB 2026-27 Series III on 05-11-26",
    "{amt} debited from A/c XX1234 towards IPO application ACME LTD (ASBA) on 05-11-26",
)
OUT_OF_A_DEPOSIT = (
    "Your A/c XX1234 is credited with {amt} on maturity of FD XX9876 on 05-11-26",
    "{amt} credited to A/c XX1234 on 05-11-26 by reverse sweep from FD XX9876",
    "{amt} credited to your A/c XX1234 on premature closure of FD XX9876",
    "Dear Customer, {amt} credited to A/c XX1234 on 05-11-26 as maturity proceeds of RD XX9876 "
    "incl. interest",
    "{amt} credited to your A/c XX1234 from Fixed Deposit XX9876 on 05-11-26",
)


def _cases(cores: tuple[str, ...]):
    for index, core in enumerate(cores):
        for k, (text, amount) in enumerate(AMOUNTS):
            yield CASINGS[(index + k) % len(CASINGS)](core.format(amt=text)), amount


@pytest.mark.parametrize("generic_only", [False, True])
@pytest.mark.parametrize(
    ("cores", "direction"),
    [
        (INTO_A_DEPOSIT, "debit"),
        (OUT_OF_A_DEPOSIT, "credit"),
        (INTO_A_SCHEME, "debit"),
        (INTO_A_SCHEMES_ACCOUNT, "credit"),
        (INTO_SECURITIES, "debit"),
    ],
)
def test_money_into_or_out_of_the_owners_deposit_is_neither_spent_nor_earned(
    cores: tuple[str, ...], direction: str, generic_only: bool
) -> None:
    # Before, a deposit booked was `transfer` (Uncategorized spending: a lakh spent in a day),
    # a maturity income, and a reverse sweep a `refund` that lowered the spending.
    if generic_only:
        disable_issuer_formats(list(FORMATS_BY_ISSUER))
    try:
        wrong = []
        for body, amount in _cases(cores):
            for sender in SENDERS:
                txn = parse_message(sender, body).transaction
                if txn is None or (txn.direction, txn.amount, txn.kind) != (
                    direction,
                    amount,
                    "investment",
                ):
                    wrong.append((sender, body, txn and (txn.direction, txn.amount, txn.kind)))
                elif not is_transfer(categorize(txn)):
                    wrong.append((sender, body, categorize(txn)))
    finally:
        disable_issuer_formats([])
    assert not wrong, f"{len(wrong)} misread, e.g. {wrong[:3]}"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # The deposit's interest is income; tax and charges on it are costs.
        ("Interest of Rs 1,250.00 on FD XX9876 credited to A/c XX1234 on 05-11-26", "interest"),
        (
            "Rs 1,250.00 credited to A/c XX1234 towards interest of RD XX9876 on 05-11-26",
            "interest",
        ),
        (
            "Rs 500.00 debited from A/c XX1234 towards penalty for premature closure of FD XX9876",
            "fee",
        ),
        (
            "Rs 125.00 debited from A/c XX1234 as TDS on interest of FD XX9876 on 05-11-26",
            "transfer",
        ),
        # Cash is no deposit of the owner's, nor an advertisement for one.
        ("Rs 640.00 spent on your Card XX4402 at CROMA on 03-02-26. Open an FD today!", "purchase"),
        ("Rs 2,000.00 deposited in cash to your A/c XX7817 on 03/02/2026", "cash_deposit"),
        # An advertisement for deposits in a footer names no deposit the money went into.
        (
            "Rs 500.00 debited from A/c XX1234 to VPA swiggy@icici on 05-11-26. Open an FD at "
            "7.5% in the app",
            "transfer",
        ),
        (
            "Rs 5,000.00 sent from A/c XX1234 by NEFT to RAVI KUMAR on 05-11-26. Open an FD A/c "
            "from the app at 7.5%!",
            "transfer",
        ),
        # A card spend or a UPI payment is none: "for FD" there is a shop's name or a note.
        ("Rs 640.00 spent on your Card XX4402 at CROMA for FD booking on 03-02-26.", "purchase"),
        (
            "Rs 640.00 debited from A/c XX1234 to VPA ravi@okaxis on 05-11-26, note: for FD.",
            "transfer",
        ),
        # An IPO's or a bond's charge is a cost; a refund of an application money back.
        ("Rs 15.00 debited from A/c XX1234 towards IPO application charges", "fee"),
        ("Rs 50,000.00 credited to A/c XX1234 as refund of IPO application money", "refund"),
        # Money to someone named is theirs, whatever it is for.
        (
            "Rs 5,000.00 debited from A/c XX1234 to RAVI KUMAR for FD booking on 05-11-26",
            "transfer",
        ),
        # Initials are no deposit's label.
        ("Rs 500.00 credited to A/c XX1234 by RD SHARMA on 05-11-26", "transfer"),
        ("Rs 500.00 debited from A/c XX1234 to FD MART on 05-11-26", "transfer"),
        # "rd" inside a word is no recurring deposit.
        ("Rs 500.00 debited from A/c XX1234 towards ORDER 123 on 05-11-26", "transfer"),
    ],
)
def test_what_is_not_the_deposit_itself_keeps_its_kind(body: str, kind: str) -> None:
    txn = parse_message("VM-ZXYBNK-S", body).transaction
    assert txn is not None
    assert txn.kind == kind
