"""YES BANK (formats to come; until then the generic formats apply)."""

from assets.transactions.parsing.format import Format

ISSUER = "YESBNK"
HEADERS = ("YESBNK",)
FORMATS: tuple[Format, ...] = ()
