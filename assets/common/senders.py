"""SMS sender ids and the one key they are matched on: the brand or header they name.

Indian carriers deliver commercial SMS from a DLT header, a brand name registered by the
business, shown with an operator/circle prefix (`VM-`, `AD-`, `JX-`: operator letter, circle
letter) and, since 6 May 2025 (TRAI TCCCPR second amendment), a category suffix: `-S` service,
`-T` transactional, `-P` promotional (and the former "service explicit"), `-G` government. The
registered header is six characters, but real alerts also arrive from short brand names (`PAYTM`,
`CRED`), longer alphanumeric ids (`AMAZONPAY`: a GSM alphanumeric sender holds up to 11
characters) and names with spaces (`American Express`, as some devices and foreign carriers
show them). The prefix and suffix vary per message; the brand in the middle is what identifies
the sender, so the ingest's filter, the settings and the parser all match on `sender_header`.

Phone numbers, short codes, numeric (promotional) headers and e-mail addresses have no key:
homeclerk never reads an alert from one (look-alike alerts from those are phishing more often
than not). A `-P` sender is never a bank's alert: TRAI's promotional category carries offers,
and alerts go out as service (`-S`) or transactional (`-T`) messages.
"""

from __future__ import annotations

import re

# A sender id without spaces: operator prefix, the header or brand (3-11 letters and digits: the
# GSM alphanumeric limit is 11), category suffix.
_PLAIN = re.compile(r"(?:[A-Z]{2}-)?([A-Z0-9&]{3,11})(?:-([STPG]))?")
# A name with spaces (a card company's), up to 30 characters: no prefix or suffix comes with one.
_SPACED = re.compile(r"[A-Z0-9&]+(?: [A-Z0-9&]+)+")
_MAX_SPACED = 30
# At least one letter: digits alone are a phone number, a short code or a numeric header.
_LETTER = re.compile(r"[A-Z]")
_SPACES = re.compile(r"\s+")

ACCEPTED = (
    'a header or brand name, alone or as delivered ("HDFCBK", "VM-HDFCBK-S", "PAYTM", '
    '"AMAZONPAY"), or a name with spaces ("American Express")'
)
EXAMPLE = '["HDFCBK", "VM-HDFCBK-S", "PAYTM", "American Express"]'


def _split(sender: str) -> tuple[str, str | None] | None:
    """(key, category letter or None) of a sender id, or None when it names no brand."""
    text = sender.strip().upper()
    plain = _PLAIN.fullmatch(text)
    if plain is not None:
        return (plain[1], plain[2]) if _LETTER.search(plain[1]) else None
    text = _SPACES.sub(" ", text)
    if len(text) <= _MAX_SPACED and _SPACED.fullmatch(text) and _LETTER.search(text):
        return text, None
    return None


def sender_header(sender: str) -> str | None:
    """The key of a sender id: its header or brand, upper case, prefix and suffix removed.

    `VM-HDFCBK-S` and `HDFCBK` → `HDFCBK`; `JM-PAYTM-T` → `PAYTM`; `American  Express` →
    `AMERICAN EXPRESS`. None for phone numbers, short codes, numeric headers and e-mail.
    """
    split = _split(sender)
    return split[0] if split else None


def alert_key(sender: str) -> str | None:
    """The key of a sender id whose SMS may be an alert; None for a promotional (-P) one too."""
    split = _split(sender)
    return split[0] if split is not None and split[1] != "P" else None


def is_alert_sender(sender: str) -> bool:
    """Whether an SMS from this sender id may be an alert: it has a key and is not promotional."""
    return alert_key(sender) is not None


def sender_problem(entry: str) -> str | None:
    """Why a configured sender entry is refused (one clause naming what is accepted), or None."""
    text = entry.strip()
    split = _split(text)
    if split is not None:
        if split[1] == "P":
            return (
                f"is {entry!r}, a promotional (-P) sender: banks send alerts as service (-S) or "
                "transactional (-T) messages, so give the header alone"
            )
        return None
    upper = text.upper()
    digits = re.sub(r"^[A-Z]{2}-|[\s()+-]", "", upper)
    if "@" in text:
        kind = "an e-mail address"
    elif digits.isdigit():
        kind = "a phone number, short code or numeric header"
    elif re.match(r"^(?:[A-Z]{2}-)?[A-Z0-9]+-[A-Z]$", upper):
        kind = f"its suffix -{upper[-1]} is not a DLT category (-S, -T, -P, -G)"
    else:
        kind = "not a sender id"
    return (
        f"is {entry!r} ({kind}); homeclerk reads alerts only from {ACCEPTED}, never from "
        "phone numbers, short codes or e-mail"
    )
