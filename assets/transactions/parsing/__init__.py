"""Indian bank SMS alerts → transactions. Field rules: docs/parser.md."""

from assets.transactions.parsing.core import (
    KNOWN_BANK_HEADERS,
    issuer_for_sender,
    parse_grouped,
    parse_message,
)
from assets.transactions.parsing.format import Format, FormatConfigError, formats_from_config

__all__ = [
    "KNOWN_BANK_HEADERS",
    "Format",
    "FormatConfigError",
    "formats_from_config",
    "issuer_for_sender",
    "parse_grouped",
    "parse_message",
]
