"""IndusInd Bank (formats to come; until then the generic formats apply)."""

from assets.transactions.parsing.format import Format

ISSUER = "INDUSIND"
HEADERS = ("INDUSB",)
FORMATS: tuple[Format, ...] = ()
