"""ISO weeks ("2026-W47") and the weekly partitions' keys (the Monday, "2026-11-16")."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple
from zoneinfo import ZoneInfo

_ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})")


class Week(NamedTuple):
    """Monday to Sunday; `start` is the partition key's date."""

    start: dt.date

    @property
    def end(self) -> dt.date:
        """The Sunday (inclusive)."""
        return self.start + dt.timedelta(days=6)

    @property
    def key(self) -> str:
        """The Dagster partition key: the Monday as YYYY-MM-DD."""
        return self.start.isoformat()

    @property
    def iso(self) -> str:
        """The ISO week name, e.g. 2026-W47 (the ISO year can differ from the Monday's)."""
        year, number, _ = self.start.isocalendar()
        return f"{year}-W{number:02d}"

    def days(self) -> list[dt.date]:
        """The week's seven dates, Monday first."""
        return [self.start + dt.timedelta(days=n) for n in range(7)]

    def bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[Monday 00:00, next Monday 00:00) in `tz`, as aware datetimes."""
        start = dt.datetime.combine(self.start, dt.time(0), tz)
        return start, dt.datetime.combine(self.start + dt.timedelta(days=7), dt.time(0), tz)

    def shifted(self, weeks: int) -> Week:
        """The week `weeks` later (earlier when negative)."""
        return Week(self.start + dt.timedelta(weeks=weeks))


def parse_iso_week(text: str) -> Week:
    """'2026-W45' → its Week; a clear error naming the input and the expected form otherwise."""
    match = _ISO_WEEK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"week {text!r} is not an ISO week: write it as YYYY-Www, e.g. 2026-W45")
    year, number = int(match[1]), int(match[2])
    try:
        return Week(dt.date.fromisocalendar(year, number, 1))
    except ValueError:
        raise ValueError(
            f"week {text!r} does not exist: {year} has "
            f"{dt.date(year, 12, 28).isocalendar()[1]} ISO weeks"
        ) from None


def week_of_key(key: str) -> Week:
    """The Week a partition key (its Monday, YYYY-MM-DD) names."""
    day = dt.date.fromisoformat(key)
    if day.weekday() != 0:
        raise ValueError(f"partition key {key!r} is not a Monday")
    return Week(day)


def week_containing(day: dt.date) -> Week:
    """The Monday-to-Sunday week `day` falls in."""
    return Week(day - dt.timedelta(days=day.weekday()))


def weeks_between(first: Week, last: Week) -> list[Week]:
    """Every week from `first` to `last`, both included; an error when they are reversed."""
    if last.start < first.start:
        raise ValueError(f"--from {first.iso} is after --to {last.iso}: swap them")
    return [first.shifted(n) for n in range((last.start - first.start).days // 7 + 1)]


def outside_partitions(
    weeks: list[Week], first: Week, now: dt.datetime, tz: ZoneInfo
) -> str | None:
    """Why some of `weeks` have no partition (one line naming the weeks that exist: `first` to
    the week in progress at `now` in `tz`), or None when all of them have one."""
    last = week_containing(now.astimezone(tz).date())
    outside = [w for w in weeks if not first.start <= w.start <= last.start]
    if not outside:
        return None
    named = outside[0].iso if len(outside) == 1 else f"{outside[0].iso} to {outside[-1].iso}"
    return (
        f"no weekly review can exist for {named}: reviews exist from {first.iso} to "
        f"{last.iso} (the week in progress); pick a week in that range"
    )
