"""A first run on a bare or half-configured folder explains itself instead of failing noisily."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance, SkipReason, build_sensor_context

from assets.sms.chatdb import utc_to_apple_ns
from pipeline.definitions import build_definitions
from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.chatdb_writer import NewMessage, append_messages
from pipeline.demo.messages import generate_demo_messages
from pipeline.doctor import Finding, doctor_exit_code, render, run_checks
from pipeline.service.instance import prepare_instance
from pipeline.settings import CONFIG_ENV, ENV_FILE_ENV, load_settings, not_configured

BROKER_KEYS = ("KITE_API_KEY", "KITE_API_SECRET")


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no homeclerk.toml, no chat.db, no .env, and no keys in the environment."""
    for name in (CONFIG_ENV, ENV_FILE_ENV, *BROKER_KEYS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def demo_folder(bare: Path):  # type: ignore[no-untyped-def]
    """The demo's chat.db and homeclerk.toml but no .env: SMS path set up, broker not."""
    messages = generate_demo_messages(dt.date(2026, 11, 19), seed=5, days=12)
    write_chat_db(bare / "chat.db", messages, seed=5)
    settings = load_settings(write_demo_config(bare, "http://127.0.0.1:9/none"))
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        yield settings, instance


def test_sensor_skips_with_the_fix_when_chat_db_is_not_there(bare: Path) -> None:
    settings = load_settings(write_demo_config(bare, "http://127.0.0.1:9/none"))
    assert not settings.chat_db.exists()
    defs = build_definitions(settings)
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        context = build_sensor_context(
            instance=instance, definitions=defs, resources=defs.resources
        )
        result = defs.resolve_sensor_def("bank_sms_sensor")(context)
    assert isinstance(result, SkipReason)
    message = result.skip_message or ""
    assert message.startswith(f"SKIPPED: chat.db not found at {settings.chat_db}")
    assert "fix:" in message and "[messages] chat_db" in message
    assert context.cursor is None  # nothing was seen, so nothing is remembered


def test_not_configured_names_each_missing_piece(bare: Path) -> None:
    notes = not_configured(load_settings())
    assert len(notes) == 3, notes
    config, chat_db, broker = notes
    assert config.startswith("no homeclerk.toml") and "defaults" in config
    assert "no chat.db at" in chat_db and "skips" in chat_db
    assert "KITE_API_KEY" in broker and "portfolio" in broker
    assert "homeclerk broker login" in broker and 'adapter = "csv"' in broker


def test_an_android_only_machine_is_not_told_to_find_a_chat_db(bare: Path) -> None:
    config = write_demo_config(bare, "http://127.0.0.1:9/none", source="android")
    (bare / ".env").write_text("KITE_API_KEY=k\nKITE_API_SECRET=s\n")
    settings = load_settings(config)
    assert not settings.chat_db.exists() and settings.android_inbox is not None
    assert not_configured(settings) == []


def test_not_configured_is_empty_when_everything_is_there(bare: Path) -> None:
    settings = load_settings(write_demo_config(bare, "http://127.0.0.1:9/none"))
    write_chat_db(bare / "chat.db", generate_demo_messages(dt.date(2026, 11, 19), 1, 2), seed=1)
    (bare / ".env").write_text("KITE_API_KEY=k\nKITE_API_SECRET=s\n")
    assert not_configured(load_settings(settings.config_file)) == []


def test_everything_without_a_broker_runs_the_sms_path(demo_folder) -> None:  # type: ignore[no-untyped-def]
    settings, instance = demo_folder
    job = build_definitions(settings).resolve_job_def("everything_job")
    result = job.execute_in_process(instance=instance, raise_on_error=False)

    for name in ("sms_messages", "transactions", "expenses_feed"):
        assert instance.get_latest_materialization_event(AssetKey(name)) is not None, name
    assert (settings.feeds_dir / "expenses.json").is_file()
    failures = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == ["broker_holdings"]
    data = failures[0].step_failure_data
    description = data.user_failure_data.description if data.user_failure_data else ""
    assert description.startswith("broker not configured:")
    assert "homeclerk broker login" in description and 'adapter = "csv"' in description
    text = "\n".join(str(e.message) for e in result.all_events)
    assert "DagsterInvalidConfigError" not in text and "DagsterInvalidConfigError" not in str(
        data.error
    )


def _unmapped_account_sms() -> NewMessage:
    return NewMessage(
        guid="ACCOUNT-NOBODY-MAPPED",
        sender="VM-HDFCBK",
        text="Rs.4321.17 debited from a/c **9999 on 19-11-26 to VPA shop@ybl(UPI Ref No "
        "600000000123). Not you? Call 18002586161",
        attributed_body=None,
        date=utc_to_apple_ns(dt.datetime(2026, 11, 19, 9, 5, tzinfo=dt.UTC)),
    )


def _unknown_bank_sms() -> NewMessage:
    return NewMessage(
        guid="SHAPE-NOBODY-KNOWS",
        sender="VM-HDFCBK",
        text="Dear customer, your account ending 1276 saw some activity of Rs.12.00 today.",
        attributed_body=None,
        date=utc_to_apple_ns(dt.datetime(2026, 11, 19, 9, tzinfo=dt.UTC)),
    )


def test_doctor_reports_a_warning_check_and_never_says_all_good(demo_folder) -> None:  # type: ignore[no-untyped-def]
    settings, instance = demo_folder
    append_messages(settings.chat_db, [_unknown_bank_sms(), _unmapped_account_sms()])
    defs = build_definitions(settings)
    assert defs.resolve_job_def("bank_sms_job").execute_in_process(instance=instance).success
    assert (
        defs.resolve_implicit_global_asset_job_def()
        .execute_in_process(instance=instance, asset_selection=[AssetKey("ledger_entries")])
        .success
    )

    findings = run_checks(settings, now=dt.datetime(2026, 11, 19, 12, tzinfo=dt.UTC))
    checks = {f.check: f for f in findings if f.check.startswith("check ")}
    unmapped = checks["check unmapped_accounts"]
    assert not unmapped.ok and unmapped.warning
    assert unmapped.fix and "[[books.accounts]]" in unmapped.fix and 'tail = "9999"' in unmapped.fix
    # Passing checks are not problems.
    assert "check chat_db_readable" not in checks
    text = render(findings)
    assert "WARN  check unmapped_accounts" in text and 'tail = "9999"' in text
    # The unknown shape: said once, as the warning it is (the warehouse's live count), not
    # again by its check.
    assert "check parse_coverage" not in checks
    assert [f.warning for f in findings if "parse" in f.check] == [True]
    coverage = next(f for f in findings if f.check == "parse coverage")
    assert "WARN  parse coverage" in text and "sms unrecognized" in (coverage.fix or "")
    # A gap (two alerts of a wallet whose balances disagree): said once, by the warehouse's
    # live reading with the entry to keep, not again by the check's last evaluation.
    from tests.books.helpers import alert, store_alerts

    day = dt.date(2026, 11, 18)
    wallet = {"tail": "", "instrument": "wallet", "bank": "PAYTM"}
    store_alerts(
        settings.warehouse,
        [
            alert(9001, day, "10.00", balance="500.00", **wallet),
            alert(9002, day, "10.00", balance="300.00", hour=11, **wallet),
        ],
    )
    assert defs.resolve_job_def("bank_sms_job").execute_in_process(instance=instance).success
    key = AssetCheckKey(AssetKey("transactions"), "balances_chain_whole")
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    assert not latest.event.dagster_event.event_specific_data.passed
    findings = run_checks(settings, now=dt.datetime(2026, 11, 19, 12, tzinfo=dt.UTC))
    assert "check balances_chain_whole" not in {f.check for f in findings}
    [gap] = [f for f in findings if f.check == "balance gap"]
    assert gap.warning and gap.detail.startswith("₹190 left PAYTM with no alert")

    # A warning alone is still a problem: never "all good".
    only = [Finding("settings", True, "fine"), coverage]
    assert "all good" not in render(only) and "1 problem(s) found" in render(only)
    assert doctor_exit_code(only) == 1


def test_doctor_says_each_problem_once(bare: Path) -> None:
    text = render(run_checks(load_settings()))
    chat_db = str(Path.home() / "Library" / "Messages" / "chat.db")
    assert text.count(f"{chat_db} does not exist") == 1, text
    repeated = [
        Finding("broker", False, "token_expired since today", "run `homeclerk broker login`"),
        Finding(
            "check portfolio_status",
            False,
            "portfolio_feed: warning",
            "run `homeclerk broker login`",
        ),
        Finding("broker", False, "token_expired since today", "run `homeclerk broker login`"),
    ]
    assert render(repeated).count("homeclerk broker login") == 1
    assert render(repeated).endswith("1 problem(s) found")
