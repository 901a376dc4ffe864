"""Regexes rewritten so that `re` can skip ahead to where a match may start.

`re` searches a pattern that starts with a literal character, or with alternatives that each
start with one, by jumping over the text to those characters; a pattern whose alternatives
start with `\\b` gets no such jump and is tried at every position of the body, which costs
several times more on a 150-character alert. `\\bX…` and `X(?<=\\bX)…` match the same text at
the same place (the look-behind sees the boundary before X once X is read), so each such
alternative is written the second way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_LITERAL = re.compile(r"[a-z0-9 /:-]", re.IGNORECASE)
_QUANTIFIERS = ("?", "*", "+", "{")


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of each character of `pattern` from `start` that is neither escaped nor
    inside a character class: the ones that open, close and split groups."""
    at = start
    in_class = False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            at += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern.startswith("^", at + 1):
                at += 1
            if pattern.startswith("]", at + 1):  # a "]" first in a class is a member
                at += 1
        else:
            yield at, char
        at += 1


def top_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of `pattern` (groups, character classes and escapes kept)."""
    alternatives: list[str] = []
    depth = start = 0
    for at, char in _structure(pattern):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:at])
            start = at + 1
    alternatives.append(pattern[start:])
    return alternatives


def _group_end(pattern: str, start: int) -> int | None:
    """The index of the ")" closing the group opened at pattern[start], or None."""
    depth = 0
    for at, char in _structure(pattern, start):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return at
    return None


def _expanded(alternative: str) -> list[tuple[str, bool]]:
    """`\\b(?:a|b)REST` as `\\baREST`, `\\bbREST`: the same matches, tried in the same order;
    each with whether it is written already. When REST names a group (a name may appear once),
    the words stay in one group behind a class of their first letters instead:
    `[ab](?<=\\b[ab])(?:(?<=a)|(?<=b))REST` with each word's other letters after its look-behind.
    Left whole when the group is repeated."""
    if not alternative.startswith("\\b(?:"):
        return [(alternative, False)]
    end = _group_end(alternative, 2)
    if end is None:
        return [(alternative, False)]
    rest = alternative[end + 1 :]
    if rest[:1] in _QUANTIFIERS:
        return [(alternative, False)]
    words = top_alternatives(alternative[5:end])
    if "(?P" not in rest:
        return [(f"\\b{word}{rest}", False) for word in words]
    if any(not _LITERAL.fullmatch(word[:1]) or word[1:2] in _QUANTIFIERS for word in words):
        return [(alternative, False)]
    letters = "".join(re.escape(first) for first in dict.fromkeys(word[0] for word in words))
    inner = "|".join(f"(?<={re.escape(word[0])}){word[1:]}" for word in words)
    return [(f"[{letters}](?<=\\b[{letters}])(?:{inner}){rest}", True)]


_SPECIAL = frozenset(".^$*+?{}[]\\|()")


def literal_first(pattern: str) -> str:
    """`pattern` with each `\\bX…` alternative written `X(?<=\\bX)…`, when every top-level
    alternative then starts with a literal character (or a class of them); otherwise `pattern`
    unchanged.

    A leading group of words is distributed first (`\\b(?:to|from)X` → `\\btoX|\\bfromX`), and
    an alternative that already starts with a literal ("₹\\s*\\d") is kept as it is.
    """
    alternatives = [part for whole in top_alternatives(pattern) for part in _expanded(whole)]
    rewritten = []
    for alternative, ready in alternatives:
        if ready or (
            alternative and alternative[0] not in _SPECIAL and alternative[1:2] not in _QUANTIFIERS
        ):
            rewritten.append(alternative)  # a literal first already
            continue
        first = alternative[2:3]
        if not alternative.startswith("\\b") or not first or not _LITERAL.fullmatch(first):
            return pattern
        # a quantifier right after the first character would apply to the look-behind
        if alternative[3:4] in _QUANTIFIERS:
            return pattern
        rewritten.append(f"{first}(?<=\\b{first}){alternative[3:]}")
    return "|".join(rewritten)


def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile of `literal_first(pattern)`."""
    return re.compile(literal_first(pattern), flags)
