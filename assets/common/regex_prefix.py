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

_LITERAL = re.compile(r"[a-z0-9 /:-]", re.IGNORECASE)


def top_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of `pattern` (groups, character classes and escapes kept)."""
    alternatives: list[str] = []
    depth = start = 0
    at = 0
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
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:at])
            start = at + 1
        at += 1
    alternatives.append(pattern[start:])
    return alternatives


def literal_first(pattern: str) -> str:
    """`pattern` with each `\\bX…` alternative written `X(?<=\\bX)…`, when every top-level
    alternative starts with `\\b` and a literal character; otherwise `pattern` unchanged."""
    alternatives = top_alternatives(pattern)
    rewritten = []
    for alternative in alternatives:
        first = alternative[2:3]
        if not alternative.startswith("\\b") or not first or not _LITERAL.fullmatch(first):
            return pattern
        # a quantifier right after the first character would apply to the look-behind
        if alternative[3:4] in ("?", "*", "+", "{"):
            return pattern
        rewritten.append(f"{first}(?<=\\b{first}){alternative[3:]}")
    return "|".join(rewritten)


def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile of `literal_first(pattern)`."""
    return re.compile(literal_first(pattern), flags)
