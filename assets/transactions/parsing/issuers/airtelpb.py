"""Airtel Payments Bank: headers only; the payments banks (Airtel, NSDL, Jio) share this note.

Their alerts are read by the generic layer; no format is written here, since no public source
gave a transaction alert of theirs to write one from (the one Airtel wording found is a UPI
AutoPay pre-debit notice, which the negatives refuse). Being known issuers puts their headers in
the default sender list and names the bank on what the generic layer reads.

Headers as delivered: Airtel Payments Bank `AD-AIRBNK-S` (a user's report of an AutoPay notice,
github.com/ritesh-kanwar/Cashiro/issues/43); NSDL Payments Bank `NSDLPB` and Jio Payments Bank
`JIOPBS` (github.com/sarim2000/pennywiseai-tracker/pull/507, which names both senders).
India Post Payments Bank is not listed: no public source named its header.
"""

from assets.transactions.parsing.format import Format

ISSUER = "AIRTELPB"
HEADERS = ("AIRBNK",)
FORMATS: tuple[Format, ...] = ()
