"""A power outage as a notification incident: open while the machine runs on battery, cleared
when mains power is back (or the samples stop: what happened then is unknown, and the stale
power feed says so on its own)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from assets.notify.incidents import Problem

from .feed import find_outages

OUTAGE_KEY = "power:outage"
# An outage started this long ago is still the one going on (a day of samples is ample).
LOOKBACK = dt.timedelta(days=1)


def outage_problems(
    samples: Sequence[dict[str, Any]], now: dt.datetime, tz: ZoneInfo
) -> dict[str, Problem]:
    """`power:outage` → the message, when the newest outage in `samples` is going on at `now`."""
    ongoing = [o for o in find_outages(samples, now) if o["ongoing"]]
    if not ongoing:
        return {}
    outage = ongoing[-1]
    start = dt.datetime.fromisoformat(outage["start"]).astimezone(tz)
    charge = outage["lowest_charge_percent"]
    source = "UPS" if outage["source"] == "ups" else "battery"
    return {
        OUTAGE_KEY: Problem(
            "Power outage",
            f"On {source} since {start:%a %d %b %H:%M}"
            + (f"; charge down to {charge:.0f} %" if charge is not None else "")
            + ".",
            urgent=True,
        )
    }
