"""Teaching the parser from the command line, end to end on a real warehouse and Dagster instance:
`sms unrecognized` → `sms suggest` → the TOML pasted into homeclerk.toml → the next run."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from assets.sms.chatdb import utc_to_apple_ns
from pipeline.definitions import build_definitions
from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.chatdb_writer import NewMessage, append_messages
from pipeline.demo.messages import generate_demo_messages
from pipeline.service.instance import prepare_instance
from pipeline.settings import CONFIG_ENV, Settings, load_settings
from tests.pipeline.test_cli import homeclerk
from tests.transactions.test_unrecognized import hold_for_writing

END = dt.date(2026, 11, 19)
WALLET = (
    "PayZapp: Rs.{amount} paid to {name} using PayZapp wallet on 19-11-26. Bal "
    "Rs.{balance}. Txn {ref} -HDFC Bank"
)
NEW = [
    ("411.00", "CHAI POINT", "3,000.00", "AB12CD34"),
    ("95.50", "DOSA CORNER", "2,904.50", "QQ98XY76"),
    ("1,250.00", "KAVERI STORES", "1,654.50", "ZX55LM44"),
]


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
                guid=f"WALLET-{i}",
                sender="VM-HDFCBK",
                text=WALLET.format(amount=a, name=n, balance=b, ref=r),
                attributed_body=None,
                date=utc_to_apple_ns(dt.datetime(2026, 11, 19, 14, 30 + i, tzinfo=dt.UTC)),
            )
            for i, (a, n, b, r) in enumerate(NEW)
        ],
    )
    yield settings, config


def _paste(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """A command line homeclerk printed, run as the owner would paste it (no HOMECLERK_* set)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    run = subprocess.run
    return run(shlex.split(command), capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def _run_bank_sms_job(settings: Settings) -> None:
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        job = build_definitions(settings).resolve_job_def("bank_sms_job")
        assert job.execute_in_process(instance=instance).success


def _wallet_rows(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(
            "SELECT t.status, t.amount, t.counterparty FROM transactions t"
            " WHERE t.message_guid LIKE 'WALLET-%' ORDER BY t.message_guid"
        ).fetchall()


def test_unrecognized_then_suggest_then_paste_then_the_next_run_reads_them(
    folder: tuple[Settings, Path],
) -> None:
    settings, config = folder
    _run_bank_sms_job(settings)
    assert [row[0] for row in _wallet_rows(settings)] == ["unrecognized"] * 3

    listed = homeclerk("--config", str(config), "sms", "unrecognized", "--json")
    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)
    top = document["groups"][0]
    assert (top["sender"], top["count"]) == ("HDFCBK", 3)
    assert top["first_seen"].startswith("2026-11-19T20:00:00+05:30")
    assert "KAVERI STORES" in top["example"] and "ZX55LM44" not in listed.stdout

    text = homeclerk("--config", str(config), "sms", "unrecognized")
    assert text.returncode == 0 and f"{top['shape_id']}  HDFCBK  3 message(s)" in text.stdout
    hint = text.stdout.split("Teach the parser a shape: ", 1)[1].splitlines()[0]
    assert hint.endswith(f"--config {config} sms suggest {top['shape_id']}")

    # The hint pasted as printed, in another folder: it reads this folder, by its --config.
    suggested = _paste(hint, config.parent.parent)
    assert suggested.returncode == 0, suggested.stdout + suggested.stderr
    out = suggested.stdout
    assert "3 of 3 message(s)" in out and out.count("\nok ") == 3
    assert "reads today, 0 would be read differently" in out
    assert "AB12CD34" not in out and '"reference": "########"' in out
    toml = out[out.index("[[sms.formats]]") :].split("\n\n")[0] + "\n"
    assert tomllib.loads(toml)["sms"]["formats"][0]["sender"] == "HDFCBK"

    # The owner pastes it; the settings reader accepts it and the next run reads the messages.
    config.write_text(config.read_text() + "\n" + toml)
    pasted = load_settings(config)
    assert len(pasted.sms_formats) == 1
    _run_bank_sms_job(pasted)
    rows = _wallet_rows(pasted)
    assert [(status, str(amount), name) for status, amount, name in rows] == [
        ("transaction", "411.00", "CHAI POINT"),
        ("transaction", "95.50", "DOSA CORNER"),
        ("transaction", "1250.00", "KAVERI STORES"),
    ]
    feed = json.loads((pasted.feeds_dir / "expenses.json").read_text())
    recent = {(r["counterparty"], r["amount"]) for r in feed["recent"]}
    assert {("CHAI POINT", 411.0), ("DOSA CORNER", 95.5), ("KAVERI STORES", 1250.0)} <= recent

    after = homeclerk("--config", str(config), "sms", "unrecognized", "--json")
    assert all(g["shape_id"] != top["shape_id"] for g in json.loads(after.stdout)["groups"])


def _fix_of(doctor_output: str, check: str) -> str:
    """The fix text `doctor` printed under `check`, as the owner would copy it."""
    lines = doctor_output.splitlines()
    start = next(i for i, line in enumerate(lines) if check in line and "WARN" in line)
    fix = [lines[start + 1].split("fix: ", 1)[1]]
    for line in lines[start + 2 :]:
        if line.startswith(("ok ", "WARN", "FAIL")) or line.endswith("problem(s) found"):
            break
        fix.append(line)
    return "\n".join(fix).strip() + "\n"


def test_a_taught_wallet_alert_gets_a_mapping_fix_that_pastes_and_clears_the_warning(
    folder: tuple[Settings, Path],
) -> None:
    settings, config = folder
    _run_bank_sms_job(settings)
    shape = json.loads(homeclerk("--config", str(config), "sms", "unrecognized", "--json").stdout)
    suggested = homeclerk("--config", str(config), "sms", "suggest", shape["groups"][0]["shape_id"])
    toml = suggested.stdout[suggested.stdout.index("[[sms.formats]]") :].split("\n\n")[0]
    assert "instrument = 'wallet'" in toml  # "PayZapp wallet": a wallet, not the bank account
    config.write_text(config.read_text() + "\n" + toml + "\n")
    ran = homeclerk("--config", str(config), "materialize", "transactions+")
    assert ran.returncode == 0, ran.stderr

    doctor = homeclerk("--config", str(config), "doctor")
    fix = _fix_of(doctor.stdout, "check unmapped_accounts")
    assert "????" not in fix and "[[books.accounts]]" in fix
    # The owner's file keeps its inline `account_mapping = [...]`: the fix is appended as is.
    assert "account_mapping = [" in config.read_text()
    config.write_text(config.read_text() + "\n" + fix[fix.index("[[books.accounts]]") :])
    assert load_settings(config).accounts.lookup("HDFC", None, "wallet") == "Assets:Wallet:Hdfc"
    again = homeclerk("--config", str(config), "materialize", "transactions+")
    assert again.returncode == 0, again.stderr

    cleared = homeclerk("--config", str(config), "doctor")
    assert "unmapped_accounts" not in cleared.stdout, cleared.stdout
    feed = json.loads((settings.feeds_dir / "expenses.json").read_text())
    wallet = [b for b in feed["balances"] if b["instrument"] == "wallet"]
    assert wallet == [
        {
            "bank": "HDFC",
            "account": None,
            "ledger_account": "Assets:Wallet:Hdfc",
            "instrument": "wallet",
            "amount": 1654.5,
            "as_of": wallet[0]["as_of"],
        }
    ]
    ledger = "".join(p.read_text() for p in (settings.books_dir / "generated").rglob("*.beancount"))
    assert "Assets:Wallet:Hdfc" in ledger and "KAVERI STORES" in ledger


def test_suggest_by_guid_and_by_body_and_the_reasons_when_it_cannot(
    folder: tuple[Settings, Path],
) -> None:
    settings, config = folder
    _run_bank_sms_job(settings)
    by_guid = homeclerk("--config", str(config), "sms", "suggest", "--guid", "WALLET-1")
    assert by_guid.returncode == 0 and "3 of 3 message(s)" in by_guid.stdout

    body = WALLET.format(amount="12.00", name="TEA", balance="1.00", ref="AA11BB22")
    given = homeclerk(
        "--config", str(config), "sms", "suggest", "--body", body, "--sender", "VM-HDFCBK"
    )
    assert given.returncode == 0 and "4 of 4 message(s)" in given.stdout  # + the 3 stored

    vague = homeclerk(
        "--config", str(config), "sms", "suggest",
        "--body", "Wallet updated on 19-11-26", "--sender", "VM-HDFCBK",
    )  # fmt: skip
    assert vague.returncode == 1 and "no safe format can be proposed: no amount" in vague.stdout

    unknown = homeclerk("--config", str(config), "sms", "suggest", "0badc0de")
    assert unknown.returncode == 1 and f"--config {config} sms unrecognized`" in unknown.stderr
    neither = homeclerk("--config", str(config), "sms", "suggest")
    assert neither.returncode == 2 and "--guid" in neither.stderr


def test_unrecognized_without_a_warehouse_and_while_it_is_busy(
    folder: tuple[Settings, Path],
) -> None:
    settings, config = folder
    missing = homeclerk("--config", str(config), "sms", "unrecognized")
    assert missing.returncode == 2
    assert f"no warehouse at {settings.warehouse}" in missing.stderr
    assert f"--config {config} serve`" in missing.stderr
    assert len(missing.stderr.splitlines()) == 1

    _run_bank_sms_job(settings)
    with hold_for_writing(settings.warehouse):
        busy = homeclerk("--config", str(config), "sms", "unrecognized")
    assert busy.returncode == 2 and len(busy.stderr.splitlines()) == 1
    assert "is busy" in busy.stderr and "try again" in busy.stderr
    free = homeclerk("--config", str(config), "sms", "unrecognized", "--limit", "1")
    assert free.returncode == 0 and "3 unrecognized bank SMS in 1 shape(s)" in free.stdout


def test_a_suggestion_with_a_quote_loads_through_the_settings_reader(tmp_path: Path) -> None:
    from assets.transactions.suggest import propose, to_toml
    from assets.transactions.unrecognized import shape_of

    body = "Here's your update: Rs 80.00 spent at TEA STALL on 05-11-26 using wallet. -XYZ Bank"
    entry = propose(shape_of("AD-XYZBNK-S", body), body, "AD-XYZBNK-S").entry
    assert entry is not None and "'" in entry["pattern"]
    config = tmp_path / "homeclerk.toml"
    config.write_text('[messages]\nbank_senders = ["XYZBNK"]\n\n' + to_toml(entry))
    assert list(load_settings(config).sms_formats) == [entry]


def test_unrecognized_says_so_when_there_is_nothing_to_teach(
    folder: tuple[Settings, Path],
) -> None:
    settings, config = folder
    _run_bank_sms_job(settings)
    entry = {
        "sender": "HDFCBK",
        "pattern": r"PayZapp: Rs\.(?P<amount>[\d,.]+\d) paid to (?P<counterparty>.+?) using",
        "direction": "debit",
    }
    config.write_text(
        config.read_text()
        + "\n[[sms.formats]]\n"
        + "".join(f"{key} = {json.dumps(value)}\n" for key, value in entry.items())
    )
    _run_bank_sms_job(load_settings(config))
    empty = homeclerk("--config", str(config), "sms", "unrecognized")
    assert empty.returncode == 0
    assert empty.stdout.strip() == "no unrecognized bank SMS with a readable body in the warehouse"
    assert (
        json.loads(homeclerk("--config", str(config), "sms", "unrecognized", "--json").stdout)[
            "groups"
        ]
        == []
    )


TAKEN_BACK = (
    "Rs {amount} credited to your A/c XX1276 on 19-11-26 has been reversed. Avl Bal Rs "
    "2,000.00 -HDFC Bank"
)


def _append_taken_back(settings: Settings, guid: str, amount: str, minute: int) -> None:
    when = dt.datetime(2026, 11, 19, 15, minute, tzinfo=dt.UTC)
    append_messages(
        settings.chat_db,
        [
            NewMessage(
                guid, "VM-HDFCBK", TAKEN_BACK.format(amount=amount), None, utc_to_apple_ns(when)
            )
        ],
    )


def test_dismiss_sets_read_shapes_aside_until_a_new_message_comes(
    folder: tuple[Settings, Path],
) -> None:
    # A doubtful alert (a credit taken back) stays unrecognized: no format can read it, so the
    # way to clear the warning is to set it aside once read.
    settings, config = folder
    _append_taken_back(settings, "BACK-1", "500.00", 0)
    _run_bank_sms_job(settings)
    listed = json.loads(homeclerk("--config", str(config), "sms", "unrecognized", "--json").stdout)
    doubtful = next(g for g in listed["groups"] if "has been reversed" in g["example"])
    assert (doubtful["count"], doubtful["doubtful"]) == (1, "doubtful_reversal")
    assert {g["doubtful"] for g in listed["groups"] if g is not doubtful} == {None}

    # The doubtful shape says so, with its own command; the hints name a shape a format can read.
    text = homeclerk("--config", str(config), "sms", "unrecognized").stdout
    marked = text.split(f"{doubtful['shape_id']}  HDFCBK", 1)[1].split("\n\n", 1)[0]
    assert "doubtful (doubtful_reversal): no format may read it" in marked
    assert marked.rstrip().endswith(f"--config {config} sms dismiss {doubtful['shape_id']}")
    hint = text.split("or, once read, set it aside: ", 1)[1].splitlines()[0]
    first = next(g["shape_id"] for g in listed["groups"] if g["doubtful"] is None)
    assert hint.endswith(f"--config {config} sms dismiss {first}")
    assert f"sms suggest {doubtful['shape_id']}" not in text
    # Every shape set aside by the printed command (the first as printed, in another folder).
    for group in listed["groups"]:
        command = hint.removesuffix(first) + group["shape_id"]
        done = _paste(command, config.parent.parent)
        assert done.returncode == 0, done.stderr
        assert f"set aside {group['count']} message(s) of shape {group['shape_id']}" in done.stdout
    empty = homeclerk("--config", str(config), "sms", "unrecognized")
    assert empty.stdout.strip() == "no unrecognized bank SMS with a readable body in the warehouse"
    doctor = homeclerk("--config", str(config), "doctor").stdout
    assert any(
        line.startswith("ok ") and "parse coverage" in line for line in doctor.splitlines()
    ), doctor
    # Nothing was deleted: the rows are still there, unrecognized.
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        kept = con.execute(
            "SELECT status, reason FROM transactions WHERE message_guid = 'BACK-1'"
        ).fetchall()
    assert kept == [("unrecognized", "doubtful_reversal")]

    # A new message of the shape is shown again, alone; a shape with nothing left is refused.
    _append_taken_back(settings, "BACK-2", "750.00", 5)
    _run_bank_sms_job(settings)
    again = json.loads(homeclerk("--config", str(config), "sms", "unrecognized", "--json").stdout)
    assert [(g["shape_id"], g["count"]) for g in again["groups"]] == [(doubtful["shape_id"], 1)]
    assert "750.00" in again["groups"][0]["example"]
    stale = homeclerk("--config", str(config), "sms", "dismiss", "0badc0de")
    assert stale.returncode == 1
    assert "no unrecognized message has shape 0badc0de" in stale.stderr
    assert "sms unrecognized" in stale.stderr
