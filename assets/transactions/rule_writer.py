"""One category rule written into the owner's homeclerk.toml, the rest of the file untouched.

`homeclerk categorize "PAYEE" Expenses:Food:Delivery` files a payee without writing a regex: the
rule's pattern matches the payee's name and the raw texts it was read from exactly (escaped,
anchored), and it goes first in `[[categories.rules]]` so that it wins over broader rules. The
file is edited with tomlkit, which keeps the owner's comments, order and formatting; a rule with
the same pattern is updated in place instead of added twice.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, MutableMapping
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array

from assets.transactions.categories import _CATEGORY
from assets.transactions.errors import TransactionsError

ROOTS = {"Expenses": "debit", "Income": "credit"}
_EXAMPLE_ACCOUNT = "Expenses:Food:Delivery"


class AccountError(TransactionsError, ValueError):
    """An account the command cannot file under; `fixed` is a valid one to offer instead."""

    def __init__(self, account: str, problem: str, fixed: str) -> None:
        self.account, self.problem, self.fixed = account, problem, fixed
        super().__init__(f"{account!r} {problem}")


def split_account(account: str) -> tuple[str, str]:
    """`Expenses:Food:Delivery` → (category tail "Food:Delivery", direction "debit");
    raises AccountError (with a valid account to use instead) for anything else."""
    root, _, tail = account.partition(":")
    if root not in ROOTS:
        problem = "is not an Expenses: or Income: account (a category files spending or income)"
        raise AccountError(account, problem, _fixed(account))
    if not _CATEGORY.fullmatch(tail):
        problem = (
            "is not a valid Beancount account name: after the root, parts joined by ':', each "
            "starting with a capital letter, letters, digits and '-' only"
        )
        raise AccountError(account, problem, _fixed(account))
    return tail, ROOTS[root]


def _fixed(account: str) -> str:
    """The nearest valid account: parts title-cased, other characters as '-', Expenses: first."""
    parts = []
    for part in account.split(":"):
        cleaned = re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-")
        if cleaned:
            parts.append(cleaned[0].upper() + cleaned[1:])
    if parts and parts[0].lower() in ("expenses", "income"):
        parts[0] = parts[0].capitalize()
    else:
        parts.insert(0, "Expenses")
    # A part must start with a letter: a leading digit gets an `X` (as commodity names do).
    parts = [p if p[0].isalpha() else f"X{p}" for p in parts]
    fixed = ":".join(parts)
    root, _, tail = fixed.partition(":")
    return fixed if root in ROOTS and _CATEGORY.fullmatch(tail) else _EXAMPLE_ACCOUNT


def payee_pattern(payee: str, counterparties: Iterable[str] = ()) -> str:
    """A regex (searched case-insensitively) that matches exactly the payee's name or one of
    the raw texts it was read from, and nothing longer or shorter."""
    names = dict.fromkeys([payee, *counterparties])
    # Spaces need no escape, and a pattern the owner can read is one they can trust.
    escaped = (re.escape(n).replace("\\ ", " ") for n in names if n)
    return "^(?:" + "|".join(escaped) + ")$"


def with_rule(text: str, rule: dict[str, str]) -> str:
    """`text` (a homeclerk.toml) with `rule` first in `[[categories.rules]]`, or replacing the
    category and direction of the rule with the same pattern; nothing else changes. Raises
    TransactionsError (with the rule as TOML to add by hand) when the file's shape does not
    allow that."""
    doc = tomlkit.parse(text)
    # Every `categories` table as written: rules may be split around other tables, and tomlkit
    # only shows a merged copy of those through doc["categories"].
    tables = [v for k, v in doc.body if k is not None and k.key == "categories"]
    if not tables:
        table = tomlkit.table(is_super_table=True)
        rules = tomlkit.aot()
        rules.append(_table(rule))
        table.append("rules", rules)
        if text and not text.endswith("\n\n"):
            doc.add(tomlkit.nl())
        doc.append("categories", table)
        return _checked(tomlkit.dumps(doc), rule)
    if not all(isinstance(t, MutableMapping) for t in tables):
        raise _cannot(rule, "`categories` is not a table")
    lists = [t["rules"] for t in tables if "rules" in t]
    if not all(isinstance(r, AoT | Array) for r in lists):
        raise _cannot(rule, "`categories.rules` is not a list of tables")
    for entry in (e for rules in lists for e in rules):
        if isinstance(entry, MutableMapping) and entry.get("pattern") == rule["pattern"]:
            for key in ("category", "direction"):
                entry[key] = rule[key]
            return _checked(tomlkit.dumps(doc), rule)
    if not lists:
        aot = tomlkit.aot()
        aot.append(_table(rule))
        tables[0].append("rules", aot)
    elif isinstance(lists[0], AoT):
        lists[0].insert(0, _table(rule))
    else:
        inline = tomlkit.inline_table()
        inline.update(rule)
        lists[0].insert(0, inline)
    return _checked(tomlkit.dumps(doc), rule)


def _checked(text: str, rule: dict[str, str]) -> str:
    """`text`, once it is certain to hold `rule` (a writer that silently did nothing would
    tell the owner a payee is filed when it is not)."""
    try:
        rules = tomllib.loads(text)["categories"]["rules"]
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        rules = []
    if not isinstance(rules, list) or rule not in rules:
        raise _cannot(rule, "the edited file would not hold the rule")
    return text


def _cannot(rule: dict[str, str], why: str) -> TransactionsError:
    lines = "\n".join(f"{k} = {json.dumps(v)}" for k, v in rule.items())
    return TransactionsError(
        f"homeclerk.toml cannot be edited safely ({why}); add the rule by hand, first among "
        f"your rules:\n[[categories.rules]]\n{lines}"
    )


def _table(rule: dict[str, str]) -> Any:
    table = tomlkit.table()
    table.add(tomlkit.comment("written by `homeclerk categorize`"))
    for key, value in rule.items():
        table.add(key, value)
    table.add(tomlkit.nl())
    return table
