"""Readable payees: `swiggy.stores@axb` and `SWIGGY BANGALORE` are both "Swiggy".

A shipped alias table (`payees.toml` beside this module) names common Indian merchants and UPI
handles; the owner's `[[payees]]` entries in homeclerk.toml are tried first and win. A
counterparty no alias names keeps a cleaned-up form of its raw text (`clean_counterparty`):

- a UPI address (VPA) stays the address, lower-cased (`Divya.M@OKHDFC` → `divya.m@okhdfc`):
  the handle is what identifies a person, and two people may share a first name;
- a name has its spacing collapsed and stray punctuation trimmed, and an all-capitals name
  is put in title case (`RAMESH  KIRANA STORE.` → `Ramesh Kirana Store`), initialisms kept
  (`OWNER HDFC` → `Owner HDFC`, `NIMBUS SOFTLABS PVT LTD` → `Nimbus Softlabs Pvt Ltd`); mixed
  case stays.

The raw text is kept beside it (the warehouse's `counterparty`); the payee is only a label.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from assets.transactions.errors import TransactionsError

SHIPPED_FILE = Path(__file__).with_name("payees.toml")
_VPA = re.compile(r"([a-z0-9][a-z0-9._\-]*)@([a-z][a-z0-9]*)")
_WORD = re.compile(r"[a-z0-9]+")
_SPACES = re.compile(r"\s+")
_KEY = 2  # handle prefixes are indexed by this many first characters (every prefix has more)
OWNER_EXAMPLE = '{ name = "Divya Menon", match = ["divya.m@okhdfc", "DIVYA MENON"] }'


class PayeeConfigError(TransactionsError):
    """A `[[payees]]` entry that cannot be used; the message names the entry and the fix."""

    def __init__(self, index: int, problem: str) -> None:
        self.index = index
        super().__init__(f"payees[{index}]: {problem}. Example: {OWNER_EXAMPLE}")


class PayeeAlias(NamedTuple):
    """One payee and what names it.

    `vpas`: whole UPI addresses (lower case) that are this payee; `vpa_prefixes`: handle
    prefixes (the part before "@", matched at a word boundary); `vpa_regex`: a pattern the whole
    handle matches; `phrases`: word sequences searched in the text.
    """

    name: str
    vpas: tuple[str, ...] = ()
    vpa_prefixes: tuple[str, ...] = ()
    vpa_regex: str | None = None
    phrases: tuple[tuple[str, ...], ...] = ()


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def aliases_from_config(entries: Sequence[Mapping[str, Any]]) -> tuple[PayeeAlias, ...]:
    """The owner's `[[payees]]` (`name`, `match`: UPI addresses and names) as aliases.

    A `match` item with "@" is a whole UPI address; any other item is a name matched as whole
    words anywhere in the counterparty ("DIVYA MENON" matches "NEFT-DIVYA MENON-HDFC").
    Raises PayeeConfigError naming the entry and showing a valid one.
    """
    aliases = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise PayeeConfigError(index, "must be a table")
        unknown = sorted(set(entry) - {"name", "match"})
        if unknown:
            raise PayeeConfigError(index, f"unknown key {unknown[0]!r} (the keys: name, match)")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise PayeeConfigError(index, f"name is {name!r}, not a non-empty string")
        match = entry.get("match")
        if isinstance(match, str):
            match = [match]
        if not isinstance(match, list) or not match:
            raise PayeeConfigError(index, "match must be a list of UPI addresses or names")
        vpas: list[str] = []
        phrases: list[tuple[str, ...]] = []
        for item in match:
            if not isinstance(item, str) or not item.strip():
                raise PayeeConfigError(index, f"match has {item!r}, not a non-empty string")
            text = item.strip().lower()
            if "@" in text:
                if not _VPA.fullmatch(text):
                    raise PayeeConfigError(
                        index, f"match has {item!r}, which is not a UPI address (name@handle)"
                    )
                vpas.append(text)
                continue
            words = _words(text)
            if not words:
                raise PayeeConfigError(index, f"match has {item!r}, which has no letters or digits")
            phrases.append(words)
        aliases.append(PayeeAlias(name.strip(), tuple(vpas), (), None, tuple(phrases)))
    return tuple(aliases)


@lru_cache(maxsize=1)
def shipped_aliases() -> tuple[PayeeAlias, ...]:
    """The alias table shipped in `payees.toml`, in file order."""
    raw = tomllib.loads(SHIPPED_FILE.read_text("utf-8"))
    return tuple(
        PayeeAlias(
            name=e["name"],
            vpa_prefixes=tuple(p.lower() for p in e.get("vpa", ())),
            vpa_regex=e.get("vpa_regex"),
            phrases=tuple(_words(w) for w in e.get("words", ())),
        )
        for e in raw["payees"]
    )


class _Table:
    """One tier of aliases (the owner's or the shipped ones), indexed for quick lookup."""

    def __init__(self, aliases: Sequence[PayeeAlias]) -> None:
        self.vpas: dict[str, str] = {}
        # By their first letters (a handle tries a handful, not all), longest prefix first, so
        # "swiggyinstamart" is tried before "swiggy".
        self.prefixes: dict[str, list[tuple[str, str]]] = {}
        for alias in aliases:
            for prefix in alias.vpa_prefixes:
                self.prefixes.setdefault(prefix[:_KEY], []).append((prefix, alias.name))
        for options in self.prefixes.values():
            options.sort(key=lambda pn: -len(pn[0]))
        regexes = [a.vpa_regex for a in aliases if a.vpa_regex]
        self.regex_names = [a.name for a in aliases if a.vpa_regex]
        # One alternation with a named group per alias: `lastgroup` says which one matched.
        self.regex = (
            re.compile("|".join(f"(?P<p{i}>{r})" for i, r in enumerate(regexes)))
            if regexes
            else None
        )
        # First word → [(phrase, name)], longest phrase first, then table order.
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for alias in aliases:
            for vpa in alias.vpas:
                self.vpas.setdefault(vpa, alias.name)
            for phrase in alias.phrases:
                self.phrases.setdefault(phrase[0], []).append((phrase, alias.name))
        for options in self.phrases.values():
            options.sort(key=lambda pn: -len(pn[0]))

    def by_vpa(self, vpa: str, handle: str) -> str | None:
        name = self.vpas.get(vpa)
        if name is not None:
            return name
        for prefix, name in self.prefixes.get(handle[:_KEY], ()):
            if handle.startswith(prefix) and (
                len(handle) == len(prefix) or not handle[len(prefix)].isalpha()
            ):
                return name
        if self.regex is not None:
            found = self.regex.fullmatch(handle)
            if found:
                return self.regex_names[int((found.lastgroup or "p0")[1:])]
        return None

    def by_words(self, words: tuple[str, ...]) -> str | None:
        for i, word in enumerate(words):
            for phrase, name in self.phrases.get(word, ()):
                if words[i : i + len(phrase)] == phrase:
                    return name
        return None


class PayeeResolver:
    """counterparty text → readable payee, the owner's aliases before the shipped ones.

    Memoised: merchants repeat, so a first run over 100,000 alerts resolves each distinct
    counterparty once.
    """

    def __init__(
        self, owner: Sequence[PayeeAlias] = (), shipped: Sequence[PayeeAlias] | None = None
    ) -> None:
        self._tiers = (_Table(owner), _Table(shipped_aliases() if shipped is None else shipped))
        self._memo: dict[str | None, str | None] = {None: None, "": None}

    def __call__(self, counterparty: str | None) -> str | None:
        """The payee for `counterparty`: an alias's name, else the cleaned-up raw text."""
        try:
            return self._memo[counterparty]
        except KeyError:
            payee = self._memo[counterparty] = self._resolve(counterparty or "")
            return payee

    def _resolve(self, text: str) -> str | None:
        lowered = text.lower()
        vpas = _VPA.findall(lowered)
        rest = _VPA.sub(" ", lowered) if vpas else lowered
        words = _words(rest)
        for tier in self._tiers:
            for handle, domain in vpas:
                name = tier.by_vpa(f"{handle}@{domain}", handle)
                if name is not None:
                    return name
            name = tier.by_words(words)
            if name is not None:
                return name
        return clean_counterparty(text)


def clean_counterparty(text: str | None) -> str | None:
    """The raw counterparty made presentable when no alias names it (rules: module docstring)."""
    if not text:
        return None
    found = _VPA.search(text.lower())
    if found and len(found.group(0)) >= len(text.strip(" .,;:-")) - 4:
        return found.group(0)  # the text is (nearly) just the address
    cleaned = _SPACES.sub(" ", text).strip(" .,;:-/*")
    if not cleaned:
        return None
    if cleaned.isupper():
        cleaned = " ".join(_title(w) for w in cleaned.split(" "))
    return cleaned


# Words an all-capitals name keeps in capitals: bank names and other initialisms. A word with
# no vowel ("HDFC", "BPCL") is taken for one too; these have vowels.
_INITIALISMS = frozenset({"ICICI", "SBI", "IDFC", "AU", "UCO", "IOB", "BOI", "UPI", "ATM", "EMI"})
_SPELLED = {"PVT": "Pvt", "LTD": "Ltd", "MR": "Mr", "MRS": "Mrs", "MS": "Ms", "DR": "Dr"}


def _title(word: str) -> str:
    if not word.isalpha():
        return word
    if word in _SPELLED:
        return _SPELLED[word]
    if word in _INITIALISMS or not any(v in word for v in "AEIOUY"):
        return word
    return word.capitalize()


def payee_adder(resolve: PayeeResolver) -> Callable[[str], str]:
    """For `homeclerk sms parse`: a JSON output line → the same line, its transaction (if any)
    given a `payee` after its `counterparty`."""

    def add(line: str) -> str:
        record = json.loads(line)
        txn = record.get("transaction")
        if not isinstance(txn, dict):
            return line
        fields = {}
        for key, value in txn.items():
            fields[key] = value
            if key == "counterparty":
                fields["payee"] = resolve(value)
        record["transaction"] = fields
        return json.dumps(record, ensure_ascii=False)

    return add
