"""NSE trading days and market hours, as plain data and functions (the schedules decide with these).

Holidays are the weekday closures of NSE's equity segment from its yearly circulars. 2027 is
provisional: NSE publishes a year's list in December, so only dates fixed by law or by the
calendar are in it yet. A missing holiday costs one harmless extra fetch (prices do not move); a
wrongly listed one would skip a real trading day, which is worse, so nothing is guessed.
"""

from __future__ import annotations

import datetime as dt

MARKET_OPEN = dt.time(9, 15)
MARKET_CLOSE = dt.time(15, 30)

NSE_HOLIDAYS: dict[dt.date, str] = {
    # 2025
    dt.date(2025, 2, 26): "Mahashivratri",
    dt.date(2025, 3, 14): "Holi",
    dt.date(2025, 3, 31): "Id-Ul-Fitr (Ramadan Eid)",
    dt.date(2025, 4, 10): "Shri Mahavir Jayanti",
    dt.date(2025, 4, 14): "Dr. Baba Saheb Ambedkar Jayanti",
    dt.date(2025, 4, 18): "Good Friday",
    dt.date(2025, 5, 1): "Maharashtra Day",
    dt.date(2025, 8, 15): "Independence Day",
    dt.date(2025, 8, 27): "Ganesh Chaturthi",
    dt.date(2025, 10, 2): "Mahatma Gandhi Jayanti / Dussehra",
    dt.date(2025, 10, 21): "Diwali Laxmi Pujan",
    dt.date(2025, 10, 22): "Diwali Balipratipada",
    dt.date(2025, 11, 5): "Prakash Gurpurb Sri Guru Nanak Dev",
    dt.date(2025, 12, 25): "Christmas",
    # 2026
    dt.date(2026, 1, 26): "Republic Day",
    dt.date(2026, 3, 3): "Holi",
    dt.date(2026, 3, 26): "Shri Ram Navami",
    dt.date(2026, 3, 31): "Shri Mahavir Jayanti",
    dt.date(2026, 4, 3): "Good Friday",
    dt.date(2026, 4, 14): "Dr. Baba Saheb Ambedkar Jayanti",
    dt.date(2026, 5, 1): "Maharashtra Day",
    dt.date(2026, 5, 28): "Bakri Id",
    dt.date(2026, 6, 26): "Muharram",
    dt.date(2026, 9, 14): "Ganesh Chaturthi",
    dt.date(2026, 10, 2): "Mahatma Gandhi Jayanti",
    dt.date(2026, 10, 20): "Dussehra",
    dt.date(2026, 11, 10): "Diwali Balipratipada",
    dt.date(2026, 11, 24): "Prakash Gurpurb Sri Guru Nanak Dev",
    dt.date(2026, 12, 25): "Christmas",
    # 2027 (provisional: fixed-date holidays on weekdays only, see the module note)
    dt.date(2027, 1, 26): "Republic Day",
    dt.date(2027, 3, 26): "Good Friday",
    dt.date(2027, 4, 14): "Dr. Baba Saheb Ambedkar Jayanti",
}
PUBLISHED_YEARS = frozenset({2025, 2026})
KNOWN_YEARS = frozenset({2025, 2026, 2027})


def holiday_name(day: dt.date) -> str | None:
    return NSE_HOLIDAYS.get(day)


def is_trading_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in NSE_HOLIDAYS


def within_market_hours(moment: dt.datetime) -> bool:
    """`moment` in the exchange's time zone (wall clock); both ends inclusive."""
    return is_trading_day(moment.date()) and MARKET_OPEN <= moment.time() <= MARKET_CLOSE


def non_trading_reason(day: dt.date) -> str | None:
    """Why `day` has no session, in words for a schedule's skip message; None on a trading day."""
    name = holiday_name(day)
    if name:
        return f"NSE holiday {day.isoformat()} ({name})"
    if day.weekday() >= 5:
        return f"weekend {day.isoformat()} ({day:%A})"
    return None


def calendar_note(day: dt.date) -> str | None:
    """A warning when the holiday list cannot be trusted for `day`'s year."""
    if day.year not in KNOWN_YEARS:
        return (
            f"no NSE holiday list for {day.year}: every weekday is treated as a trading day; "
            "add the year's holidays to assets/portfolio/trading_days.py"
        )
    if day.year not in PUBLISHED_YEARS:
        return (
            f"the NSE holiday list for {day.year} is provisional; update "
            "assets/portfolio/trading_days.py from NSE's circular"
        )
    return None


def previous_trading_day(day: dt.date) -> dt.date:
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
