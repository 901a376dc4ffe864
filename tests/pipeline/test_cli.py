"""The `homeclerk` commands as a script runs them: subprocesses, stdin/stdout, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from assets.common.senders import is_alert_sender, sender_header
from assets.transactions.parsing import KNOWN_BANK_HEADERS
from pipeline.demo.build import write_chat_db
from pipeline.demo.messages import generate_demo_messages

CORPUS = Path(__file__).resolve().parents[1] / "data" / "sms" / "sms-dev.jsonl"


def homeclerk(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def test_sms_parse_answers_each_line_in_order() -> None:
    cases = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    stdin = "".join(
        json.dumps({"id": c["id"], "sender": c["sender"], "body": c["body"]}) + "\n" for c in cases
    )
    result = homeclerk("sms", "parse", stdin=stdin + "not json\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("id") for line in lines[:-1]] == [c["id"] for c in cases]
    for case, line in zip(cases, lines, strict=False):
        txn = line["transaction"] and {
            k: v
            for k, v in line["transaction"].items()
            if k not in ("bank", "category", "kind", "payee")
            and (k, v) not in (("currency", "INR"), ("inr_amount", None))
        }
        assert txn == case["expected"], case["id"]
        # The readable payee is there whenever a counterparty is (null when none is).
        assert not line["transaction"] or (line["transaction"]["payee"] is None) == (
            line["transaction"]["counterparty"] is None
        ), case["id"]
        assert (line["reason"] is None) == (txn is not None), case["id"]
    assert "error" in lines[-1] and "line" in lines[-1]["error"]


def test_sms_dump_lists_bank_messages_with_offsets(tmp_path: Path) -> None:
    messages = generate_demo_messages(dt.date(2026, 11, 19), seed=4, days=3)
    write_chat_db(tmp_path / "chat.db", messages, seed=4)
    result = homeclerk("sms", "dump", "--chat-db", str(tmp_path / "chat.db"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    # The defaults read every bank the parser knows; OTPs and promotional senders never appear.
    bank = [
        m
        for m in messages
        if sender_header(m.sender) in KNOWN_BANK_HEADERS
        and is_alert_sender(m.sender)
        and not m.is_otp
    ]
    assert len(rows) == len(bank)
    assert set(rows[0]) == {"rowid", "guid", "sender", "received_at", "body"}
    assert dt.datetime.fromisoformat(rows[0]["received_at"]).utcoffset() is not None
    assert [r["rowid"] for r in rows] == sorted(r["rowid"] for r in rows)

    later = homeclerk(
        "sms",
        "dump",
        "--chat-db",
        str(tmp_path / "chat.db"),
        "--since-rowid",
        str(rows[-2]["rowid"]),
        cwd=tmp_path,
    )
    assert [json.loads(line)["rowid"] for line in later.stdout.splitlines()] == [rows[-1]["rowid"]]


def test_sms_dump_of_a_missing_chat_db_says_what_to_fix(tmp_path: Path) -> None:
    result = homeclerk("sms", "dump", "--chat-db", str(tmp_path / "nope.db"), cwd=tmp_path)
    assert result.returncode == 1
    # The path came from the flag: the error names the flag, not homeclerk.toml.
    assert "nope.db" in result.stderr and "--chat-db" in result.stderr
    assert "homeclerk.toml" not in result.stderr
    assert result.stdout == ""
    # There but not a Messages database: the same.
    (tmp_path / "junk.db").write_text("not sqlite at all, just text " * 50)
    junk = homeclerk("sms", "dump", "--chat-db", str(tmp_path / "junk.db"), cwd=tmp_path)
    assert junk.returncode == 1
    assert "--chat-db" in junk.stderr and "homeclerk.toml" not in junk.stderr


def test_bad_config_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "homeclerk.toml").write_text('[messages]\nbank_senders = ["VM-HDFCBK-P"]\n')
    result = homeclerk("sms", "dump", "--chat-db", "x.db", cwd=tmp_path)
    assert result.returncode == 2
    assert "configuration error" in result.stderr
    assert "Traceback" not in result.stderr
    assert "messages.bank_senders[0]" in result.stderr


def test_sms_parse_applies_the_owners_own_formats(tmp_path: Path) -> None:
    (tmp_path / "homeclerk.toml").write_text(
        "[[sms.formats]]\n"
        'sender = "XYZBNK"\n'
        "pattern = 'Rs\\.(?P<amount>[\\d,]+\\.\\d\\d) paid from A/c XX(?P<account_tail>\\d+) "
        "to (?P<counterparty>[A-Z ]+)\\.'\n"
        'direction = "debit"\n'
        'channel = "upi"\n'
    )
    line = {"id": "x1", "sender": "VM-XYZBNK", "body": "Rs.1,250.00 paid from A/c XX4321 to ASHA."}
    result = homeclerk("sms", "parse", stdin=json.dumps(line) + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    txn = json.loads(result.stdout)["transaction"]
    assert (txn["amount"], txn["direction"], txn["counterparty"], txn["account_tail"]) == (
        1250.0,
        "debit",
        "ASHA",
        "4321",
    )
    (tmp_path / "plain").mkdir()
    without = homeclerk("sms", "parse", stdin=json.dumps(line) + "\n", cwd=tmp_path / "plain")
    # Without the owner's format the generic layer still reads the alert, but cannot know the
    # rail the owner's format states.
    assert txn["channel"] == "upi"
    assert json.loads(without.stdout)["transaction"]["channel"] == "other"


def test_global_options_are_accepted_after_the_subcommand(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "homeclerk.toml"
    config.write_text('[messages]\nbank_senders = ["VM-HDFCBK-P"]\n')
    before = homeclerk("--config", str(config), "doctor", cwd=tmp_path)
    after = homeclerk("doctor", "--config", str(config), cwd=tmp_path)
    nested = homeclerk("broker", "status", "--config", str(config), cwd=tmp_path)
    for result in (before, after, nested):
        assert result.returncode == 2, result.stderr
        assert "messages.bank_senders[0]" in result.stderr and str(config) in result.stderr


def test_a_missing_config_names_the_option_not_the_environment(tmp_path: Path) -> None:
    for args in (("--config", "nope.toml", "doctor"), ("doctor", "--config", "nope.toml")):
        result = homeclerk(*args, cwd=tmp_path)
        assert result.returncode == 2
        assert "--config" in result.stderr and "nope.toml" in result.stderr
        assert "HOMECLERK_CONFIG" not in result.stderr


def test_broker_status_without_a_session_says_not_logged_in(tmp_path: Path) -> None:
    result = homeclerk("broker", "status", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("not logged in: run `homeclerk broker login`")
    assert "Traceback" not in result.stderr


def test_config_error_in_the_code_location_is_the_settings_message(tmp_path: Path) -> None:
    (tmp_path / "homeclerk.toml").write_text('[pahts]\ndata_dir = "x"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipeline.definitions"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "`[pahts]` is not a known section; did you mean `[paths]`?" in output
    # One frame (the line that raises it), not the settings reader's internals.
    assert "settings.py" not in output and "reject_unknown" not in output


def test_out_of_range_ports_are_refused_before_anything_starts(tmp_path: Path) -> None:
    for args in (("ui", "--port", "99999"), ("fava", "--port", "0"), ("ui", "--port", "nan")):
        result = homeclerk(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "--port" in result.stderr and "1-65535" in result.stderr
        assert not (tmp_path / "data").exists()  # nothing was prepared or started
