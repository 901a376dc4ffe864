"""Transaction → Beancount category tail ("Food:Delivery"): the first matching rule, no guess."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from assets.transactions.errors import TransactionsError
from assets.transactions.model import Transaction

UNCATEGORIZED = "Uncategorized"
# Roots of a category that moves money between the owner's own accounts. Both spellings count:
# a transfer the ledger clears must never show as spending (or income) in the feed.
TRANSFER_ROOTS = frozenset({"Transfer", "Transfers"})
# Beancount account-name segments: capital letter first, no spaces; ':' separates segments.
_CATEGORY = re.compile(r"[A-Z][A-Za-z0-9-]*(?::[A-Z][A-Za-z0-9-]*)*")


class CategoryRule(NamedTuple):
    """`pattern` is a case-insensitive regex searched in the counterparty ("" matches any,
    including none); `direction` and `channel` narrow the rule when set."""

    pattern: str
    category: str
    direction: str | None = None
    channel: str | None = None


def _r(alternatives: tuple[str, ...], category: str) -> CategoryRule:
    """A debit rule matching any of the alternatives (regex fragments)."""
    return CategoryRule("|".join(alternatives), category, "debit")


DEFAULT_RULES: tuple[CategoryRule, ...] = (
    # Kind of money movement first: these hold whoever the counterparty is.
    CategoryRule("", "Cash", "debit", "atm"),
    CategoryRule(r"\bsalary\b|\bsal\b|payroll", "Salary", "credit"),
    CategoryRule(r"\binterest\b|\bint\.? ?(?:pd|paid|cr)\b", "Interest", "credit"),
    CategoryRule(r"cashback|cash back", "Cashback", "credit"),
    CategoryRule(r"refund|reversal|reversed", "Refunds", "credit"),
    # Money back on a card from a merchant is a refund or a reversal.
    CategoryRule("", "Refunds", "credit", "card"),
    # Merchants and payees (debits).
    _r(
        (
            r"swiggy",
            r"zomato",
            r"eatfit",
            r"freshmenu",
            r"faasos",
            r"box8",
            r"dominos",
            r"domino's",
            r"pizza hut",
            r"kfc",
        ),
        "Food:Delivery",
    ),
    _r(
        (
            r"mcdonald",
            r"burger king",
            r"subway",
            r"barista",
            r"starbucks",
            r"cafe coffee day",
            r"\bccd\b",
            r"chaayos",
            r"wow momo",
            r"haldiram",
            r"\bcafe\b",
            r"restaurant",
            r"\bdhaba\b",
            r"biryani",
        ),
        "Food:Restaurants",
    ),
    _r(
        (
            r"blinkit",
            r"zepto",
            r"bigbasket",
            r"big basket",
            r"instamart",
            r"dmart",
            r"d-mart",
            r"avenue supermarts",
            r"nature'?s basket",
            r"nature basket",
            r"ratnadeep",
            r"star bazaar",
            r"more retail",
            r"\bmore\b supermarket",
            r"spencer",
            r"reliance fresh",
            r"smart bazaar",
            r"jiomart",
            r"licious",
            r"grocer",
            r"kirana",
            r"munchmart",
        ),
        "Food:Groceries",
    ),
    _r(
        (
            r"amazon",
            r"flipkart",
            r"myntra",
            r"ajio",
            r"meesho",
            r"nykaa",
            r"tata cliq",
            r"snapdeal",
            r"pantaloons",
            r"westside",
            r"shoppers stop",
            r"lifestyle",
            r"max fashion",
            r"croma",
            r"reliance digital",
            r"titan",
        ),
        "Shopping",
    ),
    _r(
        (
            r"\buber\b",
            r"\bola\b",
            r"olacabs",
            r"rapido",
            r"\bblu ?smart",
            r"namma yatri",
            r"metro",
            r"bmtc",
            r"best bus",
        ),
        "Transport:Taxi",
    ),
    _r(
        (
            r"bpcl",
            r"hpcl",
            r"iocl",
            r"indian oil",
            r"bharat petroleum",
            r"hindustan petroleum",
            r"\bshell\b",
            r"nayara",
            r"fuel",
            r"petrol",
            r"\bhp pay\b",
        ),
        "Transport:Fuel",
    ),
    _r(
        (
            r"irctc",
            r"makemytrip",
            r"goibibo",
            r"cleartrip",
            r"yatra",
            r"ixigo",
            r"easemytrip",
            r"indigo",
            r"air india",
            r"vistara",
            r"akasa",
            r"spicejet",
            r"redbus",
            r"\boyo\b",
        ),
        "Travel",
    ),
    _r(
        (
            r"1mg",
            r"apollo",
            r"medplus",
            r"pharmeasy",
            r"netmeds",
            r"pharmacy",
            r"chemist",
            r"wellness forever",
        ),
        "Health:Pharmacy",
    ),
    _r(
        (
            r"hospital",
            r"clinic",
            r"diagnostic",
            r"lal path",
            r"thyrocare",
            r"practo",
        ),
        "Health:Medical",
    ),
    _r(
        (
            r"netflix",
            r"spotify",
            r"hotstar",
            r"disney",
            r"youtube",
            r"google ?play",
            r"apple",
            r"zee5",
            r"jiocinema",
            r"sonyliv",
            r"prime video",
            r"audible",
            r"telegram",
        ),
        "Subscriptions",
    ),
    _r(
        (
            r"msedcl",
            r"mahadiscom",
            r"bescom",
            r"tneb",
            r"tangedco",
            r"tata power",
            r"adani electricity",
            r"bses",
            r"cesc",
            r"uppcl",
            r"pspcl",
            r"kseb",
            r"wbsedcl",
            r"electricity",
            r"torrent power",
        ),
        "Bills:Electricity",
    ),
    _r(
        (
            r"\bjio\b",
            r"airtel",
            r"vodafone",
            r"\bvi\b",
            r"\bvil\b",
            r"bsnl",
            r"act fibernet",
            r"hathway",
            r"tata play",
            r"dish ?tv",
        ),
        "Bills:Telecom",
    ),
    _r(
        (
            r"\blic\b",
            r"life insurance",
            r"hdfc life",
            r"icici pru",
            r"sbi life",
            r"max life",
            r"insurance",
            r"star health",
            r"niva bupa",
            r"policybazaar",
            r"acko",
            r"digit insurance",
        ),
        "Insurance",
    ),
    _r(
        (
            r"bajaj fin",
            r"kreditbee",
            r"moneyview",
            r"navi",
            r"home ?credit",
            r"tata capital",
            r"idfc first loans",
            r"loan",
            r"\bemi\b",
            r"finance ltd",
            r"fullerton",
            r"hdb financial",
        ),
        "Loans:EMI",
    ),
    _r(
        (
            r"\binox\b",
            r"\bpvr\b",
            r"cinepolis",
            r"bookmyshow",
            r"district",
        ),
        "Entertainment",
    ),
)


class CategoryConfigError(TransactionsError, ValueError):
    """A user category rule that cannot work; the message names the entry and shows a fix.

    `index` is the rule's position (from 1) in `[[categories.rules]]`, `problem` what is wrong;
    `summary` is the message without `example`, a valid rule."""

    def __init__(self, index: int, problem: str) -> None:
        self.index, self.problem = index, problem
        self.summary, self.example = f"category rule {index}: {problem}", _EXAMPLE
        super().__init__(f"{self.summary}. Example: {_EXAMPLE}")


_EXAMPLE = '{pattern = "(?i)swiggy|zomato", category = "Food:Delivery", direction = "debit"}'


# For one (direction, channel): the rules that can apply, in order, as (regex or None, category),
# cut after the first rule without a pattern (nothing after it is ever reached).
_Plan = tuple[tuple[re.Pattern[str] | None, str], ...]


class _Index:
    """A rule set compiled once and split by (direction, channel), so a call scans only the
    rules that can match instead of re-checking (and re-hashing) every rule."""

    def __init__(self, rules: tuple[CategoryRule, ...]) -> None:
        self.rules = rules
        self.compiled = tuple(
            (re.compile(r.pattern, re.IGNORECASE) if r.pattern else None, r) for r in rules
        )
        self.plans: dict[tuple[str, str], _Plan] = {}

    def plan(self, direction: str, channel: str) -> _Plan:
        plan = self.plans.get((direction, channel))
        if plan is None:
            steps: list[tuple[re.Pattern[str] | None, str]] = []
            for regex, rule in self.compiled:
                if rule.direction is not None and rule.direction != direction:
                    continue
                if rule.channel is not None and rule.channel != channel:
                    continue
                steps.append((regex, rule.category))
                if regex is None:
                    break
            plan = self.plans[(direction, channel)] = tuple(steps)
        return plan


@lru_cache(maxsize=64)
def _indexed(rules: tuple[CategoryRule, ...]) -> _Index:
    return _Index(rules)


# The last index used: callers pass the same tuple call after call, and an identity test is
# cheaper than hashing ~30 rules. Only tuples: a list could be changed between calls.
_last: _Index = _indexed(DEFAULT_RULES)


# Kinds that are no spending and no income whoever the counterparty is: money moved between
# the owner's own accounts (a card bill paid, a wallet topped up) or into investments. They
# decide before any rule; the ledger books an investment to INVESTMENT_ACCOUNT, the rest to the
# transfers' clearing account.
KIND_CATEGORIES: dict[str, str] = {
    "card_bill_payment": "Transfers:CreditCardPayment",
    "wallet_topup": "Transfers:WalletTopUp",
    "investment": "Transfers:Investments",
}


def categorize(txn: Transaction, rules: Sequence[CategoryRule] = DEFAULT_RULES) -> str:
    """The category of the kind (KIND_CATEGORIES), else of the first rule that matches, else
    exactly "Uncategorized"."""
    by_kind = KIND_CATEGORIES.get(txn.kind)
    if by_kind is not None:
        return by_kind
    global _last
    index = _last
    if rules is not index.rules:
        index = _last = _indexed(rules if isinstance(rules, tuple) else tuple(rules))
    party = txn.counterparty
    for regex, category in index.plan(txn.direction, txn.channel):
        if regex is None or (party and regex.search(party)):
            return category
    # A credit-card payment received names nobody: it is a transfer, not income.
    if txn.instrument == "credit_card" and txn.direction == "credit" and txn.channel == "other":
        return "Transfers:CreditCardPayment"
    return UNCATEGORIZED


def categorize_as_purchase_if_refund(
    txn: Transaction, rules: Sequence[CategoryRule] = DEFAULT_RULES
) -> str:
    """`categorize`, except that a refund credit whose payee the rules know as a merchant gets
    that merchant's category (money back from Swiggy is less Food:Delivery, not income).

    The derive step then prefers the original purchase's category when it finds that purchase
    (assets/transactions/refunds.py).
    """
    if txn.kind == "refund" and txn.direction == "credit":
        as_purchase = categorize(txn._replace(direction="debit"), rules)
        if as_purchase != UNCATEGORIZED:
            return as_purchase
    return categorize(txn, rules)


def is_transfer(category: str | None) -> bool:
    """Money moving between the owner's own accounts (a card bill, a move to savings): neither
    spent nor earned. True when the category's first component is `Transfer` or `Transfers`
    ("Transfers:CreditCardPayment", "Transfer:Self", "Transfers"); None is not a transfer."""
    return category is not None and category.split(":", 1)[0] in TRANSFER_ROOTS


def rules_from_config(entries: Sequence[Mapping[str, Any]]) -> list[CategoryRule]:
    """User rules from `[[categories.rules]]` tables, then DEFAULT_RULES; raises on a bad entry."""
    rules = [_rule(index, entry) for index, entry in enumerate(entries, start=1)]
    return rules + list(DEFAULT_RULES)


def _rule(index: int, entry: Mapping[str, Any]) -> CategoryRule:
    def fail(problem: str) -> CategoryConfigError:
        return CategoryConfigError(index, problem)

    if not isinstance(entry, Mapping):
        raise fail(f"expected a table, got {type(entry).__name__}")
    unknown = set(entry) - {"pattern", "category", "direction", "channel"}
    if unknown:
        raise fail(f"unknown key(s) {sorted(unknown)}")
    pattern = entry.get("pattern", "")
    if not isinstance(pattern, str):
        raise fail('"pattern" must be a string')
    try:
        re.compile(pattern)
    except re.error as error:
        raise fail(f'"pattern" {pattern!r} is not a valid regular expression: {error}') from None
    category = entry.get("category")
    if not isinstance(category, str) or not _CATEGORY.fullmatch(category):
        raise fail(
            f'"category" {category!r} must be account-name segments joined by ":", each starting '
            'with a capital letter and without spaces, such as "Food:Delivery"'
        )
    direction = entry.get("direction")
    if direction not in (None, "debit", "credit"):
        raise fail(f'"direction" must be "debit" or "credit" (or left out), got {direction!r}')
    channel = entry.get("channel")
    if channel not in (None, "upi", "card", "neft", "imps", "atm", "other"):
        raise fail(f'"channel" must be upi, card, neft, imps, atm or other, got {channel!r}')
    return CategoryRule(pattern, category, direction, channel)
