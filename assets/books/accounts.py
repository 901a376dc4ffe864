"""Account and commodity names: the owner's mapping, category accounts, valid currency names.

Rules (also in ledger/README.md):
- An alert's own account comes only from the owner's mapping (bank + tail); nothing is guessed.
  An alert that names no number (a wallet's: "paid from your wallet") maps by bank + instrument,
  from an entry without `tail`.
- Counter-account from the category: a debit goes to `Expenses:<category>`, a credit comes from
  `Income:<category>`; no category means `Expenses:Uncategorized` / `Income:Uncategorized`. A
  refund (kind `refund`) comes back to `Expenses:<category>`: less spending, not income.
- An investment (kind `investment`: a SIP, money to or from a fund house) goes to
  `Assets:Investments:Contributions`: an asset bought, not an expense.
- A category whose first component is `Transfer`/`Transfers` (a credit-card payment, a move
  between own accounts) goes to the clearing account `Assets:Transfers:Clearing`: both legs of a
  transfer post there with opposite signs, so its balance is the sum of transfers whose other leg
  has not been seen (a missed SMS shows up as a non-zero clearing balance).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from beancount.core import account as bc_account

from assets.books.errors import InvalidAccountMappingError
from assets.transactions.categories import UNCATEGORIZED, is_transfer
from assets.transactions.model import INSTRUMENTS

TRANSFER_ACCOUNT = "Assets:Transfers:Clearing"
# Money into funds the SMS names (a SIP instalment); kept apart from the broker's holdings
# (Assets:Investments:Broker), whose units the books check against the broker.
INVESTMENT_ACCOUNT = "Assets:Investments:Contributions"
# Where an account's opening balance comes from (the owner's own, or the one the books infer
# from an account's first asserted balance).
OPENING_EQUITY = "Equity:Opening-Balances"
_ACCOUNT_FIELD = {
    "field": "account",
    "example": '"Assets:Bank:HDFC:Savings" or "Liabilities:CreditCard:HDFC"',
}
# Debit cards draw on a bank account, so their balances are that account's.
BANK_INSTRUMENTS = frozenset({"account", "debit_card"})


class AccountRef(NamedTuple):
    """One mapping entry: issuer id, last digits, Beancount account.

    An entry without digits (`tail` "") maps the issuer's alerts of `instrument` that name no
    number, such as a wallet's; an entry with digits maps whatever instrument names them."""

    bank: str
    tail: str
    account: str
    instrument: str = ""


class AccountMapping(NamedTuple):
    """bank + last digits → Beancount account, from `[books] account_mapping` (homeclerk.toml)."""

    refs: tuple[AccountRef, ...]

    def lookup(self, bank: str, tail: str | None, instrument: str = "account") -> str | None:
        """The account mapped to `bank` + `tail` (by the last 4 digits of the tail), or, for an
        alert that names no number, to `bank` + `instrument`; None when nothing is mapped."""
        if not tail:
            return _index(self.refs).get((bank.upper(), "", instrument))
        return _index(self.refs).get((bank.upper(), _norm_tail(tail), ""))

    def accounts(self) -> tuple[str, ...]:
        """Every mapped Beancount account, sorted, each once."""
        return tuple(sorted({r.account for r in self.refs}))

    def as_config(self) -> list[dict[str, str]]:
        """The mapping as `[books] account_mapping` entries (what the books resource takes)."""
        return [_as_entry(r) for r in self.refs]


def _as_entry(ref: AccountRef) -> dict[str, str]:
    if ref.tail:
        return {"bank": ref.bank, "tail": ref.tail, "account": ref.account}
    return {"bank": ref.bank, "instrument": ref.instrument, "account": ref.account}


@functools.lru_cache(maxsize=64)
def _index(refs: tuple[AccountRef, ...]) -> dict[tuple[str, str, str], str]:
    return {(r.bank.upper(), _norm_tail(r.tail), r.instrument): r.account for r in refs}


def _norm_tail(tail: str) -> str:
    # Alerts show "at most 4" trailing digits (XX123 → 123); the mapping keys on the same digits.
    return tail.strip()[-4:]


