"""Plain data shared by the parser, the categorizer, the feed and the ledger writer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, NamedTuple, get_args

Direction = Literal["debit", "credit"]
Channel = Literal["upi", "card", "neft", "imps", "atm", "other"]
# What the account tail identifies: a bank account, a debit card drawing on one, a credit card,
# or a prepaid wallet (whose alerts usually name no number: the mapping keys it by bank).
Instrument = Literal["account", "debit_card", "credit_card", "wallet"]
INSTRUMENTS: tuple[Instrument, ...] = get_args(Instrument)

# What a movement is. Refunds/reversals and cashback are credits that are not income.
Kind = Literal[
    "purchase",
    "transfer",
    "bill",
    "refund",
    "cashback",
    "interest",
    "salary",
    "cash_deposit",
    "atm_withdrawal",
    "fee",
    "wallet_spend",  # paid out of a wallet's or prepaid card's balance
    "wallet_topup",  # money added to a wallet: a move between the owner's own accounts
    "card_bill_payment",  # a credit-card bill paid (or its payment received on the card)
    "investment",  # money into (or back from) a fund house or own deposit: an asset, not spending
]
KINDS: tuple[Kind, ...] = get_args(Kind)  # the same fourteen, in the same order

# Reasons a bank message is not a transaction. "unrecognized" means the parser does not know the
# shape: it is counted by the parse-coverage check so the owner learns their bank changed wording.
NON_TRANSACTION_REASONS = (
    "otp",
    "promo",
    "reminder",
    "predebit",
    "declined",
    "failed",
    "collect_request",
    "mandate",
    "balance_only",
    "security",
    "service",
    "empty",
)
UNRECOGNIZED = "unrecognized"
# Doubtful messages: no transaction is taken from them, yet they are no known negative either, so
# they are stored as unrecognized (`homeclerk sms unrecognized` lists them) with this reason.
# "doubtful_tense": money announced (will/would be …) before the money that moved is named.
DOUBTFUL_TENSE = "doubtful_tense"
# "doubtful_reversal": a credit the body says was taken back ("credited … by mistake", "Rs 500
# credited to your A/c … has been reversed"): the money may have come and gone, or never come.
DOUBTFUL_REVERSAL = "doubtful_reversal"
DOUBTFUL_REASONS = (DOUBTFUL_TENSE, DOUBTFUL_REVERSAL)


class Transaction(NamedTuple):
    """One money movement as the alert states it. Field rules: docs/parser.md."""

    amount: Decimal
    direction: Direction
    counterparty: str | None
    account_tail: str | None
    balance: Decimal | None  # bank: available balance; credit card: available limit
    reference: str | None
    channel: Channel
    date: dt.date | None  # from the body; None means "use the received time"
    bank: str  # issuer id, e.g. "HDFC", "SBICARD"
    instrument: Instrument
    currency: str = "INR"  # ISO code; a foreign-currency card spend keeps its own currency
    kind: Kind = "transfer"  # what the movement is (docs/parser.md), set by the parser


class ParseResult(NamedTuple):
    """Either a transaction, or the reason there is none (never both, never neither)."""

    transaction: Transaction | None
    reason: str | None  # one of NON_TRANSACTION_REASONS, UNRECOGNIZED, or None for a transaction
