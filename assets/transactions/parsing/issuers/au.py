"""AU Small Finance Bank (formats to come; until then the generic formats apply)."""

from assets.transactions.parsing.format import Format

ISSUER = "AU"
HEADERS = ("AUBANK",)
FORMATS: tuple[Format, ...] = ()
