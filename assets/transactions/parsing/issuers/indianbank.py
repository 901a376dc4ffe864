"""Indian Bank (formats to come; until then the generic formats apply)."""

from assets.transactions.parsing.format import Format

ISSUER = "INDIANBANK"
HEADERS = ("INDBNK",)
FORMATS: tuple[Format, ...] = ()
