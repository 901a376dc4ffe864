"""Gaps in the balance chain as a notification incident: open while the `balances_chain_whole`
check's last verdict is a failure, cleared when it passes (the gaps were explained)."""

from __future__ import annotations

from assets.notify.incidents import Problem

GAP_KEY = "books:balance_gap"


def gap_problems(passed: bool | None, description: str) -> dict[str, Problem]:
    """`books:balance_gap` → the check's own words when its last evaluation failed; {} when it
    passed or never ran."""
    if passed is None or passed:
        return {}
    return {GAP_KEY: Problem("Balance gap: money moved with no alert", description)}
