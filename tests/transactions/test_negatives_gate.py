"""The negatives' shortcut for a body flagged only by "otp" or "mandate" (most often a "Never share
your OTP" footer): it gives the answer of every strong reason, on every corpus body and every
family body, with the footers banks add and the wordings that carry "mandate"."""

from __future__ import annotations

import itertools

from assets.transactions.parsing import negatives
from tests.transactions import test_never_misread as families
from tests.transactions.sms_corpus import lowered_bodies

FOOTERS = (
    "",
    " Never share OTP/PIN/CVV-ACME Bank",
    ". Do not share your OTP with anyone",
    "\nNEVER SHARE YOUR OTP, PIN OR CVV",
    ". E-mandate created successfully",
    " for your mandate",
)


def _family_bodies() -> list[str]:
    cores = [
        core
        for name in dir(families)
        if name.isupper() and isinstance(getattr(families, name), tuple)
        for core in getattr(families, name)
        if isinstance(core, str) and "{amt}" in core
    ]
    return [core.format(amt="Rs 1,234.50", tail="XX1234").lower() for core in cores]


def _flagged_only() -> list[tuple[str, list[str]]]:
    """(spaced, words) of every body with a footer that the gate flags by "otp" or "mandate"
    alone."""
    out = []
    for body, footer in itertools.product(lowered_bodies() + _family_bodies(), FOOTERS):
        low = body + footer.lower()
        words = low.split()
        flagged = "otp" in low or "mandate" in low
        if flagged and negatives._GATE.isdisjoint(words):
            out.append((" ".join(words), words))
    return out


CASES = _flagged_only()


def test_the_shortcut_answers_as_every_strong_reason_would() -> None:
    differ = [
        (spaced, negatives._strong(spaced, words), negatives._otp_or_mandate(spaced, words))
        for spaced, words in CASES
        if negatives._strong(spaced, words) != negatives._otp_or_mandate(spaced, words)
    ]
    assert not differ, differ[:3]


def test_the_cases_reach_each_answer_the_shortcut_gives() -> None:
    # Else the comparison above would not notice a reason the shortcut dropped.
    answers = {negatives._otp_or_mandate(spaced, words) for spaced, words in CASES}
    assert {"otp", "mandate", "predebit", None} <= answers, answers
    assert len(CASES) > 1000
