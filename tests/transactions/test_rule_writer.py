"""The rule `homeclerk categorize` writes: the owner's file kept byte for byte around it."""

from __future__ import annotations

import re
import tomllib

import pytest

from assets.transactions.categories import rules_from_config
from assets.transactions.errors import TransactionsError
from assets.transactions.rule_writer import AccountError, payee_pattern, split_account, with_rule

OWNER = """\
# My homeclerk settings: kept by hand, please keep my notes.
timezone = "Asia/Kolkata"   # where I live

[paths]
data_dir   = "data"         # aligned on purpose

# Rules, best first.
[[categories.rules]]
pattern = "chai"            # the tea stall downstairs
category = "Food:Tea"

# The gym bills monthly.
[[categories.rules]]
pattern = 'gym\\b'
category = "Health:Gym"
direction = "debit"

[power]
source = "none"  # no battery here
"""

RULE = {"pattern": "^(?:Kaveri Stores|KAVERI  STORES\\.)$", "category": "Food:Groceries"}
RULE |= {"direction": "debit"}

BLOCK = """\
# written by `homeclerk categorize`
pattern = "^(?:Kaveri Stores|KAVERI  STORES\\\\.)$"
category = "Food:Groceries"
direction = "debit"

[[categories.rules]]
"""


def test_the_rule_goes_first_and_every_other_byte_of_the_owner_file_stays() -> None:
    written = with_rule(OWNER, RULE)
    header = "[[categories.rules]]\n"
    at = OWNER.index(header) + len(header)
    assert written == OWNER[:at] + BLOCK + OWNER[at:]
    rules = tomllib.loads(written)["categories"]["rules"]
    assert [r["pattern"] for r in rules] == [RULE["pattern"], "chai", "gym\\b"]
    assert rules_from_config(rules)[0].pattern == RULE["pattern"]


def test_the_same_payee_again_changes_its_rule_in_place() -> None:
    once = with_rule(OWNER, RULE)
    assert with_rule(once, RULE) == once
    moved = with_rule(once, RULE | {"category": "Home:Supplies"})
    assert moved == once.replace('category = "Food:Groceries"', 'category = "Home:Supplies"')


def test_a_file_without_rules_gets_a_table_at_the_end() -> None:
    plain = '# mine\ntimezone = "Asia/Kolkata"\n\n[paths]\ndata_dir = "data"\n'
    written = with_rule(plain, RULE)
    assert written.startswith(plain)
    assert tomllib.loads(written)["categories"]["rules"] == [RULE]
    assert tomllib.loads(written)["paths"] == {"data_dir": "data"}
    inline = '[categories]\nrules = [{ pattern = "x", category = "A" }]  # mine\n'
    rules = tomllib.loads(with_rule(inline, RULE))["categories"]["rules"]
    assert rules == [RULE, {"pattern": "x", "category": "A"}]
    assert "# mine" in with_rule(inline, RULE)


@pytest.mark.parametrize(
    ("name", "near", "far"),
    [
        ("Domino's (R) 1+1", "DOMINO'S (R) 1+1", "Domino's (R) 1+11"),
        ("divya.m@okhdfc", "DIVYA.M@OKHDFC", "divyaxm@okhdfc"),
        ("Ramesh Kirana", "ramesh kirana", "Ramesh Kirana Store"),
    ],
)
def test_the_pattern_matches_the_payee_exactly(name: str, near: str, far: str) -> None:
    pattern = payee_pattern(name, ["RAW " + name])
    assert re.search(pattern, near, re.IGNORECASE)
    assert re.search(pattern, "raw " + name, re.IGNORECASE)
    assert not re.search(pattern, far, re.IGNORECASE)
    assert not re.search(pattern, "x" + name, re.IGNORECASE)


def test_accounts_split_into_category_and_direction() -> None:
    assert split_account("Expenses:Food:Delivery") == ("Food:Delivery", "debit")
    assert split_account("Income:Side-Gig") == ("Side-Gig", "credit")


@pytest.mark.parametrize(
    ("account", "fixed"),
    [
        ("Food:Delivery", "Expenses:Food:Delivery"),
        ("Assets:Bank:HDFC", "Expenses:Assets:Bank:HDFC"),
        ("expenses:family support", "Expenses:Family-support"),
        ("Expenses:", "Expenses:Food:Delivery"),
        ("Income:2024 bonus", "Income:X2024-bonus"),
        ("Expenses:Food Delivery", "Expenses:Food-Delivery"),
    ],
)
def test_a_wrong_account_is_refused_with_one_that_works(account: str, fixed: str) -> None:
    with pytest.raises(AccountError) as refused:
        split_account(account)
    assert refused.value.fixed == fixed
    split_account(fixed)  # the fix offered is accepted


def test_rules_split_around_other_tables_get_the_rule_before_the_first() -> None:
    split = (
        OWNER + '\n# Later, by hand.\n[[categories.rules]]\npattern = "amma"\ncategory = "Family"\n'
    )
    written = with_rule(split, RULE)
    header = "[[categories.rules]]\n"
    at = split.index(header) + len(header)
    assert written == split[:at] + BLOCK + split[at:]
    rules = tomllib.loads(written)["categories"]["rules"]
    assert [r["pattern"] for r in rules] == [RULE["pattern"], "chai", "gym\\b", "amma"]
    moved = with_rule(written, RULE | {"category": "Home"})
    assert moved == written.replace('category = "Food:Groceries"', 'category = "Home"')


def test_a_file_whose_rules_are_not_a_list_is_refused_with_the_rule_to_add_by_hand() -> None:
    with pytest.raises(TransactionsError) as refused:
        with_rule('[categories]\nrules = "swiggy"\n', RULE)
    pasted = str(refused.value).split("by hand, first among your rules:\n")[1]
    assert tomllib.loads(pasted)["categories"]["rules"] == [RULE]
