"""`homeclerk categorize`: list, file a payee into a commented homeclerk.toml, paste the run."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

from assets.sms.chatdb import utc_to_apple_ns
from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.chatdb_writer import NewMessage, append_messages
from pipeline.demo.messages import generate_demo_messages
from pipeline.service.instance import prepare_instance
from pipeline.settings import CONFIG_ENV, Settings, load_settings
from tests.pipeline.test_cli import homeclerk
from tests.pipeline.test_cli_sms_teach import _paste, _run_bank_sms_job
from tests.transactions.test_unrecognized import hold_for_writing

END = dt.date(2026, 11, 19)
UPI = (
    "Sent Rs.{amount}\nFrom HDFC Bank A/C *1276\nTo JOSEPH THOMAS\nOn 18/11/26\n"
    "Ref 45816789622{i}\nNot You?\nCall 18002586161/SMS BLOCK UPI to 7308080808"
)
# The owner's own notes and layout, which the writer must keep byte for byte.
NOTES = "# My settings. Notes are mine: keep them.\n"
TAIL = (
    '\n# Family, by hand.\n[[categories.rules]]\npattern = "^AMMA$"   # mum\ncategory = "Family"\n'
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, Path]]:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    write_chat_db(tmp_path / "chat.db", generate_demo_messages(END, seed=5, days=12), seed=5)
    config = write_demo_config(tmp_path, "http://127.0.0.1:9/none")
    config.write_text(NOTES + config.read_text() + TAIL)
    settings = load_settings(config)
    append_messages(
        settings.chat_db,
        [
            NewMessage(
                guid=f"JT-{i}",
                sender="VM-HDFCBK",
                text=UPI.format(amount=amount, i=i),
                attributed_body=None,
                date=utc_to_apple_ns(dt.datetime(2026, 11, 19, 14, 30 + i, tzinfo=dt.UTC)),
            )
            for i, amount in enumerate(["500.00", "1,250.00"])
        ],
    )
    yield settings, config


def _joseph(settings: Settings) -> list[str]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT category FROM transactions WHERE message_guid LIKE 'JT-%' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def _groups(config: Path) -> dict[str, dict]:
    listed = homeclerk("--config", str(config), "categorize", "--json", "--limit", "100")
    assert listed.returncode == 0, listed.stderr
    return {g["payee"]: g for g in json.loads(listed.stdout)["groups"]}


def test_list_then_file_a_payee_then_the_pasted_run_refiles_its_rows(
    folder: tuple[Settings, Path],
) -> None:
    settings, config = folder
    _run_bank_sms_job(settings)
    assert _joseph(settings) == ["Uncategorized", "Uncategorized"]
    joseph = _groups(config)["Joseph Thomas"]
    assert joseph == {
        "payee": "Joseph Thomas",
        "currency": "INR",
        "count": 2,
        "total": 1750.0,
        "last_seen": "2026-11-18",
        "example": joseph["example"],
        "suggested": None,
        "confidence": None,
        "suggested_by": None,  # nothing filed names Joseph Thomas: no learned guess
    }
    assert "To JOSEPH THOMAS" in joseph["example"] and "458167896221" not in joseph["example"]

    text = homeclerk("--config", str(config), "categorize")
    assert text.returncode == 0 and "Joseph Thomas  2 debit(s), 1,750.00 INR" in text.stdout
    hint = text.stdout.split("this writes a rule into homeclerk.toml), e.g.: ")[1].splitlines()[0]
    assert hint.endswith(f"--config {config} categorize 'Joseph Thomas' Expenses:Food:Delivery")

    # The hint pasted as printed, from another folder, writes the rule; filing the payee again
    # under another account changes that rule in place.
    before = config.read_text()
    assert _paste(hint, config.parent.parent).returncode == 0
    filed = homeclerk("--config", str(config), "categorize", "Joseph Thomas", "Expenses:Family")
    assert filed.returncode == 0, filed.stderr
    header = "[[categories.rules]]\n"
    at = before.index(header) + len(header)
    block = (
        "# written by `homeclerk categorize`\n"
        'pattern = "^(?:Joseph Thomas|JOSEPH THOMAS)$"\n'
        'category = "Family"\n'
        'direction = "debit"\n\n' + header
    )
    assert config.read_text() == before[:at] + block + before[at:]
    assert load_settings(config).category_rules[0]["category"] == "Family"

    # Until the next run the list says what the rules now file the payee as.
    assert _groups(config)["Joseph Thomas"]["suggested"] == "Expenses:Family"
    assert _groups(config)["Joseph Thomas"]["confidence"] == 1.0
    assert _groups(config)["Joseph Thomas"]["suggested_by"] == "rules"
    assert _joseph(settings) == ["Uncategorized", "Uncategorized"]

    run_now = filed.stdout.split("to run it now: ")[1].strip()
    assert run_now.endswith(f"--config {config} materialize transactions+")
    ran = _paste(run_now, config.parent.parent)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert _joseph(settings) == ["Family", "Family"]
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        event = instance.get_latest_materialization_event(AssetKey("transactions"))
    assert event is not None and event.asset_materialization is not None
    assert event.asset_materialization.metadata["refiled"].value == 2
    assert "Joseph Thomas" not in _groups(config)
    feed = json.loads((settings.feeds_dir / "expenses.json").read_text())
    assert {r["category"] for r in feed["recent"] if r["id"].startswith("JT-")} == {"Family"}
    books = "".join(p.read_text() for p in settings.books_dir.rglob("2026-11.beancount"))
    assert "Expenses:Family" in books and "Expenses:Uncategorized" not in books


def test_a_wrong_account_is_refused_with_a_command_that_works(
    folder: tuple[Settings, Path],
) -> None:
    _, config = folder
    before = config.read_bytes()
    refused = homeclerk("--config", str(config), "categorize", "Joseph Thomas", "family support")
    assert refused.returncode == 2 and len(refused.stderr.splitlines()) == 1
    assert "not an Expenses: or Income: account" in refused.stderr
    assert config.read_bytes() == before
    fix = refused.stderr.split("for example: ")[1].strip()
    assert fix.endswith("categorize 'Joseph Thomas' Expenses:Family-support")
    assert _paste(fix, config.parent.parent).returncode == 0
    assert load_settings(config).category_rules[0]["category"] == "Family-support"


def test_without_a_homeclerk_toml_it_says_where_and_the_command_creates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    missing = homeclerk("categorize", "Kaveri Stores", "Expenses:Food:Groceries", cwd=home)
    assert missing.returncode == 2 and len(missing.stderr.splitlines()) == 1
    assert f"homeclerk reads {home / 'homeclerk.toml'}" in missing.stderr
    fix = missing.stderr.split("and run again: ")[1].strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    pasted = subprocess.run(
        ["sh", "-c", fix], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert pasted.returncode == 0, pasted.stderr
    rules = tomllib.loads((home / "homeclerk.toml").read_text())["categories"]["rules"]
    assert rules == [
        {"pattern": "^(?:Kaveri Stores)$", "category": "Food:Groceries", "direction": "debit"}
    ]


def test_the_list_without_a_warehouse_and_while_it_is_busy(
    folder: tuple[Settings, Path],
) -> None:
    settings, config = folder
    missing = homeclerk("--config", str(config), "categorize")
    assert missing.returncode == 2 and len(missing.stderr.splitlines()) == 1
    assert f"no warehouse at {settings.warehouse}" in missing.stderr
    _run_bank_sms_job(settings)
    with hold_for_writing(settings.warehouse):
        busy = homeclerk("--config", str(config), "categorize")
        # Filing still works: the rule then names the payee only, and says so.
        filed = homeclerk("--config", str(config), "categorize", "Joseph Thomas", "Expenses:Family")
    assert busy.returncode == 2 and len(busy.stderr.splitlines()) == 1
    assert "is busy" in busy.stderr
    assert filed.returncode == 0 and "matches the name 'Joseph Thomas' only" in filed.stderr
    assert load_settings(config).category_rules[0]["pattern"] == "^(?:Joseph Thomas)$"
    free = homeclerk("--config", str(config), "categorize", "--limit", "1")
    assert free.returncode == 0 and "Joseph Thomas" in free.stdout


def test_the_list_shows_a_learned_suggestion_and_its_pasted_hint_files_the_payee(
    tmp_path: Path,
) -> None:
    from tests.sms.helpers import ChatDb
    from tests.transactions.test_learned import _card, _derive

    config = tmp_path / "homeclerk.toml"
    config.write_text(
        '[paths]\ndata_dir = "data"\n\n[[categories.rules]]\npattern = "^KAVERI STORES$"\n'
        'category = "Food:Groceries"\ndirection = "debit"\n\n[[categories.rules]]\n'
        'pattern = "^NEHA TAILORS$"\ncategory = "Shopping:Clothing"\ndirection = "debit"\n'
    )
    settings = load_settings(config)
    chat_db = ChatDb(tmp_path / "chat.db")
    messages = [_card(chat_db, "KAVERI STORES", f"{300 + 40 * i}.00", 1 + i) for i in range(6)]
    messages += [_card(chat_db, "NEHA TAILORS", f"{1500 + 90 * i}.00", 2 + i) for i in range(4)]
    chat_db.add([*messages, _card(chat_db, "KAVERI STORES HSR", "920.00", 20)])  # type: ignore[list-item]
    settings.warehouse.parent.mkdir(parents=True)
    _derive(chat_db, settings.warehouse, None)

    hsr = _groups(config)["Kaveri Stores HSR"]
    assert (hsr["suggested"], hsr["suggested_by"]) == ("Expenses:Food:Groceries", "learned")
    assert 0.9 < hsr["confidence"] <= 1.0
    text = homeclerk("--config", str(config), "categorize")
    assert text.returncode == 0, text.stderr
    assert "suggested: Expenses:Food:Groceries (learned from your filed spending" in text.stdout
    hint = text.stdout.split("this writes a rule into homeclerk.toml), e.g.: ")[1].splitlines()[0]
    assert hint.endswith("categorize 'Kaveri Stores HSR' Expenses:Food:Groceries")
    assert _paste(hint, tmp_path.parent).returncode == 0
    hsr = _groups(config)["Kaveri Stores HSR"]
    assert (hsr["suggested"], hsr["suggested_by"]) == ("Expenses:Food:Groceries", "rules")
