"""The parser's settings: which senders are banks (`[messages] bank_senders`), the owner's
category rules (`[[categories.rules]]`), extra SMS formats and the plausible-amount ceiling
(`[sms]`) and readable payees (`[[payees]]`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assets.common.settings_reader import Section, SettingsReader, SharedPaths

from .categories import CategoryConfigError, rules_from_config
from .parsing import KNOWN_BANK_HEADERS, FormatConfigError, formats_from_config
from .payees import OWNER_EXAMPLE as PAYEE_EXAMPLE
from .payees import PayeeConfigError, aliases_from_config

# Every sender header the parser routes: a bank it knows is read without configuration.
DEFAULT_BANK_SENDERS = tuple(sorted(KNOWN_BANK_HEADERS))

_HEADER = re.compile(r"^[A-Z0-9]{6}$")


@dataclass(frozen=True)
class ParsingSettings:
    """What the parser reads, how it names and files what it reads, and what it holds back."""

    bank_senders: tuple[str, ...] = DEFAULT_BANK_SENDERS
    category_rules: tuple[Mapping[str, Any], ...] = ()
    sms_formats: tuple[Mapping[str, Any], ...] = ()
    # [sms] max_plausible_amount: above it an amount waits for `sms confirm`; None: learned.
    max_plausible_amount: float | None = None
    # [[payees]]: the owner's readable payees ({name, match}), tried before the shipped table.
    payees: tuple[Mapping[str, Any], ...] = ()


def read_parsing(reader: SettingsReader, shared: SharedPaths) -> ParsingSettings:
    """Read the parser's keys, each validated by the parser's own rules."""
    senders = reader.string_list(
        "messages.bank_senders", list(DEFAULT_BANK_SENDERS), example='["HDFCBK", "ICICIB"]'
    )
    for index, header in enumerate(senders):
        if not _HEADER.match(header.upper()):
            raise reader.error(
                f"messages.bank_senders[{index}]",
                f"is {header!r}: give the six-letter DLT header, without the VM-/AD- prefix "
                "or -S suffix",
                '"HDFCBK" (for VM-HDFCBK, AD-HDFCBK-S, …)',
            )
    rules = reader.table_list(
        "categories.rules", example='{ pattern = "swiggy", category = "Food:Delivery" }'
    )
    _validate_with(reader, "categories.rules", lambda: rules_from_config(rules))
    formats = reader.table_list("sms.formats", example='{ sender = "XYZBNK", pattern = "…" }')
    max_amount = reader.number("sms.max_plausible_amount", 0.0, example="5000000") or None
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
        bank_senders=tuple(s.upper() for s in senders),
        category_rules=tuple(rules),
        sms_formats=tuple(formats),
        max_plausible_amount=max_amount,
        payees=tuple(payees),
    )


def _validate_with(reader: SettingsReader, key: str, build: Callable[[], object]) -> None:
    """The parser's own validation, reported against this file (it names entry and example)."""
    try:
        build()
    except (CategoryConfigError, FormatConfigError) as exc:
        text = str(exc)
        problem, _, example = text.partition(". Example: ")
        raise reader.error(key, f"has a problem: {problem}", example or text) from None


SECTION = Section("parsing", read_parsing)
