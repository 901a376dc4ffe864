"""docs/parser.md lists every issuer and every sender header the parser knows."""

from __future__ import annotations

import re
from pathlib import Path

from assets.transactions.parsing.issuers import ISSUER_BY_HEADER

DOC = Path(__file__).resolve().parents[2] / "docs" / "parser.md"


def test_every_issuer_and_header_is_in_the_parser_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    words = set(re.findall(r"[A-Z][A-Z0-9]+", text))
    # A card company's full name is a header of several words: listed as written.
    named = {h for h in ISSUER_BY_HEADER if " " in h and f'"{h}"' in text}
    assert sorted(set(ISSUER_BY_HEADER) - words - named) == []
    assert sorted(set(ISSUER_BY_HEADER.values()) - words) == []
