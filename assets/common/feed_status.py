"""A feed's status as of now: the one rule every reader of a feed file applies.

A feed's `status` is decided when the file is written, but a file nobody rewrites (the service
stopped, the sampler died) would say `ok` forever. So each feed also carries, from the moment it
is written:

- `stale_after`: the ISO 8601 instant after which its data is older than the source's cadence
  allows (power: the newest sample + its refresh cadence, 3 min on battery or an hour on AC,
  + 5 min; expenses: the newest bank SMS + the quiet-source threshold; portfolio: the next
  expected broker fetch + 45 min by the NSE schedule); null when the feed has no data to go
  stale;
- `stale_reason`: what `message` says once that instant has passed, e.g. "no new sample since
  2027-05-03 10:02 (one a minute; the feed is refreshed every 3 min on battery) …".

The rule (`status_as_of`): a feed whose `status` is `ok` and whose `stale_after` has passed
(is before `now`) is `stale`, with `stale_reason` as its `message`. Any other status (`no_data`,
`stale`, …) was already decided with its own message and stays as it is. The feed server applies
this to every request; a dashboard reading the file directly applies the same rule (this
function, or its three lines in the dashboard's own language). The file is never rewritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

STATUS_OK = "ok"
STATUS_STALE = "stale"


def status_as_of(feed: Mapping[str, Any], now: dt.datetime) -> tuple[Any, Any]:
    """(status, message) of `feed` (a parsed feed file) as of `now` (aware)."""
    status, message = feed.get("status"), feed.get("message")
    if status != STATUS_OK:
        return status, message
    raw = feed.get("stale_after")
    if raw is None:
        return status, message  # nothing in it can go stale (no data yet)
    until = _instant(raw)
    if until is None:
        return STATUS_STALE, f"the feed's stale_after {raw!r} is not an ISO 8601 instant"
    if now <= until:
        return status, message
    return STATUS_STALE, feed.get("stale_reason") or f"not refreshed since {raw}"


def feed_as_of(feed: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """A copy of `feed` with `status` and `message` as of `now` (everything else unchanged)."""
    status, message = status_as_of(feed, now)
    return {**feed, "status": status, "message": message}


def _instant(value: Any) -> dt.datetime | None:
    """`stale_after` as an aware instant; None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def iso_instant(moment: dt.datetime) -> str:
    """An instant as feeds write it: ISO 8601, UTC, whole seconds."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
