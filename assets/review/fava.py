"""Links from the review into Fava: its address (`[service] fava_port`) and the ledger's slug,
which Fava makes from the ledger's `title` option."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote


class FavaLinks(NamedTuple):
    """Where Fava serves the books: its address and the ledger's slug (from its title)."""

    base: str
    slug: str

    def account(self, account: str, day: dt.date | None = None) -> str:
        """The account's journal in Fava, on `day` when given."""
        url = f"{self.base.rstrip('/')}/{self.slug}/account/{quote(account, safe=':')}/"
        return url + (f"?time={day.isoformat()}" if day else "")

    def journal(self, text: str) -> str:
        """The journal filtered by `text` (a payee)."""
        return f"{self.base.rstrip('/')}/{self.slug}/journal/?filter={quote(text)}"


def ledger_slug(title: str) -> str:
    """The ledger's name in Fava's URLs: its title slugified as Fava does it."""
    text = re.sub(r"[^\s\w-]", "", unicodedata.normalize("NFKC", title)).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def fava_links(base: str | None, main_file: Path) -> FavaLinks | None:
    """Fava's links for the ledger at `main_file` (its `title` option, read without loading
    the books; the file's name otherwise); None without a Fava address or a ledger."""
    if not base:
        return None
    try:
        text = Path(main_file).read_text("utf-8")
    except OSError:
        return None
    found = _TITLE.search(text)
    slug = ledger_slug(found.group(1)) if found else ""
    return FavaLinks(base, slug or ledger_slug(str(main_file)))


_TITLE = re.compile(r'^option\s+"title"\s+"((?:[^"\\]|\\.)*)"', re.M)
