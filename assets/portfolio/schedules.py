"""When the portfolio refreshes: every 15 minutes in NSE market hours, once after the close, once a
day on days without a session, and a token check before the open.

Market-bound schedules run on the exchange's clock (Asia/Kolkata) whatever the configured time zone,
because NSE opens at 09:15 IST wherever the owner lives; the once-a-day run on days without a
session uses the configured zone. Every skip says why, starting with "SKIPPED:".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
)

from assets.portfolio.trading_days import (
    EXCHANGE_TIMEZONE,
    calendar_note,
    is_trading_day,
    non_trading_reason,
)

# 09:15, 09:30 … 15:30 IST: three cron lines because the window starts and ends off the hour.
MARKET_HOURS_CRON = ["15,30,45 9 * * 1-5", "*/15 10-14 * * 1-5", "0,15,30 15 * * 1-5"]
AFTER_CLOSE_CRON = "45 15 * * 1-5"
TOKEN_CHECK_CRON = "30 8 * * 1-5"
OFF_DAY_CRON = "0 18 * * *"


def _exchange_day(context: ScheduleEvaluationContext) -> dt.date:
    moment = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(EXCHANGE_TIMEZONE)).date()


def _on_trading_days(name: str) -> Callable[[ScheduleEvaluationContext], Any]:
    def evaluate(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
        day = _exchange_day(context)
        reason = non_trading_reason(day)
        if reason:
            context.log.info(f"SKIPPED: {reason}")
            return SkipReason(f"SKIPPED: {reason}: no NSE session")
        note = calendar_note(day)
        if note:
            context.log.warning(note)
        return RunRequest(tags={"homeclerk/schedule": name})

    return evaluate


def _on_non_trading_days(name: str) -> Callable[[ScheduleEvaluationContext], Any]:
    def evaluate(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
        day = _exchange_day(context)
        if is_trading_day(day):
            message = (
                f"SKIPPED: {day.isoformat()} is an NSE trading day; the market-hours and "
                "after-close runs cover it"
            )
            context.log.info(message)
            return SkipReason(message)
        return RunRequest(tags={"homeclerk/schedule": name})

    return evaluate


def portfolio_schedules(
    job_or_selection: Any,
    timezone: str = EXCHANGE_TIMEZONE,
    token_check_target: Any = None,
    default_status: DefaultScheduleStatus = DefaultScheduleStatus.RUNNING,
) -> list[ScheduleDefinition]:
    """The four portfolio schedules for a job (or an asset selection) that refreshes the feed.

    The morning check runs `token_check_target` if given, else the same job: a holdings fetch
    before the open fails with `token_expired` exactly when the session needs a new login.
    """
    ZoneInfo(timezone)  # fail at load time on a misspelt zone, not at the first tick
    target = job_or_selection
    specs = [
        (
            "portfolio_market_hours",
            MARKET_HOURS_CRON,
            EXCHANGE_TIMEZONE,
            target,
            _on_trading_days,
            "Every 15 minutes, 09:15-15:30 IST, on NSE trading days.",
        ),
        (
            "portfolio_after_close",
            AFTER_CLOSE_CRON,
            EXCHANGE_TIMEZONE,
            target,
            _on_trading_days,
            "Once after the close (15:45 IST) on NSE trading days: the day's closing prices.",
        ),
        (
            "portfolio_daily",
            OFF_DAY_CRON,
            timezone,
            target,
            _on_non_trading_days,
            "Once a day (18:00) on weekends and NSE holidays.",
        ),
        (
            "broker_token_morning_check",
            TOKEN_CHECK_CRON,
            EXCHANGE_TIMEZONE,
            token_check_target or target,
            _on_trading_days,
            "08:30 IST on trading days: finds an expired broker session before the open.",
        ),
    ]
    return [
        ScheduleDefinition(
            name=name,
            cron_schedule=cron,
            execution_timezone=zone,
            target=schedule_target,
            execution_fn=make_fn(name),
            description=description,
            default_status=default_status,
        )
        for name, cron, zone, schedule_target, make_fn, description in specs
    ]
