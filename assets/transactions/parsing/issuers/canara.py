"""Canara Bank (formats to come; until then the generic formats apply)."""

from assets.transactions.parsing.format import Format

ISSUER = "CANARA"
HEADERS = ("CANBNK",)
FORMATS: tuple[Format, ...] = ()
