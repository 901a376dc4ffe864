"""The statement layouts homeclerk knows: which header row marks each bank's file, and which
column holds what.

Every layout is a header-row table (CSV, or the banks' comma-"delimited" text), so one reader
serves them all; the owner's own `[[books.statement_formats]]` entries are layouts too. The
columns and date forms come from public descriptions of each bank's download (docs/statements.md
lists the sources).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def norm_header(text: str) -> str:
    """A header cell compared without case, padding, doubled spaces or spaces around
    parentheses (ICICI writes "Withdrawal Amount (INR )" in one download and
    "Withdrawal Amount(INR)" in another)."""
    return _PAREN_SPACE.sub(r"\1", " ".join(text.split()).lower())


_PAREN_SPACE = re.compile(r"\s*([()])\s*")


@dataclass(frozen=True)
class Layout:
    """One statement layout: the header names of its columns and how to read the cells.

    The money is either two columns (`debit` out, `credit` in), or one `amount` column that is
    signed (negative is money out) or paired with a `direction` column holding DR/CR. A column
    name ending in `#2` is the second column with that header (Kotak repeats "Dr / Cr" after
    the balance).
    """

    name: str
    bank: str
    date: str
    description: str
    date_formats: tuple[str, ...]
    debit: str | None = None
    credit: str | None = None
    amount: str | None = None
    direction: str | None = None
    balance: str | None = None
    balance_direction: str | None = None
    value_date: str | None = None
    reference: str | None = None
    delimiters: tuple[str, ...] = (",", "\t")
    skip_rows: int = 0
    account_tail: str | None = None  # the owner's digits, for a file that does not show them
    header_text: str = ""  # how the header reads, for the "looked for" message
    # A credit card's statement: an empty direction cell is a charge, a signed number there is
    # positive for a charge, and the card number's own row below the header gives the digits.
    card: bool = False

    def required(self) -> tuple[str, ...]:
        """The headers a file must have to be this layout (the optional ones may be absent)."""
        money = (self.debit, self.credit, self.amount, self.direction)
        return tuple(norm_header(h) for h in (self.date, self.description, *money) if h)

    def optional(self) -> tuple[str, ...]:
        """The headers read when present: value date, reference, running balance."""
        extra = (self.value_date, self.reference, self.balance, self.balance_direction)
        return tuple(norm_header(h) for h in extra if h)

    def describe(self) -> str:
        """The layout as the unknown-file message names it."""
        shown = self.header_text or " … ".join(
            h for h in (self.date, self.description, self.balance or self.debit) if h
        )
        return f"{self.bank}'s '{shown}' header"


# An account number in a statement's preamble: "Account No :50100012341276",
# "Statement of Account No - 922030048910705", "A/C No. XXXXXXXX1276".
ACCOUNT_NUMBER = re.compile(
    r"(?:account\s*(?:no|number)|a/c\s*(?:no|number)?)\.?\s*[:\-–]?\s*"
    r"(?P<number>[X*x\d][X*x\d\s-]{3,24}\d)",
    re.IGNORECASE,
)

_DMY = ("%d/%m/%y", "%d/%m/%Y", "%d-%m-%Y", "%d-%m-%y")

HDFC = Layout(
    name="hdfc",
    bank="HDFC",
    date="Date",
    description="Narration",
    reference="Chq./Ref.No.",
    value_date="Value Dt",
    debit="Withdrawal Amt.",
    credit="Deposit Amt.",
    balance="Closing Balance",
    date_formats=_DMY,
    header_text="Date, Narration, Chq./Ref.No., Value Dt, Withdrawal Amt., Deposit Amt., "
    "Closing Balance",
)
# Netbanking's "Delimited" download: space-padded comma-separated fields, 0.00 in the unused
# amount column, the reference after the amounts.
HDFC_DELIMITED = Layout(
    name="hdfc_delimited",
    bank="HDFC",
    date="Date",
    description="Narration",
    value_date="Value Dat",
    debit="Debit Amount",
    credit="Credit Amount",
    reference="Chq/Ref Number",
    balance="Closing Balance",
    date_formats=_DMY,
    header_text="Date, Narration, Value Dat, Debit Amount, Credit Amount, Chq/Ref Number, "
    "Closing Balance",
)
SBI = Layout(
    name="sbi",
    bank="SBI",
    date="Txn Date",
    value_date="Value Date",
    description="Description",
    reference="Ref No./Cheque No.",
    debit="Debit",
    credit="Credit",
    balance="Balance",
    date_formats=("%d %b %Y", "%d-%b-%y", "%d-%b-%Y", "%d/%m/%Y", "%d/%m/%y"),
    header_text="Txn Date, Value Date, Description, Ref No./Cheque No., Debit, Credit, Balance",
)
AXIS = Layout(
    name="axis",
    bank="AXIS",
    date="Tran Date",
    reference="CHQNO",
    description="PARTICULARS",
    debit="DR",
    credit="CR",
    balance="BAL",
    date_formats=("%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"),
    header_text="Tran Date, CHQNO, PARTICULARS, DR, CR, BAL, SOL",
)
# The newer account-statement download: one amount column and a CR/DR column.
AXIS_DETAILED = Layout(
    name="axis_detailed",
    bank="AXIS",
    date="Transaction Date (dd/mm/yyyy)",
    value_date="Value Date (dd/mm/yyyy)",
    description="Particulars",
    amount="Amount(INR)",
    direction="Debit/Credit",
    balance="Balance(INR)",
    reference="Cheque Number",
    date_formats=("%d/%m/%Y", "%d-%m-%Y"),
    header_text="S.No, Transaction Date (dd/mm/yyyy), …, Amount(INR), Debit/Credit, Balance(INR)",
)
KOTAK = Layout(
    name="kotak",
    bank="KOTAK",
    date="Transaction Date",
    value_date="Value Date",
    description="Description",
    reference="Chq / Ref No.",
    amount="Amount",
    direction="Dr / Cr",
    balance="Balance",
    balance_direction="Dr / Cr#2",
    date_formats=(
        "%d-%m-%Y",
        "%d-%m-%Y %H:%M:%S",
        "%d/%m/%Y",
        "%d-%b-%y",
        "%d-%b-%Y",
        "%d-%m-%y",
    ),
    header_text="Sl. No., Transaction Date, Value Date, Description, Chq / Ref No., Amount, "
    "Dr / Cr, Balance, Dr / Cr",
)
ICICI = Layout(
    name="icici",
    bank="ICICI",
    date="Transaction Date",
    value_date="Value Date",
    reference="Cheque Number",
    description="Transaction Remarks",
    debit="Withdrawal Amount (INR)",
    credit="Deposit Amount (INR)",
    balance="Balance (INR)",
    date_formats=("%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y"),
    header_text="Value Date, Transaction Date, Cheque Number, Transaction Remarks, "
    "Withdrawal Amount (INR), Deposit Amount (INR), Balance (INR)",
)

# ICICI credit cards' CSV: the card number on a row of its own under the header; the sign
# column is empty for a charge and "CR" for a payment or refund (older downloads repeat the
# signed amount there instead).
ICICI_CARD = Layout(
    name="icici_card",
    bank="ICICI",
    date="Date",
    description="Transaction Details",
    amount="Amount(in Rs)",
    direction="BillingAmountSign",
    reference="Sr.No.",
    date_formats=("%d/%m/%Y", "%d-%b-%y", "%d-%m-%Y"),
    card=True,
    header_text="Date, Sr.No., Transaction Details, Reward Point Header, Intl.Amount, "
    "Amount(in Rs), BillingAmountSign",
)

BUILTIN_LAYOUTS: tuple[Layout, ...] = (
    HDFC,
    HDFC_DELIMITED,
    SBI,
    AXIS,
    AXIS_DETAILED,
    KOTAK,
    ICICI,
    ICICI_CARD,
)
