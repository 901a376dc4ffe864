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


_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_NUMBERS = (*_NUMBERS, "eleven", "twelve")


def test_the_parser_doc_names_every_corpus_and_counts_the_default_set() -> None:
    """The corpus paragraph names every labelled corpus, counts the default set of
    benchmarks/parse_eval.py and says how many the safety property holds."""
    from benchmarks.parse_eval import CORPORA as DEFAULT
    from tests.transactions.sms_corpus import SMS_DATA, load
    from tests.transactions.test_generic_grammar import CORPORA as SAFETY

    text = DOC.read_text(encoding="utf-8")
    corpora = sorted(path.stem for path in SMS_DATA.glob("*.jsonl"))
    assert [name for name in corpora if f"`{name}`" not in text] == []
    lines = [line for name in DEFAULT for line in load(name)]
    transactions = sum(line["expected"] is not None for line in lines)
    negatives = len(lines) - transactions
    assert f"{transactions} transactions and {negatives} negatives in all" in text
    assert f"All {_NUMBERS[len(SAFETY)]} are held to the" in text
