"""literal_first: the rewritten regexes find the same matches as the ones they replace."""

from __future__ import annotations

import random
import re

import pytest

from assets.common.regex_prefix import compiled, literal_first, top_alternatives
from tests.transactions.sms_corpus import lowered_bodies


def _bodies() -> list[str]:
    bodies = lowered_bodies()
    # The same bodies with a word character glued before and after words, where `\b` decides.
    rng = random.Random(5)
    glued = []
    for body in bodies:
        words = body.split(" ")
        at = rng.randrange(len(words))
        words[at] = rng.choice("xa7_") + words[at] + rng.choice(("", "s", "9"))
        glued.append(" ".join(words))
    return bodies + glued


BODIES = _bodies()


def _patterns() -> list[str]:
    """Patterns of the parser's negatives and its foreign-amount check, as written."""
    return [
        r"\botp (?:is|:)\s*\d|\botp \d{4,8}\b|\botp for\b|\byour otp\b",
        r"\bif (?:any|debited|deducted|charged|amount)\b|\bin case\b",
        r"\bhas requested\b|\bis requesting\b|\brequested (?:money|rs|inr|₹|payment)"
        r"|\bcollect request|\bpayment request\b|\brequest(?:ed)? for (?:rs|inr|₹)",
        r"\bdeclined\b|\breturned unpaid\b|\bcheque\b.{0,80}?\breturned\b|\brejected\b",
        r"\bfail(?:ed|ure)\b|\bunsuccessful\b|\bcould not be (?:processed|completed)\b",
        r"\bnew bill\b|\bbill (?:of|for|generated|is)\b",
        r"\busd\b\.?\s*\d|\beur\b\.?\s*\d",
        # a leading group of words, distributed; an alternative with a literal first kept
        r"\b(?:debited|credited|spent|dr\.?|cr\.?)\b",
        r"\brs\.?\s*\d|\binr\s*\d|₹\s*\d",
        r"\b(?:upi|imps|neft|rtgs)/\s*\d+|\binfo:? (?:neft|imps)[- ]\w+",
        r"\b(?:to|from|by)(?:\s*:\s*|\s+)[a-z][\w ]{0,40}?(?=\s+on\b|\.)",
        r"\b(?:will|shall|to)\s+be\s+(?:debited|credited)\b|\bone[\s-]?time\b",
        # a named group after the words (it may appear once): a class of their first letters
        r"\b(?:at|by)\s+(?P<name>[a-z][\w&.'*@ -]{0,40}?)\s+on\s+(?:\d|date\b|[a-z]{2,9}\b)",
        r"\b(?:to|from|by)(?:\s*:\s*|\s+)(?:sender\s+)?(?P<name>[a-z][\w ]{0,40}?)(?=\s+on\b|\.)",
        r"\b(?:account|acct|acc|a/?c|card|cc)(?:\b|(?=[x*]))\.?\s*(?P<tail>[x*]*\d{3,})",
        r"\b(?:rs|r)(?P<rest>\w*)",  # the words' order decides what the group takes
        r"\bdebited\b|₹\s*\d|\binr\b",  # a literal first between rewritten ones
        # classes, escapes and groups inside the leading group: its end is found past them
        r"\b(?:x[)|]|a\)|u(?:pi|vpa)[:/])(?P<after>\S*)",
        r"\b(?:by[^]|(]|at)\s*(?P<next>\w+)",
        r"\b(?:on[^]|(]|a\))\w*",
    ]


@pytest.mark.parametrize("pattern", _patterns())
def test_the_same_matches_at_the_same_places(pattern: str) -> None:
    before = re.compile(pattern, re.DOTALL)
    after = re.compile(literal_first(pattern), re.DOTALL)
    assert after.pattern != before.pattern  # each of these is rewritten
    matched = 0
    for body in BODIES:
        expected = [(m.span(), m.groupdict()) for m in before.finditer(body)]
        assert [(m.span(), m.groupdict()) for m in after.finditer(body)] == expected, body
        matched += bool(expected)
    assert matched  # the bodies exercise the pattern


@pytest.mark.parametrize(
    "pattern",
    [
        r"\b(?:debited|credited)?\b",  # a repeated group first: left as it is
        r"\b(?:at|by)\s+x|\d+",  # an alternative starting with a class
        r"\b(?:m?pin|otp)(?P<after>\W)",  # a quantifier on a word's first letter
        r"\botp|x?code",  # a literal first, but a quantifier on it
        r"\b(?:a|b)?x|\bcd",  # a repeated leading group beside one that fits
        r"\b(?:m?pin|otp)(?P<after>\W)|\bcd",  # a word that does not fit beside one that does
        r"\b(?:otp|pin",  # a group never closed
        r"\bm?pin\b",  # a quantifier on the first character
        r"\botp|.code",  # one alternative without \b or a literal first
        r"\b\d{4} is your otp",  # a class first
    ],
)
def test_patterns_that_do_not_fit_are_left_unchanged(pattern: str) -> None:
    assert literal_first(pattern) == pattern


def test_top_alternatives_respect_groups_classes_and_escapes() -> None:
    assert top_alternatives(r"a(?:b|c)|[|]d|\|e|f") == ["a(?:b|c)", "[|]d", r"\|e", "f"]
    assert top_alternatives(r"[]|]x|y") == ["[]|]x", "y"]


def test_compiled_keeps_the_flags() -> None:
    pattern = compiled(r"\bcheque\b.{0,80}?\breturned\b", re.DOTALL | re.IGNORECASE)
    assert pattern.flags & re.DOTALL and pattern.flags & re.IGNORECASE
    assert pattern.search("Cheque no 12\nwas RETURNED")


def test_top_alternatives_with_a_negated_class_holding_a_bracket() -> None:
    assert top_alternatives(r"[^]|]a|b(?:c|d)|\(e|f") == ["[^]|]a", "b(?:c|d)", r"\(e", "f"]


@pytest.mark.parametrize(
    ("pattern", "written"),
    [
        (r"\bab|\bcd", r"a(?<=\ba)b|c(?<=\bc)d"),
        (r"\b(?:to|from)x", r"t(?<=\bt)ox|f(?<=\bf)romx"),
        (r"\bab|₹\d", r"a(?<=\ba)b|₹\d"),
        # a group nested in the leading one: the words end at the leading group's own ")"
        (r"\b(?:a(?:b)|c)(?P<n>d)", r"[ac](?<=\b[ac])(?:(?<=a)(?:b)|(?<=c))(?P<n>d)"),
    ],
)
def test_how_patterns_are_written(pattern: str, written: str) -> None:
    assert literal_first(pattern) == written


def test_top_alternatives_of_nested_groups_and_a_bracket_first_in_a_class() -> None:
    assert top_alternatives(r"a((b)|c)|d") == ["a((b)|c)", "d"]
    assert top_alternatives(r"[]]a|b") == ["[]]a", "b"]
    assert top_alternatives(r"[^]]a|b") == ["[^]]a", "b"]
