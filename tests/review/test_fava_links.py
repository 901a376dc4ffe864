"""The review's links into Fava use the slug Fava itself makes from the ledger's title."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fava.util import slugify

from assets.review.fava import FavaLinks, fava_links, ledger_slug


@pytest.mark.parametrize("title", ["Household books", "  Ünïcode -- Books! ", "a_b  c"])
def test_the_slug_is_fava_s(title: str) -> None:
    assert ledger_slug(title) == slugify(title)


def test_links_name_the_ledger_by_its_title_and_need_a_fava_address(tmp_path: Path) -> None:
    main = tmp_path / "main.beancount"
    main.write_text('; books\noption "title" "Household books"\n')
    links = fava_links("http://127.0.0.1:5000", main)
    assert links == FavaLinks("http://127.0.0.1:5000", "household-books")
    assert links.account("Liabilities:CreditCard:HDFC", dt.date(2025, 12, 18)) == (
        "http://127.0.0.1:5000/household-books/account/Liabilities:CreditCard:HDFC/?time=2025-12-18"
    )
    assert links.journal("Meera Iyer") == (
        "http://127.0.0.1:5000/household-books/journal/?filter=Meera%20Iyer"
    )
    assert fava_links(None, main) is None
    assert fava_links("http://127.0.0.1:5000", tmp_path / "none.beancount") is None
