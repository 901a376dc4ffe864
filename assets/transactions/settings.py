"""The parser's settings: which senders are read (`[messages] senders`), the owner's
category rules (`[[categories.rules]]`) and when learned categories are filed (`[categories]
auto_apply_confidence`), extra SMS formats, the plausible-amount ceiling and the window that links
alerts of one payment (`[sms]`), and readable payees (`[[payees]]`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assets.common.senders import EXAMPLE as SENDERS_EXAMPLE
from assets.common.senders import sender_header, sender_problem
from assets.common.settings_reader import Section, SettingsReader, SharedPaths

from .categories import CategoryConfigError, rules_from_config
from .links import DEFAULT_LINK_WINDOW_MINUTES
from .parsing import KNOWN_BANK_HEADERS, FormatConfigError, formats_from_config
from .payees import OWNER_EXAMPLE as PAYEE_EXAMPLE
from .payees import PayeeConfigError, aliases_from_config

# Every sender header the parser routes: a bank it knows is read without configuration.
DEFAULT_BANK_SENDERS = tuple(sorted(KNOWN_BANK_HEADERS))
# One entry of `[messages] senders`, as the error for a wrong one shows it.
_ENTRY_EXAMPLE = '"HDFCBK" (or "VM-HDFCBK-S", "PAYTM", "American Express")'


@dataclass(frozen=True)
class ParsingSettings:
    """What the parser reads, how it names and files what it reads, and what it holds back."""

    # `[messages] senders` (or its old name `bank_senders`) as keys: "HDFCBK", "AMERICAN EXPRESS".
    bank_senders: tuple[str, ...] = DEFAULT_BANK_SENDERS
    category_rules: tuple[Mapping[str, Any], ...] = ()
    sms_formats: tuple[Mapping[str, Any], ...] = ()
    # [sms] max_plausible_amount: above it an amount waits for `sms confirm`; None: learned.
    max_plausible_amount: float | None = None
    # [[payees]]: the owner's readable payees ({name, match}), tried before the shipped table.
    payees: tuple[Mapping[str, Any], ...] = ()
    # [categories] auto_apply_confidence: file what the learned model is this sure of; None: off.
    auto_apply_confidence: float | None = None
    # [sms] link_window_minutes: alerts of one payment arrive within it; 0 links none (links.py).
    link_window_minutes: int = DEFAULT_LINK_WINDOW_MINUTES


def read_parsing(reader: SettingsReader, shared: SharedPaths) -> ParsingSettings:
    """Read the parser's keys, each validated by the parser's own rules."""
    senders = _read_senders(reader)
    rules = reader.table_list(
        "categories.rules", example='{ pattern = "swiggy", category = "Food:Delivery" }'
    )
    _validate_with(reader, "categories.rules", lambda: rules_from_config(rules))
    confidence = _read_confidence(reader)
    formats = reader.table_list("sms.formats", example='{ sender = "XYZBNK", pattern = "…" }')
    max_amount = reader.number("sms.max_plausible_amount", 0.0, example="5000000") or None
    link_window = reader.count("sms.link_window_minutes", DEFAULT_LINK_WINDOW_MINUTES)
    _validate_with(reader, "sms.formats", lambda: formats_from_config(formats))
    payees = reader.table_list("payees", example=PAYEE_EXAMPLE)
    try:
        aliases_from_config(payees)
    except PayeeConfigError as exc:
        problem = str(exc).partition(": ")[2].partition(". Example: ")[0]
        raise reader.error(
            f"payees[{exc.index}]", f"has a problem: {problem}", PAYEE_EXAMPLE
        ) from None
    return ParsingSettings(
        bank_senders=senders,
        category_rules=tuple(rules),
        sms_formats=tuple(formats),
        max_plausible_amount=max_amount,
        payees=tuple(payees),
        auto_apply_confidence=confidence,
        link_window_minutes=link_window,
    )


_CONFIDENCE_EXAMPLE = "0.95"


def _read_confidence(reader: SettingsReader) -> float | None:
    """`[categories] auto_apply_confidence`: a number above 0 and at most 1, or absent (off)."""
    value = reader.number("categories.auto_apply_confidence", 0.0, example=_CONFIDENCE_EXAMPLE)
    if value > 1:
        raise reader.error(
            "categories.auto_apply_confidence",
            f"is {value!r}, above 1: it is a confidence from 0 to 1 (0.95 files what the learned"
            " model is at least 95 % sure of; leave it out to file nothing)",
            _CONFIDENCE_EXAMPLE,
        )
    return value or None


def _read_senders(reader: SettingsReader) -> tuple[str, ...]:
    """`[messages] senders`, or `bank_senders` (its old name), as keys in the order given.

    Entries come in any shape a sender arrives in ("VM-HDFCBK-S", "PAYTM", "American Express"):
    `assets.common.senders` reduces each to the key the ingest and the parser match on.
    """
    new = reader.get("messages.senders")
    # The old name is read only when present: it is accepted, but no longer one of the keys
    # homeclerk.example.toml has to show.
    messages = reader.raw.get("messages")
    has_old = isinstance(messages, Mapping) and "bank_senders" in messages
    old = reader.get("messages.bank_senders") if has_old else None
    if new is not None and old is not None:
        raise reader.error(
            "messages.bank_senders",
            "is the old name of `messages.senders`, which is also given: keep one list "
            "(move these entries into `senders` and delete `bank_senders`)",
            f"senders = {SENDERS_EXAMPLE}",
        )
    key = "messages.bank_senders" if old is not None else "messages.senders"
    entries = reader.string_list(key, list(DEFAULT_BANK_SENDERS), example=SENDERS_EXAMPLE)
    keys: dict[str, None] = {}
    for index, entry in enumerate(entries):
        problem = sender_problem(entry)
        header = sender_header(entry)
        if problem is not None or header is None:
            # A promotional id has a header: that alone is the fix.
            example = _ENTRY_EXAMPLE if header is None else f'"{header}"'
            raise reader.error(f"{key}[{index}]", problem or "is not a sender id", example)
        keys[header] = None
    return tuple(keys)


def _validate_with(reader: SettingsReader, key: str, build: Callable[[], object]) -> None:
    """The parser's own validation, reported against this file (it names entry and example)."""
    try:
        build()
    except (CategoryConfigError, FormatConfigError) as exc:
        raise reader.error(key, f"has a problem: {exc.summary}", exc.example) from None


SECTION = Section("parsing", read_parsing)
