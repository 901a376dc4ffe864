"""Union Bank of India (formats to come; until then the generic formats apply)."""

from assets.transactions.parsing.format import Format

ISSUER = "UNION"
HEADERS = ("UNIONB",)
FORMATS: tuple[Format, ...] = ()
