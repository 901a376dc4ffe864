"""Jio Payments Bank: headers only (see airtelpb.py for why there are no formats)."""

from assets.transactions.parsing.format import Format

ISSUER = "JIOPB"
HEADERS = ("JIOPBS",)
FORMATS: tuple[Format, ...] = ()
