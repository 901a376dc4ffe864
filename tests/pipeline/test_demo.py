"""`homeclerk demo` end to end, as a user runs it: a subprocess, a fresh folder, real files."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    DagsterInstance,
    Failure,
    asset,
    asset_check,
    materialize,
)

from pipeline.commands import own_command
from pipeline.demo.messages import IST, generate_demo_messages
from pipeline.demo.run import demo_instant, judge_events

SEED = 11
# The demo judges its data as of its own end date, so any past date works: a fixed one, and
# one relative to the day the suite runs (whatever the calendar says then).
ENDS = [dt.date(2026, 1, 31), dt.date.today() - dt.timedelta(days=45)]


class Demo(NamedTuple):
    folder: Path
    end: dt.date
    stdout: str


@pytest.fixture(scope="module", params=ENDS, ids=["2026-01-31", "45-days-ago"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    end: dt.date = request.param
    folder = tmp_path_factory.mktemp("demo") / "demo"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "demo",
            "--dir",
            str(folder),
            "--seed",
            str(SEED),
            "--end-date",
            end.isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**_clean_env(), "HOME": str(folder.parent)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "homeclerk demo finished" in result.stdout
    assert f"data as of {end.isoformat()}T23:59:59+05:30" in result.stdout
    assert str(folder / "data" / "feeds" / "expenses.json") in result.stdout
    return Demo(folder, end, result.stdout)


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}


def truth(end: dt.date) -> list:
    return [m for m in generate_demo_messages(end, seed=SEED) if m.is_bank_transaction]


def test_every_alert_becomes_one_transaction(demo: Demo) -> None:
    with duckdb.connect(str(demo.folder / "data" / "warehouse.duckdb"), read_only=True) as con:
        got = con.execute(
            "SELECT count(*), sum(amount) FILTER (WHERE direction = 'debit') "
            "FROM transactions WHERE status = 'transaction'"
        ).fetchone()
        otps = con.execute("SELECT count(*) FROM sms_messages WHERE body ILIKE '%OTP%'").fetchone()
        unrecognized = con.execute(
            "SELECT count(*) FROM transactions WHERE status = 'unrecognized'"
        ).fetchone()
    alerts = truth(demo.end)
    assert got[0] == len(alerts)
    assert got[1] == sum(m.amount for m in alerts if m.direction == "debit")
    assert otps[0] == 0  # dropped before storage
    # Only the demo's wallet payments, in a wording left for `homeclerk sms suggest` to teach.
    unknown = [m for m in generate_demo_messages(demo.end, seed=SEED) if m.unknown_shape]
    assert unknown and unrecognized[0] == len(unknown)


def test_power_feed_shows_the_demo_outages_and_gap(demo: Demo) -> None:
    feed = json.loads((demo.folder / "data" / "feeds" / "power.json").read_text())
    assert (feed["schema"], feed["status"]) == ("homeclerk.power/1", "ok")
    assert [o["ongoing"] for o in feed["outages"]] == [False, True]
    assert len(feed["gaps"]) == 1 and feed["health"]["cycle_count"] == 412
    assert list((demo.folder / "data" / "power").glob("samples-*.jsonl"))


def test_expenses_feed_totals_match_the_alerts(demo: Demo) -> None:
    feed = json.loads((demo.folder / "data" / "feeds" / "expenses.json").read_text())
    assert feed["schema"] == "homeclerk.expenses/1"
    assert feed["status"] == "ok"
    # The feed is as of the demo's end date: its month is the end date's month, and what it
    # calls spending plus transfers must equal the demo's own debits in that month.
    assert feed["periods"]["today"]["from"] == demo.end.isoformat()
    month = feed["periods"]["this_month"]
    assert month["from"] == demo.end.replace(day=1).isoformat()
    assert month["to"] == demo.end.isoformat()
    alerts = truth(demo.end)
    in_month = [m for m in alerts if m.sent_at.astimezone(IST).date() >= demo.end.replace(day=1)]
    assert in_month
    both = Decimal(str(month["debit"])) + Decimal(str(month["transfers"]["debit"]))
    assert both == sum((m.amount for m in in_month if m.direction == "debit"), Decimal(0))
    newest = max(m.sent_at for m in alerts)
    assert dt.datetime.fromisoformat(feed["as_of"]) >= newest.replace(microsecond=0)
    newest_alert = max(alerts, key=lambda m: m.sent_at)
    assert Decimal(str(feed["recent"][0]["amount"])) == newest_alert.amount
    assert feed["recent"][0]["direction"] == newest_alert.direction
    accounts = {b["account"] for b in feed["balances"]}
    assert accounts == {"XX1276", "XX703"}
    assert all(len(r["account"]) <= 6 for r in feed["recent"] if r["account"])


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("mine")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "demo", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=_clean_env(),
    )
    assert result.returncode != 0
    assert "not made by `homeclerk demo`" in result.stderr
    assert (tmp_path / "precious.txt").read_text() == "mine"


def test_closing_lines_work_pasted_where_homeclerk_is_not_on_path(demo: Demo) -> None:
    lines = [ln.strip() for ln in demo.stdout.splitlines() if ln.rstrip().endswith("3000")]
    (ui_line,) = lines
    command = shlex.split(ui_line.split("#")[0])
    assert command[-1] == "ui" and Path(command[0]).is_absolute()
    # Pasted into a shell whose PATH has no homeclerk: the same words, asking for help instead
    # of starting the UI.
    pasted = shlex.join([*command[:-1], "--help"])
    result = subprocess.run(
        ["/bin/sh", "-c", pasted],
        cwd=demo.folder.parent,  # not the source tree: nothing importable by accident
        capture_output=True,
        text=True,
        timeout=120,
        env={**_clean_env(), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "usage: homeclerk" in result.stdout
    # The always-on service is offered with the same command.
    (serve_line,) = [
        ln.strip() for ln in demo.stdout.splitlines() if ln.rstrip().endswith(" serve")
    ]
    assert shlex.split(serve_line) == [*command[:-1], "serve"]


def test_own_command_is_the_running_script_else_python_m(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "homeclerk"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    assert own_command(str(script)) == str(script)
    other = own_command(str(tmp_path / "pipeline" / "cli.py"), python="/opt/py 3/bin/python")
    assert other == "'/opt/py 3/bin/python' -m pipeline.cli"


def test_warning_checks_warn_and_failures_carry_their_own_explanation() -> None:
    @asset
    def fine() -> None:
        return None

    @asset_check(asset=fine)
    def only_a_warning() -> AssetCheckResult:
        return AssetCheckResult(
            passed=False, severity=AssetCheckSeverity.WARN, description="source is quiet"
        )

    @asset_check(asset=fine)
    def a_real_error() -> AssetCheckResult:
        return AssetCheckResult(passed=False, description="books do not balance")

    @asset(deps=[fine])
    def broken() -> None:
        raise Failure(description="chat.db unreadable: grant Full Disk Access")

    result = materialize(
        [fine, broken, only_a_warning, a_real_error],
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    failed, warnings = judge_events(result.all_events)
    assert warnings == ["check fine:only_a_warning: source is quiet"]
    assert sorted(failed) == [
        "check fine:a_real_error: books do not balance",
        "step broken: chat.db unreadable: grant Full Disk Access",
    ]


def test_demo_instant_is_the_end_of_a_past_end_date_else_now() -> None:
    now = dt.datetime(2027, 12, 5, 10, 0, tzinfo=dt.UTC)
    assert demo_instant(dt.date(2027, 10, 21), now) == dt.datetime(
        2027, 10, 21, 23, 59, 59, tzinfo=IST
    )
    assert demo_instant(now.date(), now) == now


def test_every_output_is_stamped_with_the_demos_own_instant(demo: Demo) -> None:
    # A fixed seed and end date give the same bytes on any day: nothing reads the wall clock,
    # the broker's fetch included (its time comes from the run's clock).
    instant = dt.datetime.combine(demo.end, dt.time(23, 59, 59), IST).astimezone(dt.UTC)
    feeds = demo.folder / "data" / "feeds"
    expenses = json.loads((feeds / "expenses.json").read_text(encoding="utf-8"))
    portfolio = json.loads((feeds / "portfolio.json").read_text(encoding="utf-8"))
    status = json.loads((feeds / "portfolio.status.json").read_text(encoding="utf-8"))
    assert dt.datetime.fromisoformat(expenses["generated_at"]) == instant
    assert dt.datetime.fromisoformat(portfolio["as_of"]) == instant
    assert dt.datetime.fromisoformat(portfolio["generated_at"]) == instant
    assert dt.datetime.fromisoformat(status["checked_at"]) == instant
    prices = sorted((demo.folder / "ledger" / "generated" / "prices").glob("*.beancount"))
    assert prices and prices[-1].stem == demo.end.strftime("%Y-%m")
    assert f"{demo.end.isoformat()} price" in prices[-1].read_text(encoding="utf-8")


def test_the_demo_reviews_show_its_outages_gap_and_battery_health(demo: Demo) -> None:
    from assets.review.week import week_containing
    from pipeline.demo.power import GAP, LONG_OUTAGE, SHORT_OUTAGE_MINUTES

    reviews = demo.folder / "data" / "reviews"
    end = dt.datetime.combine(demo.end, dt.time(23, 59), IST)
    in_week = lambda at: week_containing(at.astimezone(IST).date()).iso  # noqa: E731
    local = lambda at: at.astimezone(IST).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    last = (reviews / f"{in_week(end)}.md").read_text()
    # Still on battery at the demo's end: ongoing at the last sample; health checked that day.
    short_from = end - dt.timedelta(minutes=SHORT_OUTAGE_MINUTES - 1)
    assert f"- outage from {local(short_from)}, ongoing at the last sample" in last
    assert "battery health: condition Normal, maximum capacity 87.0%, cycles 412" in last
    assert '<section id="power">' in (reviews / f"{in_week(end)}.html").read_text()
    long_from = end - LONG_OUTAGE[0]
    long_week = (reviews / f"{in_week(long_from)}.md").read_text()
    assert f"- outage from {local(long_from)}, AC back {local(long_from + LONG_OUTAGE[1])}" in (
        long_week
    )
    # The gap (the last sample before it, to the first after): shown as a gap in the week it
    # ends in; when it began in the week before, that week's samples end at its start.
    before_gap, after_gap = end - GAP[0] - dt.timedelta(minutes=1), end - GAP[0] + GAP[1]
    gap_week = (reviews / f"{in_week(after_gap)}.md").read_text()
    assert f"- gap {local(before_gap)} to {local(after_gap)} (" in gap_week
    if in_week(before_gap) != in_week(after_gap):
        earlier = (reviews / f"{in_week(before_gap)}.md").read_text()
        assert f"- samples end at {local(before_gap)}" in earlier


def test_the_demo_writes_its_last_8_weekly_reviews_and_says_where(demo: Demo) -> None:
    from assets.review.week import week_containing

    reviews = demo.folder / "data" / "reviews"
    last = week_containing(demo.end)
    expected = [last.shifted(-n).iso for n in range(7, -1, -1)]
    assert sorted(p.stem for p in reviews.glob("*.html")) == expected
    assert sorted(p.stem for p in reviews.glob("*.md")) == expected
    assert f"review:   {reviews / (last.iso + '.html')}" in demo.stdout
    markdown = (reviews / f"{last.iso}.md").read_text()
    assert markdown.startswith(f"# Week {last.iso}: {last.start.isoformat()} to ")
    summary = json.loads((demo.folder / "data" / "feeds" / "review.json").read_text())
    assert summary["week"] == last.iso
    # Every demo day has bank SMS, so the last week (partial or not) has no note and its
    # spending is the warehouse's rupee debits dated in it that are no transfer.
    with duckdb.connect(str(demo.folder / "data" / "warehouse.duckdb"), read_only=True) as con:
        [(spent,)] = con.execute(
            "SELECT coalesce(sum(amount), 0) FROM transactions WHERE status = 'transaction'"
            " AND direction = 'debit' AND coalesce(currency, 'INR') = 'INR'"
            " AND txn_date BETWEEN ? AND ?"
            " AND coalesce(split_part(category, ':', 1), '') NOT IN ('Transfer', 'Transfers')",
            [last.start, last.end],
        ).fetchall()
    assert summary["note"] is None
    assert spent > 0 and summary["spending"] == float(spent)
    week_before = (reviews / f"{expected[-2]}.md").read_text()
    assert "Spent **" in week_before  # a whole demo week has spending


def test_the_alert_the_demo_lost_is_its_one_gap_in_the_feed_the_review_and_the_run(
    demo: Demo,
) -> None:
    from assets.review.week import week_containing
    from pipeline.demo.messages import lost_alert

    lost = lost_alert(generate_demo_messages(demo.end, seed=SEED, lose=False), demo.end)
    assert lost is not None and lost not in generate_demo_messages(demo.end, seed=SEED)
    feed = json.loads((demo.folder / "data" / "feeds" / "expenses.json").read_text())
    [gap] = feed["gaps"]
    assert (gap["bank"], gap["account"], gap["figure"]) == ("ICICI", "XX3750", "available_limit")
    assert (Decimal(str(gap["amount"])), gap["direction"]) == (lost.amount, "left")
    assert gap["from"]["at"] < lost.sent_at.isoformat() < gap["to"]["at"]
    week = week_containing(dt.datetime.fromisoformat(gap["to"]["at"]).date()).iso
    review = (demo.folder / "data" / "reviews" / f"{week}.md").read_text()
    whole = lost.amount == lost.amount.to_integral_value()
    rupees = f"₹{lost.amount:,.0f}" if whole else f"₹{lost.amount:,.2f}"
    assert f"- {rupees} left ICICI XX3750 between " in review
    # The run says it as the warning the check is; the demo still succeeds.
    assert "balances_chain_whole" in demo.stdout


def test_the_demo_statements_bring_back_the_lost_sms_and_flag_the_one_they_lack(
    demo: Demo,
) -> None:
    from pipeline.demo.statements import LOST_PER_ACCOUNT, lost_bank_alerts, not_on_statement

    every = generate_demo_messages(demo.end, seed=SEED, lose=False)
    lost, lacked = lost_bank_alerts(every, demo.end), not_on_statement(every, demo.end)
    assert len(lost) == 2 * LOST_PER_ACCOUNT and len(lacked) == 2
    kept = generate_demo_messages(demo.end, seed=SEED)
    assert not any(m in kept for m in lost) and all(m in kept for m in lacked)
    # After the import only the card's own gap is open (the run's log said the bank gaps before).
    feed = json.loads((demo.folder / "data" / "feeds" / "expenses.json").read_text())
    assert [g["bank"] for g in feed["gaps"]] == ["ICICI"] and feed["gaps"][0]["account"] == "XX3750"
    flagged = sorted(Decimal(str(t["amount"])) for t in feed["not_on_statement"])
    assert flagged == sorted(m.amount for m in lacked)
    books = demo.folder / "ledger" / "generated" / "bank"
    text = "".join(p.read_text() for p in books.glob("*.beancount"))
    assert text.count('source: "statement"') == len(lost)
    for message in lost:
        assert f"-{message.amount} INR" in text or f" {message.amount} INR" in text
    # The closing line imports them again, as pasted: nothing is added twice.
    (line,) = [ln.strip() for ln in demo.stdout.splitlines() if " import " in ln]
    again = subprocess.run(
        shlex.split(line), capture_output=True, text=True, timeout=120, env=_clean_env()
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("(0 stored now") == 2
    assert again.stdout.count("new from the statement (no SMS): 3") == 2
