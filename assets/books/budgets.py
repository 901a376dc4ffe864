"""Monthly budgets (`[[budgets]]` in homeclerk.toml) as Fava's own `custom "budget"` entries.

Each budget is an Expenses account and a monthly amount in rupees. The books carry them as

    2024-01-01 custom "budget" Expenses:Food "monthly" 5000.00 INR

(the syntax Fava's budget module reads), so Fava's budget columns show them. A budget is dated
the first of the month its account opens in the ledger: it is the owner's monthly figure for that
account for as long as the books show it. Beancount does not check the accounts a custom entry
names, so a budget for an account the ledger never opens would be silently ignored by Fava:
those are kept out of the books and reported against their settings key with the fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

BUDGET_CURRENCY = "INR"
EXAMPLE = '{ account = "Expenses:Food", monthly = 5000 }'
_ACCOUNT = re.compile(r"Expenses(?::[A-Z][A-Za-z0-9-]*)+")


class Budget(NamedTuple):
    """One `[[budgets]]` entry: an Expenses account and what the owner means to spend a month."""

    account: str
    monthly: Decimal
    index: int  # its place in `[[budgets]]`, for messages that name the key

    @property
    def key(self) -> str:
        """The settings key of its account, as messages name it."""
        return f"budgets[{self.index}].account"


class BudgetConfigError(ValueError):
    """A `[[budgets]]` entry is malformed: `key` names it, `example` is a right value."""

    def __init__(self, key: str, problem: str, example: str = EXAMPLE) -> None:
        self.key, self.problem, self.example = key, problem, example
        super().__init__(f"`{key}` {problem}")


def budgets_from_config(entries: Sequence[Mapping[str, Any]]) -> tuple[Budget, ...]:
    """The entries of `[[budgets]]`, validated; raises BudgetConfigError naming the key."""
    budgets: list[Budget] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        unknown = sorted(set(entry) - {"account", "monthly"})
        if unknown:
            raise BudgetConfigError(
                f"budgets[{index}].{unknown[0]}", "is not a budget field (account, monthly)"
            )
        account = entry.get("account")
        if not isinstance(account, str) or not _ACCOUNT.fullmatch(account.strip()):
            raise BudgetConfigError(
                f"budgets[{index}].account",
                f"is {account!r}, not an Expenses account (Expenses: then parts joined by ':', "
                "each starting with a capital letter)",
                '"Expenses:Food"',
            )
        account = account.strip()
        if account in seen:
            raise BudgetConfigError(
                f"budgets[{index}].account",
                f"is {account!r} again (already budgets[{seen[account]}]): keep one budget "
                "per account",
                '"Expenses:Food:Delivery"',
            )
        seen[account] = index
        monthly = entry.get("monthly")
        if (
            isinstance(monthly, bool)
            or not isinstance(monthly, int | float)
            or not (0 < monthly < float("inf"))
        ):
            raise BudgetConfigError(
                f"budgets[{index}].monthly",
                f"is {monthly!r}, not a positive amount in rupees a month",
                "5000",
            )
        amount = Decimal(str(monthly)).quantize(Decimal("0.01"))
        budgets.append(Budget(account, amount, index))
    return tuple(budgets)


def as_config(budgets: Iterable[Budget]) -> list[dict[str, Any]]:
    """The budgets as plain config (what a Dagster resource holds)."""
    return [{"account": b.account, "monthly": str(b.monthly)} for b in budgets]


def from_resource_config(entries: Sequence[Mapping[str, Any]]) -> tuple[Budget, ...]:
    """`as_config` read back."""
    return tuple(
        Budget(str(e["account"]), Decimal(str(e["monthly"])), i) for i, e in enumerate(entries)
    )


class BudgetEntry(NamedTuple):
    """One `custom "budget"` entry of the books."""

    date: dt.date
    account: str
    monthly: Decimal


class BudgetBuild(NamedTuple):
    """The budget entries for the books, and the budgets whose account the ledger never opens."""

    entries: tuple[BudgetEntry, ...]
    unopened: tuple[Budget, ...]


def build_budgets(budgets: Iterable[Budget], opened_on: Mapping[str, dt.date]) -> BudgetBuild:
    """A `custom "budget"` entry per budget whose account the ledger opens (`opened_on`: every
    open account and its open date), dated that day; the others reported."""
    entries: list[BudgetEntry] = []
    unopened: list[Budget] = []
    for budget in budgets:
        opens = opened_on.get(budget.account)
        if opens is None:
            unopened.append(budget)
            continue
        # From the first of the month the account opens in: a whole month's budget, as Fava
        # prorates a budget by the days it is in force. (Beancount does not check the dates of
        # the accounts a custom entry names.)
        entries.append(BudgetEntry(opens.replace(day=1), budget.account, budget.monthly))
    entries.sort()
    return BudgetBuild(tuple(entries), tuple(unopened))


def render_budget(entry: BudgetEntry) -> str:
    """One entry as the line Fava reads: `DATE custom "budget" ACCOUNT "monthly" N INR`."""
    return (
        f'{entry.date.isoformat()} custom "budget" {entry.account} "monthly" '
        f"{entry.monthly:.2f} {BUDGET_CURRENCY}"
    )


# homeclerk's Fava extension: the "Categorize" page (the module ships with homeclerk).
FAVA_EXTENSION = "pipeline.fava_ext"


def render_fava(entries: Iterable[BudgetEntry]) -> str:
    """The generated file for Fava: homeclerk's extension, and the budgets."""
    lines = [
        "; Generated by homeclerk for Fava: its Categorize page, and the budgets of [[budgets]]",
        "; in homeclerk.toml. Do not edit: change the settings instead (this file is rewritten",
        "; by `ledger_entries`).",
        "",
        f'2000-01-01 custom "fava-extension" "{FAVA_EXTENSION}"',
    ]
    lines.extend(render_budget(e) for e in entries)
    return "\n".join(lines) + "\n"


def unopened_text(budget: Budget, opened: Iterable[str], today: dt.date, source: str) -> str:
    """The settings error for a budget whose account the ledger never opens, with both fixes:
    the nearest open account for the key, or the `open` line to paste into main.beancount."""
    near = difflib.get_close_matches(
        budget.account, sorted(a for a in opened if a.startswith("Expenses:")), n=1
    )
    rename = f'account = "{near[0]}" (did you mean it?), or ' if near else ""
    return (
        f"{source}: `{budget.key}` is {budget.account!r}, an account the ledger does not open "
        f"(its budget is not in the books). Fix: set {rename}open it in your main.beancount "
        f"by adding this line: {open_line(budget, today)}"
    )


def open_line(budget: Budget, today: dt.date) -> str:
    """The `open` directive that makes the ledger open a budget's account (what the fix says)."""
    return f"{today.replace(day=1).isoformat()} open {budget.account} {BUDGET_CURRENCY}"
