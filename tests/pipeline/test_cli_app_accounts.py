"""A wallet app's alerts, end to end: read by the built-in module for its sender, reported by
`doctor` as unmapped with a `[[books.accounts]]` entry that, pasted as is, maps them and clears
the warning (a real chat.db, warehouse, Dagster instance and ledger)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from assets.sms.chatdb import utc_to_apple_ns
from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.chatdb_writer import NewMessage, append_messages
from pipeline.demo.messages import generate_demo_messages
from pipeline.settings import CONFIG_ENV, Settings, load_settings
from tests.pipeline.test_cli import homeclerk
from tests.pipeline.test_cli_sms_teach import _fix_of, _run_bank_sms_job
from tests.transactions.sms_corpus import load

END = dt.date(2026, 11, 19)
# Real FamPay / FamApp wordings (tests/data/sms/sms-apps.jsonl): money in, money out.
APP = [line for line in load("sms-apps.jsonl") if line["id"] in ("ap-02-famx-received",
                                                                  "ap-04-famx-paid")]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, Path]]:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    write_chat_db(tmp_path / "chat.db", generate_demo_messages(END, seed=5, days=12), seed=5)
    config = write_demo_config(tmp_path, "http://127.0.0.1:9/none")
    settings = load_settings(config)
    append_messages(
        settings.chat_db,
        [
            NewMessage(
                guid=f"APP-{i}",
                sender=line["sender"],
                text=line["body"],
                attributed_body=None,
                date=utc_to_apple_ns(dt.datetime(2026, 11, 19, 14, 30 + i, tzinfo=dt.UTC)),
            )
            for i, line in enumerate(APP)
        ],
    )
    yield settings, config


def test_a_wallet_apps_alerts_get_a_mapping_fix_that_pastes_and_clears_the_warning(
    folder: tuple[Settings, Path],
) -> None:
    settings, config = folder
    assert "TRIOTK" in settings.section("parsing").bank_senders  # read by default
    _run_bank_sms_job(settings)
    ran = homeclerk("--config", str(config), "materialize", "transactions+")
    assert ran.returncode == 0, ran.stderr
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT status, bank, instrument, kind, amount FROM transactions"
            " WHERE message_guid LIKE 'APP-%' ORDER BY message_guid"
        ).fetchall()
    assert [r[:4] for r in rows] == [
        ("transaction", "FAMPAY", "wallet", "transfer"),
        ("transaction", "FAMPAY", "wallet", "wallet_spend"),
    ]

    doctor = homeclerk("--config", str(config), "doctor")
    fix = _fix_of(doctor.stdout, "check unmapped_accounts")
    assert 'bank = "FAMPAY"\ninstrument = "wallet"' in fix and "????" not in fix
    config.write_text(config.read_text() + "\n" + fix[fix.index("[[books.accounts]]") :])
    assert load_settings(config).accounts.lookup("FAMPAY", None, "wallet") == (
        "Assets:Wallet:Fampay"
    )
    again = homeclerk("--config", str(config), "materialize", "transactions+")
    assert again.returncode == 0, again.stderr

    cleared = homeclerk("--config", str(config), "doctor")
    assert "unmapped_accounts" not in cleared.stdout, cleared.stdout
    ledger = "".join(p.read_text() for p in (settings.books_dir / "generated").rglob("*.beancount"))
    assert "Assets:Wallet:Fampay" in ledger and "FMPIB5348891208" in ledger
    feed = json.loads((settings.feeds_dir / "expenses.json").read_text())
    assert any(r["kind"] == "wallet_spend" and r["amount"] == 1599.0 for r in feed["recent"])
