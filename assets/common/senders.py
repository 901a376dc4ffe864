"""SMS sender ids: Indian DLT headers such as `VM-HDFCBK`, `AD-HDFCBK-S` or plain `HDFCBK`.

The operator/circle prefix (`VM-`, `AD-`, `JD-`…) and the category suffix (`-S` service,
`-T` transactional, `-P` promotional, `-G` government) vary per message; the six-letter header in
the middle is what identifies the bank, so matching is done on it alone.
"""

from __future__ import annotations

import re

_DLT = re.compile(r"^(?:[A-Z]{2}-)?([A-Z0-9]{6})(?:-[A-Z])?$")


def sender_header(sender: str) -> str | None:
    """The six-letter header of a DLT sender id, or None for phone numbers, e-mail and the like."""
    match = _DLT.match(sender.strip().upper())
    return match.group(1) if match else None
