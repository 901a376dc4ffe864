"""IDFC FIRST Bank (formats to come; until then the generic formats apply)."""

from assets.transactions.parsing.format import Format

ISSUER = "IDFCFB"
HEADERS = ("IDFCFB",)
FORMATS: tuple[Format, ...] = ()
