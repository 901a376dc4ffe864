"""The one place homeclerk reads the wall clock, so tests and the demo can pin "now".

Everything that depends on "now" takes it as a parameter; the Dagster wrappers get it from the
`Clock` resource (`assets.common.resources`), which calls `now_utc` here.
"""

from __future__ import annotations

import datetime as dt


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant with its offset (e.g. "2026-06-30T23:59:59+05:30"), as aware UTC.

    A naive instant is refused: "now" without a zone would silently mean the machine's zone.
    """
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"clock instant {text!r} is not ISO 8601: write e.g. 2026-06-30T23:59:59+05:30"
        ) from exc
    if value.tzinfo is None:
        raise ValueError(
            f"clock instant {text!r} has no UTC offset: add one, e.g. {text}+05:30 or {text}Z"
        )
    return value.astimezone(dt.UTC)


def now_utc(frozen_at: str | None = None) -> dt.datetime:
    """The current instant as aware UTC, or `frozen_at` (ISO 8601 with offset) when given."""
    if frozen_at:
        return parse_instant(frozen_at)
    return dt.datetime.now(dt.UTC)