def parse_account_mapping(items: Iterable[Mapping[str, object]]) -> AccountMapping:
    """Validate the TOML list; a malformed entry stops the run instead of misfiling money.

    The one validation of `[books] account_mapping`: the settings loader calls it when
    homeclerk.toml is read, and reports an InvalidAccountMappingError against the file."""
    refs: list[AccountRef] = []
    seen: dict[tuple[str, str, str], str] = {}
    for index, item in enumerate(items):
        bad = functools.partial(InvalidAccountMappingError, item, index=index)
        if not isinstance(item, Mapping):
            raise bad("an entry must be a table")
        bank, tail, account = item.get("bank"), item.get("tail"), item.get("account")
        instrument = item.get("instrument")
        if not isinstance(bank, str) or not bank.strip():
            raise bad('`bank` must be an issuer id such as "HDFC"', field="bank", example='"HDFC"')
        if tail is None and instrument is None:
            raise bad(
                "give `tail` (the digits alerts show), or `instrument` for alerts that name "
                'no number (instrument = "wallet")',
                field="tail",
                example='"1276"',
            )
        if tail is not None and instrument is not None:
            raise bad(
                "give `tail` or `instrument`, not both: the digits already say which account",
                field="instrument",
                example="(remove the line, or remove `tail`)",
            )
        if tail is not None and (
            not isinstance(tail, str) or not re.fullmatch(r"\d{1,4}", tail.strip())
        ):
            raise bad("`tail` must be 1-4 digits, as a string", field="tail", example='"1276"')
        if instrument is not None and instrument not in INSTRUMENTS:
            raise bad(
                f"`instrument` must be one of {', '.join(INSTRUMENTS)}",
                field="instrument",
                example='"wallet"',
            )
        if not isinstance(account, str) or not bc_account.is_valid(account):
            raise bad("`account` is not a valid Beancount account", **_ACCOUNT_FIELD)
        if not account.startswith(("Assets:", "Liabilities:")):
            raise bad("`account` must be under Assets or Liabilities", **_ACCOUNT_FIELD)
        key = (bank.strip().upper(), _norm_tail(tail or ""), instrument or "")
        if key in seen and seen[key] != account:
            what = f"tail {key[1]}" if key[1] else f"instrument {key[2]}"
            raise bad(f"{key[0]} {what} is already mapped to {seen[key]}")
        seen[key] = account
        refs.append(AccountRef(key[0], key[1], account, key[2]))
    return AccountMapping(tuple(sorted(set(refs))))


def suggested_account(bank: str, instrument: str) -> str:
    """The account a TOML hint proposes for an unmapped source; the owner decides."""
    issuer = sanitize_component(bank.title()) or "Bank"
    if instrument == "credit_card":
        return f"Liabilities:CreditCard:{issuer}"
    if instrument == "wallet":
        return f"Assets:Wallet:{issuer}"
    return f"Assets:Bank:{issuer}:Savings"


def toml_entry(bank: str, tail: str | None, instrument: str, note: str = "") -> str:
    """A `[[books.accounts]]` entry to append to homeclerk.toml for an unmapped account.

    An array-of-tables entry appends to any file, whatever else it holds (an inline
    `account_mapping = [...]` cannot be added to by appending). Without digits, the entry maps
    the issuer's alerts of this instrument that name no number."""
    account = suggested_account(bank, instrument)
    which = f'tail = "{tail}"' if tail else f'instrument = "{instrument}"'
    comment = f"  # {note}" if note else ""
    return f'[[books.accounts]]{comment}\nbank = "{bank}"\n{which}\naccount = "{account}"'


def sanitize_component(text: str) -> str:
    """One valid account component: letters/digits/dashes, starting with a capital or digit."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    if not cleaned:
        return ""
    return cleaned[0].upper() + cleaned[1:]


@functools.lru_cache(maxsize=4096)  # few distinct categories, many alerts
def category_tail(category: str | None) -> str:
    """`category` as valid account components (`Uncategorized` when there is none)."""
    if not category:
        return UNCATEGORIZED
    parts = [sanitize_component(p) for p in category.split(":")]
    parts = [p for p in parts if p]
    return ":".join(parts) or UNCATEGORIZED


@functools.lru_cache(maxsize=4096)
def counter_account(direction: str, category: str | None, kind: str | None = None) -> str:
    """The other leg of an alert: Expenses/Income by direction + category, or transfers.

    A refund credit comes back to `Expenses:<category>` (a negative expense), never income; an
    investment goes to (or comes back from) INVESTMENT_ACCOUNT, an asset.
    """
    if kind == "investment":
        return INVESTMENT_ACCOUNT
    tail = category_tail(category)
    if is_transfer(tail):
        return TRANSFER_ACCOUNT
    root = "Expenses" if direction == "debit" or kind == "refund" else "Income"
    return f"{root}:{tail}"


# --- commodities -------------------------------------------------------------------------------

_CURRENCY_OK = re.compile(r"[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]")
_MAX_CURRENCY = 24


def commodity_name(symbol: str, exchange: str = "", isin: str | None = None) -> str:
    """A valid Beancount currency for a broker instrument, the same every time.

    Equities keep their trading symbol, upper-cased, with `&` spelled `-AND-` ("M&M" → "M-AND-M")
    and any other character outside [A-Z0-9'._-] turned into `-` ("BAJAJ-AUTO" stays). A name
    that would start with a digit gets an `X` in front; one longer than 24 characters is cut and
    given a short hash so two long names never collide. Mutual funds (exchange "MF") are named by
    their ISIN, which is already a valid currency ("INF179K01BB8").
    """
    is_fund = exchange.upper() == "MF"
    base = (isin or symbol if is_fund else symbol).strip().upper()
    name = base.replace("&", "-AND-")
    name = re.sub(r"[^A-Z0-9'._-]", "-", name)
    name = re.sub(r"-{2,}", "-", name).strip("-'._")
    if not name:
        name = "X" + hashlib.sha1(base.encode()).hexdigest()[:8].upper()
    if not name[0].isalpha():
        name = "X" + name
    if len(name) > _MAX_CURRENCY:
        digest = hashlib.sha1(base.encode()).hexdigest()[:4].upper()
        name = name[: _MAX_CURRENCY - 5].rstrip("-'._") + "-" + digest
    assert _CURRENCY_OK.fullmatch(name), name
    return name
