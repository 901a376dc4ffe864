"""`homeclerk demo` end to end, as a user runs it: a subprocess, a fresh folder, real files."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipeline.demo.messages import IST, generate_demo_messages

END = dt.date(2026, 11, 19)
SEED = 11


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
            END.isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**_clean_env(), "HOME": str(folder.parent)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "homeclerk demo finished" in result.stdout
    assert str(folder / "data" / "feeds" / "expenses.json") in result.stdout
    return folder


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}


def truth() -> list:
    return [m for m in generate_demo_messages(END, seed=SEED) if m.is_bank_transaction]


def test_every_alert_becomes_one_transaction(demo: Path) -> None:
    with duckdb.connect(str(demo / "data" / "warehouse.duckdb"), read_only=True) as con:
        got = con.execute(
            "SELECT count(*), sum(amount) FILTER (WHERE direction = 'debit') "
            "FROM transactions WHERE status = 'transaction'"
        ).fetchone()
        otps = con.execute("SELECT count(*) FROM sms_messages WHERE body ILIKE '%OTP%'").fetchone()
        unrecognized = con.execute(
            "SELECT count(*) FROM transactions WHERE status = 'unrecognized'"
        ).fetchone()
    alerts = truth()
    assert got[0] == len(alerts)
    assert got[1] == sum(m.amount for m in alerts if m.direction == "debit")
    assert otps[0] == 0  # dropped before storage
    assert unrecognized[0] == 0


def test_expenses_feed_totals_match_the_alerts(demo: Path) -> None:
    feed = json.loads((demo / "data" / "feeds" / "expenses.json").read_text())
    assert feed["schema"] == "homeclerk.expenses/1"
    assert feed["status"] == "ok"
    # The feed's month is counted from the real "now"; whichever month that is, what the feed
    # calls spending plus transfers must equal the demo's own debits in it.
    month_from = dt.date.fromisoformat(feed["periods"]["this_month"]["from"])
    month_to = dt.date.fromisoformat(feed["periods"]["this_month"]["to"])
    in_month = [m for m in truth() if month_from <= m.sent_at.astimezone(IST).date() <= month_to]
    month = feed["periods"]["this_month"]
    both = Decimal(str(month["debit"])) + Decimal(str(month["transfers"]["debit"]))
    assert both == sum((m.amount for m in in_month if m.direction == "debit"), Decimal(0))
    newest = max(m.sent_at for m in truth())
    assert dt.datetime.fromisoformat(feed["as_of"]) >= newest.replace(microsecond=0)
    newest_alert = max(truth(), key=lambda m: m.sent_at)
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
