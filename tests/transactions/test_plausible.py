"""Amounts past the plausibility ceiling: held out of the feed and the books until confirmed.

End to end: real chat.db, warehouse and books from a homeclerk.toml, the resources `serve`
builds from it, and the confirm command the check prints, run as printed in a child process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import subprocess
from decimal import Decimal
from pathlib import Path

from beancount import loader
from dagster import AssetCheckKey, AssetKey, DagsterInstance, materialize

from assets.books import definitions as books_defs
from assets.common.resources import Clock
from assets.expenses.definitions import expenses_feed
from assets.sms.chatdb import APPLE_EPOCH
from assets.sms.definitions import sms_messages
from assets.transactions.definitions import amounts_plausible, transactions
from assets.transactions.plausible import CEILING_FLOOR, learned_ceiling
from pipeline.resources import build_resources
from pipeline.settings import load_settings
from tests.sms.helpers import ChatDb

NOW = dt.datetime(2026, 11, 19, 6, 30, tzinfo=dt.UTC)  # 12:00 IST
SAVINGS = "Assets:Bank:HDFC:Savings"
DEBIT = (
    "Rs.{amount} debited from a/c **1276 to VPA swiggy.stores@axb (UPI Ref No {ref}). "
    "Not you? Call 18002586161 - HDFC Bank"
)


def test_the_ceiling_is_learned_from_past_debits_with_a_floor() -> None:
    few = [Decimal(100)] * 19
    assert learned_ceiling([*few, Decimal(10**9)]) == 20 * Decimal(10**9)  # 20: p99 is the max
    assert learned_ceiling(few) == CEILING_FLOOR  # too little history: the floor
    many = [Decimal(n) for n in range(1, 201)] + [Decimal(100_000)] * 2  # 202 debits
    assert learned_ceiling(many) == CEILING_FLOOR  # 20 × p99 (200) is below the floor
    big = [Decimal(n * 1000) for n in range(1, 101)]  # p99 = 99,000
    assert learned_ceiling(big) == 20 * Decimal(99_000)


def _setup(tmp_path: Path, extra: str = "") -> tuple[Path, ChatDb]:
    chat = ChatDb(tmp_path / "chat.db")
    messages = []
    for n in range(30):  # a month of ordinary spending: ₹100-₹390
        msg = chat.message("VM-HDFCBK", DEBIT.format(amount=f"{100 + n * 10}.00", ref=f"{n:012d}"))
        when = NOW - dt.timedelta(days=30 - n, hours=1)
        messages.append(msg._replace(date=int((when - APPLE_EPOCH).total_seconds())))
    for amount, ref in (("9,99,99,99,999.00", "999999999999"), ("250.00", "888888888888")):
        msg = chat.message("VM-HDFCBK", DEBIT.format(amount=amount, ref=ref))
        messages.append(msg._replace(date=int((NOW - APPLE_EPOCH).total_seconds()) - 60))
    chat.add(messages)
    books = tmp_path / "books"
    books.mkdir()
    (books / "main.beancount").write_text(
        'option "operating_currency" "INR"\ninclude "generated/index.beancount"\n'
        f"2020-01-01 open {SAVINGS} INR\n"
    )
    config = tmp_path / "homeclerk.toml"
    config.write_text(
        'timezone = "Asia/Kolkata"\n'
        '[paths]\ndata_dir = "data"\nbooks_dir = "books"\n'
        '[messages]\nchat_db = "chat.db"\nbank_senders = ["HDFCBK"]\n'
        f'[books]\naccount_mapping = [{{ bank = "HDFC", tail = "1276", account = "{SAVINGS}" }}]\n'
        + extra
    )
    return config, chat


def _run(config: Path):  # type: ignore[no-untyped-def]
    resources = build_resources(load_settings(config)) | {"clock": Clock(frozen_at=NOW.isoformat())}
    return materialize(
        [
            sms_messages,
            transactions,
            amounts_plausible,
            expenses_feed,
            books_defs.ledger_entries,
            books_defs.books,
        ],
        resources=resources,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _ledger_text(tmp_path: Path) -> str:
    return "".join(p.read_text() for p in (tmp_path / "books" / "generated" / "bank").glob("*"))


def test_an_absurd_amount_waits_for_the_owner_and_the_printed_command_releases_it(
    tmp_path: Path,
) -> None:
    config, _chat = _setup(tmp_path)
    result = _run(config)
    assert result.success
    feed = json.loads((tmp_path / "data" / "feeds" / "expenses.json").read_text())
    assert feed["periods"]["today"]["debit"] == 250.0  # not ₹10,000,000,249
    assert "999999999999" not in json.dumps(feed)
    assert "9999999999" not in _ledger_text(tmp_path)
    assert loader.load_file(str(tmp_path / "books" / "main.beancount"))[1] == []
    (check,) = [
        c for c in result.get_asset_check_evaluations() if c.check_name == "amounts_plausible"
    ]
    assert not check.passed and check.severity.value == "WARN"
    held_guid = "GUID-000031"
    assert f"{held_guid} from VM-HDFCBK" in check.description
    assert "9,999,999,999.00 INR" in check.description
    command = check.description.split("if it is real, run: ")[1]
    assert command.endswith(f"sms confirm {held_guid}")
    assert f"--config {config.resolve()}" in command

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    done = subprocess.run(
        shlex.split(command), capture_output=True, text=True, cwd="/", env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"confirmed {held_guid}: 9,999,999,999.00 INR counts")
    assert f"--config {config.resolve()} materialize 'transactions+'" in done.stdout
    again = subprocess.run(
        shlex.split(command), capture_output=True, text=True, cwd="/", env=env, timeout=120
    )
    assert again.returncode == 1 and "already confirmed" in again.stderr

    # The "now:" command it prints, pasted as is: the books have the amount, the check clears.
    now_command = done.stdout.split("or now: ")[1].rsplit(")", 1)[0]
    ran = subprocess.run(
        shlex.split(now_command), capture_output=True, text=True, cwd="/", env=env, timeout=600
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "9999999999.00 INR" in _ledger_text(tmp_path)
    key = AssetCheckKey(AssetKey("transactions"), "amounts_plausible")
    with DagsterInstance.from_config(str(load_settings(config).dagster_home)) as instance:
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    assert record.event.dagster_event.event_specific_data.passed

    result = _run(config)
    assert result.success
    (check,) = [
        c for c in result.get_asset_check_evaluations() if c.check_name == "amounts_plausible"
    ]
    assert check.passed, check.description
    feed = json.loads((tmp_path / "data" / "feeds" / "expenses.json").read_text())
    assert feed["periods"]["today"]["debit"] == 9_999_999_999.0 + 250.0
    assert "9999999999.00 INR" in _ledger_text(tmp_path)


def test_the_setting_sets_the_ceiling(tmp_path: Path) -> None:
    config, _chat = _setup(tmp_path, "[sms]\nmax_plausible_amount = 300\n")
    result = _run(config)
    (check,) = [
        c for c in result.get_asset_check_evaluations() if c.check_name == "amounts_plausible"
    ]
    # The newest ordinary debits (₹310-₹390) were judged in the same run: held too.
    assert check.metadata["held"].value == 10
    feed = json.loads((tmp_path / "data" / "feeds" / "expenses.json").read_text())
    assert feed["periods"]["today"]["debit"] == 250.0


def test_an_unknown_guid_is_refused_in_one_line(tmp_path: Path) -> None:
    from pipeline.cli import main

    config, _chat = _setup(tmp_path)
    assert _run(config).success
    assert main(["--config", str(config), "sms", "confirm", "GUID-000001"]) == 1


def test_the_warehouse_ranks_past_debits_as_the_rule_does(tmp_path: Path) -> None:
    from assets.common.warehouse import connect
    from assets.transactions.plausible import hold_implausible
    from assets.transactions.tables import ensure_transactions_table

    amounts = [Decimal(n * 1000) for n in range(1, 151)]  # p99 of 150: the 149th, 149,000
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with connect(tmp_path / "w.duckdb") as con:
        ensure_transactions_table(con)
        rows = [
            (f"G{n}", amount, start + dt.timedelta(hours=n)) for n, amount in enumerate(amounts)
        ]
        rows += [("BIG", Decimal("2980001"), start + dt.timedelta(days=30))]  # > 20 × 149,000
        rows += [("FINE", Decimal("2980000"), start + dt.timedelta(days=30))]
        for guid, amount, at in rows:
            con.execute(
                "INSERT INTO transactions (message_guid, received_at, status, amount, direction,"
                " currency) VALUES (?, ?, 'transaction', ?, 'debit', 'INR')",
                [guid, at, amount],
            )
        held = hold_implausible(con, [("BIG", "2980001.00"), ("FINE", "2980000.00")], None)
        ceiling = con.execute("SELECT ceiling FROM held_amounts").fetchall()
    assert learned_ceiling(amounts) == Decimal(2_980_000)
    assert held == ["BIG"] and ceiling == [(Decimal(2_980_000),)]
