"""Trading-day logic as plain functions, and the schedules' run-or-skip decisions."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import build_schedule_context, define_asset_job

from assets.portfolio.schedules import portfolio_schedules
from assets.portfolio.trading_days import (
    calendar_note,
    feed_due_since,
    is_trading_day,
    non_trading_reason,
    nse_holidays,
    previous_trading_day,
    within_market_hours,
)

IST = ZoneInfo("Asia/Kolkata")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=IST)


def test_trading_days_weekends_and_holidays() -> None:
    assert is_trading_day(dt.date(2026, 11, 23))  # a Monday
    assert not is_trading_day(dt.date(2026, 11, 22))  # Sunday
    assert not is_trading_day(dt.date(2026, 11, 24))  # Guru Nanak Jayanti, a Tuesday
    assert not is_trading_day(dt.date(2025, 10, 21))  # Diwali
    assert non_trading_reason(dt.date(2026, 11, 24)) == "NSE holiday 2026-11-24"
    assert non_trading_reason(dt.date(2026, 11, 21)) == "weekend 2026-11-21 (Saturday)"
    assert non_trading_reason(dt.date(2026, 11, 23)) is None
    assert previous_trading_day(dt.date(2026, 11, 25)) == dt.date(2026, 11, 23)


def test_market_hours_inclusive() -> None:
    assert within_market_hours(at(2026, 11, 23, 9, 15))
    assert within_market_hours(at(2026, 11, 23, 15, 30))
    assert not within_market_hours(at(2026, 11, 23, 15, 31))
    assert not within_market_hours(at(2026, 11, 23, 9, 14))
    assert not within_market_hours(at(2026, 11, 24, 11, 0))  # holiday


def test_holidays_come_from_the_maintained_calendar() -> None:
    # A closure the old hand-kept list lacked; the maintained list has it.
    assert not is_trading_day(dt.date(2026, 1, 15))
    assert non_trading_reason(dt.date(2026, 1, 15)) == "NSE holiday 2026-01-15"
    assert previous_trading_day(dt.date(2026, 1, 16)) == dt.date(2026, 1, 14)


def test_calendar_notes_for_years_the_list_does_not_cover() -> None:
    assert calendar_note(dt.date(2026, 5, 4)) is None
    assert calendar_note(dt.date(2025, 5, 4)) is None
    note = calendar_note(dt.date(2028, 5, 4)) or ""
    assert "no NSE holiday list for 2028" in note
    assert "upgrade the exchange-calendars package" in note


def test_a_year_past_the_list_does_not_raise() -> None:
    # XBOM's list ends with 2026: a 2027 weekday is a trading day (with a note), never an error.
    republic_day = dt.date(2027, 1, 26)
    assert nse_holidays().last_year == 2026  # pinned exchange-calendars==4.13.2
    assert is_trading_day(republic_day)
    assert non_trading_reason(republic_day) is None
    assert "no NSE holiday list for 2027" in (calendar_note(republic_day) or "")
    assert within_market_hours(at(2027, 1, 26, 10, 0))
    assert previous_trading_day(dt.date(2027, 1, 4)) == dt.date(2027, 1, 1)
    assert feed_due_since(at(2027, 1, 2, 12, 0), TOLERANCE) == at(2027, 1, 1, 15, 30)


def test_importing_the_module_does_not_load_pandas() -> None:
    code = (
        "import sys, assets.portfolio.trading_days; "
        "assert 'pandas' not in sys.modules and 'exchange_calendars' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


TOLERANCE = dt.timedelta(minutes=45)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (at(2026, 11, 23, 11, 0), at(2026, 11, 23, 10, 15)),  # market hours: 45 minutes
        (at(2026, 11, 23, 16, 0), at(2026, 11, 23, 15, 15)),  # before the after-close run lands
        (at(2026, 11, 23, 20, 0), at(2026, 11, 23, 15, 30)),  # evening: today's close
        (at(2026, 11, 23, 8, 30), at(2026, 11, 20, 15, 30)),  # Monday morning: Friday's close
        (at(2026, 11, 22, 12, 0), at(2026, 11, 20, 15, 30)),  # Sunday
        (at(2026, 11, 25, 9, 0), at(2026, 11, 23, 15, 30)),  # after the Tuesday holiday
    ],
)
def test_feed_due_since_follows_the_calendar(now: dt.datetime, due: dt.datetime) -> None:
    assert feed_due_since(now, TOLERANCE) == due


@pytest.fixture(scope="module")
def schedules() -> dict[str, object]:
    job = define_asset_job("portfolio_job", selection=["broker_holdings", "portfolio_feed"])
    return {s.name: s for s in portfolio_schedules(job, "Europe/London")}


def _tick(schedule, when: dt.datetime):  # type: ignore[no-untyped-def]
    with build_schedule_context(scheduled_execution_time=when) as context:
        return schedule.evaluate_tick(context)


def test_schedules_exist_with_exchange_clock(schedules) -> None:
    assert set(schedules) == {
        "portfolio_market_hours",
        "portfolio_after_close",
        "portfolio_daily",
        "broker_token_morning_check",
    }
    market = schedules["portfolio_market_hours"]
    assert market.execution_timezone == "Asia/Kolkata"
    assert schedules["portfolio_daily"].execution_timezone == "Europe/London"
    # 09:15 … 15:30 every 15 minutes is 26 ticks on a weekday, none on a weekend.
    monday = _cron_times(market.cron_schedule, dt.date(2026, 11, 23))
    assert len(monday) == 26
    assert (monday[0], monday[-1]) == (dt.time(9, 15), dt.time(15, 30))
    assert _cron_times(market.cron_schedule, dt.date(2026, 11, 22)) == []


def _cron_field(spec: str, value: int) -> bool:
    """Just enough cron for these schedules: *, */n, a-b, a,b,c."""
    for part in spec.split(","):
        if part == "*":
            return True
        if part.startswith("*/") and value % int(part[2:]) == 0:
            return True
        if "-" in part:
            low, high = map(int, part.split("-"))
            if low <= value <= high:
                return True
        elif part.isdigit() and int(part) == value:
            return True
    return False


def _cron_times(crons: str | list[str], day: dt.date) -> list[dt.time]:
    crons = [crons] if isinstance(crons, str) else crons
    times = []
    for minute_of_day in range(24 * 60):
        hour, minute = divmod(minute_of_day, 60)
        for cron in crons:
            m, h, _dom, _mon, dow = cron.split()
            weekday = (day.weekday() + 1) % 7  # cron: Sunday is 0
            if _cron_field(m, minute) and _cron_field(h, hour) and _cron_field(dow, weekday):
                times.append(dt.time(hour, minute))
                break
    return times


def test_holiday_tick_is_skipped_loudly(schedules) -> None:
    result = _tick(schedules["portfolio_market_hours"], at(2026, 11, 24, 10, 0))
    assert not result.run_requests
    assert result.skip_message.startswith("SKIPPED: NSE holiday 2026-11-24")


def test_trading_day_ticks_run(schedules) -> None:
    for name in ("portfolio_market_hours", "portfolio_after_close", "broker_token_morning_check"):
        result = _tick(schedules[name], at(2026, 11, 23, 10, 0))
        assert len(result.run_requests) == 1, name
        assert result.run_requests[0].tags["homeclerk/schedule"] == name


def test_daily_run_only_on_days_without_a_session(schedules) -> None:
    daily = schedules["portfolio_daily"]
    assert len(_tick(daily, at(2026, 11, 22, 18, 0)).run_requests) == 1  # Sunday
    assert len(_tick(daily, at(2026, 11, 24, 18, 0)).run_requests) == 1  # holiday
    skipped = _tick(daily, at(2026, 11, 23, 18, 0))
    assert not skipped.run_requests
    assert skipped.skip_message.startswith("SKIPPED: 2026-11-23 is an NSE trading day")
