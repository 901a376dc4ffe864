"""NSE trading days and market hours, as plain data and functions (the schedules decide with these).

Holidays come from the `exchange-calendars` package's XBOM calendar (BSE; NSE closes on the same
days), which is kept up to date each year: upgrading the package is how a new year's list
arrives. The list has dates, not names. Past its last year (and before its first) no holiday is
known, so every weekday counts as a trading day and `calendar_note` says so: a missing holiday
costs one harmless extra fetch (prices do not move), while a guessed one could skip a real
trading day, which is worse.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from typing import NamedTuple
from zoneinfo import ZoneInfo

MARKET_OPEN = dt.time(9, 15)
MARKET_CLOSE = dt.time(15, 30)
CALENDAR_CODE = "XBOM"
# The exchange's own clock, whatever the owner's `timezone` is.
EXCHANGE_TIMEZONE = "Asia/Kolkata"


class HolidayList(NamedTuple):
    """The exchange's weekday closures, and the years the package's list covers."""

    dates: frozenset[dt.date]
    first_year: int
    last_year: int


@functools.cache
def nse_holidays() -> HolidayList:
    """The XBOM calendar's holidays, read once per process.

    Imported here, not at module load: exchange_calendars pulls pandas, and the code location
    must stay light to load. The calendar is built over its whole bounded range (never "from
    today"), so the answer does not depend on the wall clock.
    """
    import pandas as pd
    from exchange_calendars.exchange_calendar_xbom import XBOMExchangeCalendar

    with warnings.catch_warnings():
        # The package still uses a pandas API pandas 3.1 deprecates; nothing for us to act on.
        warnings.simplefilter("ignore", pd.errors.PandasDeprecationWarning)
        first, last = XBOMExchangeCalendar.bound_min(), XBOMExchangeCalendar.bound_max()
        calendar = XBOMExchangeCalendar(start=first, end=last)
    days = {stamp.date() for stamp in pd.DatetimeIndex(calendar.adhoc_holidays)}
    if calendar.regular_holidays is not None:
        days |= {stamp.date() for stamp in calendar.regular_holidays.holidays(first, last)}
    weekdays = frozenset(day for day in days if day.weekday() < 5)
    return HolidayList(weekdays, min(day.year for day in weekdays), last.year)


def is_holiday(day: dt.date) -> bool:
    """The exchange is closed on `day`, a weekday (the package's list has no holiday names)."""
    return day in nse_holidays().dates


def is_trading_day(day: dt.date) -> bool:
    """A weekday the exchange is open (outside the list's years: every weekday)."""
    return day.weekday() < 5 and not is_holiday(day)


def within_market_hours(moment: dt.datetime) -> bool:
    """`moment` in the exchange's time zone (wall clock); both ends inclusive."""
    return is_trading_day(moment.date()) and MARKET_OPEN <= moment.time() <= MARKET_CLOSE


def non_trading_reason(day: dt.date) -> str | None:
    """Why `day` has no session, in words for a schedule's skip message; None on a trading day."""
    if is_holiday(day):
        return f"NSE holiday {day.isoformat()}"
    if day.weekday() >= 5:
        return f"weekend {day.isoformat()} ({day:%A})"
    return None


def calendar_note(day: dt.date) -> str | None:
    """A warning when the holiday list does not cover `day`'s year; None when it does."""
    holidays = nse_holidays()
    if holidays.first_year <= day.year <= holidays.last_year:
        return None
    return (
        f"no NSE holiday list for {day.year} (exchange-calendars' {CALENDAR_CODE} list covers "
        f"{holidays.first_year}-{holidays.last_year}): every weekday is treated as a trading "
        "day; upgrade the exchange-calendars package"
    )


def previous_trading_day(day: dt.date) -> dt.date:
    """The last NSE trading day before `day`."""
    day -= dt.timedelta(days=1)
    while not is_trading_day(day):
        day -= dt.timedelta(days=1)
    return day


def feed_due_since(now: dt.datetime, tolerance: dt.timedelta) -> dt.datetime:
    """How new the portfolio must be at `now` (wall clock in the exchange's zone) to be fresh.

    In market hours (and for `tolerance` after the close, until the after-close run lands) the
    15-minute schedule applies: no older than `tolerance`. Otherwise prices have not moved since
    the last session closed, so the feed is fresh if it was taken after that close.
    """
    today = now.date()
    close_today = dt.datetime.combine(today, MARKET_CLOSE, tzinfo=now.tzinfo)
    if is_trading_day(today) and now.time() >= MARKET_OPEN and now <= close_today + tolerance:
        return now - tolerance
    last_session = today if is_trading_day(today) and now > close_today else None
    last_session = last_session or previous_trading_day(today)
    return dt.datetime.combine(last_session, MARKET_CLOSE, tzinfo=now.tzinfo)


# Three missed 15-minute ticks in market hours is stale (the freshness check's tolerance too).
MARKET_HOURS_TOLERANCE = dt.timedelta(minutes=45)


def next_trading_day(day: dt.date) -> dt.date:
    """The first NSE trading day after `day`."""
    day += dt.timedelta(days=1)
    while not is_trading_day(day):
        day += dt.timedelta(days=1)
    return day


def feed_stale_after(
    fetched_at: dt.datetime, tolerance: dt.timedelta = MARKET_HOURS_TOLERANCE
) -> dt.datetime:
    """When a portfolio fetched at `fetched_at` stops being fresh: the next expected fetch plus
    `tolerance`, in the exchange's zone.

    Fetched during a session (open ≤ time < close): the 15-minute schedule should replace it, so
    `fetched_at + tolerance`. Fetched outside a session: prices do not move until the next one
    opens, so that session's open + `tolerance` (the morning's first ticks may fail once).
    """
    local = fetched_at.astimezone(ZoneInfo(EXCHANGE_TIMEZONE))
    day = local.date()
    opens = dt.datetime.combine(day, MARKET_OPEN, tzinfo=local.tzinfo)
    closes = dt.datetime.combine(day, MARKET_CLOSE, tzinfo=local.tzinfo)
    if is_trading_day(day) and opens <= local < closes:
        return local + tolerance
    session = day if is_trading_day(day) and local < opens else next_trading_day(day)
    return dt.datetime.combine(session, MARKET_OPEN, tzinfo=local.tzinfo) + tolerance
