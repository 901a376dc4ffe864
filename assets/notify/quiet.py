"""Quiet hours: a daily window in the owner's time zone when messages wait instead of going out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    """From `start` to `end` each day (local wall time); `end` before `start` spans midnight."""

    start: dt.time
    end: dt.time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_quiet_hours(text: str) -> QuietHours:
    """The window "22:00-07:00" as QuietHours; ValueError saying what is wrong."""
    match = _WINDOW.match(text)
    if not match:
        raise ValueError(f"is {text!r}, not a window HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"is {text!r}: hours are 00-23 and minutes 00-59")
    if (h1, m1) == (h2, m2):
        raise ValueError(f"is {text!r}: the window starts and ends at the same minute")
    return QuietHours(dt.time(h1, m1), dt.time(h2, m2))


def quiet_until(quiet: QuietHours | None, now: dt.datetime, tz: ZoneInfo) -> dt.datetime | None:
    """When the quiet window `now` (aware) falls in ends (aware UTC); None outside the window."""
    if quiet is None:
        return None
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside = quiet.start <= clock < quiet.end
        end_day = local.date()
    else:  # spans midnight: 22:00-07:00
        inside = clock >= quiet.start or clock < quiet.end
        end_day = local.date() + dt.timedelta(days=1) if clock >= quiet.start else local.date()
    if not inside:
        return None
    return dt.datetime.combine(end_day, quiet.end, tzinfo=tz).astimezone(dt.UTC)
