"""generic.first_date: the same date as one search of format.DATE, found faster."""

from __future__ import annotations

import random

import pytest

from assets.transactions.parsing.format import DATE, lowered
from assets.transactions.parsing.generic import first_date
from tests.transactions.sms_corpus import lowered_bodies

ONE_SEARCH = lowered(DATE)


def _bodies() -> list[str]:
    bodies = lowered_bodies()
    # Each date shape placed before, between and after the body's own dates and amounts.
    shapes = (
        "2026-06-14", "2026:06:14", "14/06/2026", "14-06-26", "4.6.2026", "14-jun-2026",
        "14jun26", "june 14, 2026", "jun 4, 2026", "sept 30, 2025",
    )  # fmt: skip
    rng = random.Random(11)
    placed = []
    for body in bodies:
        shape = rng.choice(shapes)
        words = body.split(" ")
        at = rng.randrange(len(words) + 1)
        placed.append(" ".join([*words[:at], shape, *words[at:]]))
    return bodies + placed


@pytest.mark.parametrize(
    "body",
    [
        "rs 5 debited on june 14, 2026 ref 12/06/2026",  # the month name first
        "rs 5 debited on 12/06/2026, ref: june 14, 2026",  # the digits first
        "rs 5 debited 2026-06-14 at 10:00",
        "paid rs 20 on 16feb26 to x",
        "rs 5, no date here",
        "march 3, 20",  # a year cut short: no date
    ],
)
def test_named_shapes(body: str) -> None:
    expected = ONE_SEARCH.search(body)
    assert first_date(body) == (expected[0] if expected else None)


def test_every_corpus_body_with_dates_placed_anywhere() -> None:
    bodies = _bodies()
    found = 0
    for body in bodies:
        expected = ONE_SEARCH.search(body)
        assert first_date(body) == (expected[0] if expected else None), body
        found += expected is not None
    assert found > len(bodies) // 2  # the comparison saw dates, not only their absence
