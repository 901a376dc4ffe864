"""`homeclerk doctor` on a real folder: what is fine says so, what is wrong says the fix."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
from pathlib import Path

from dagster import DagsterInstance

from pipeline.definitions import asset_names, build_definitions
from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.messages import IST, generate_demo_messages
from pipeline.doctor import doctor_exit_code, render, run_checks
from pipeline.service.instance import prepare_instance
from pipeline.settings import load_settings

END = dt.date(2026, 11, 19)
# The run's and the doctor's clock: the evening of the data's last day, on any calendar date.
AS_OF = dt.datetime.combine(END, dt.time(23, 0), IST)


def test_doctor_reports_what_ran_and_what_is_missing(tmp_path: Path) -> None:
    messages = generate_demo_messages(END, seed=8, days=15)
    write_chat_db(tmp_path / "chat.db", messages, seed=8)
    settings = load_settings(write_demo_config(tmp_path, "http://127.0.0.1:9/none"))
    (tmp_path / ".env").write_text("KITE_API_KEY=k\nKITE_API_SECRET=s\n")
    os.chmod(tmp_path / ".env", 0o644)
    settings = load_settings(settings.config_file)
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        job = build_definitions(settings).resolve_job_def("bank_sms_job")
        assert job.execute_in_process(
            run_config={"resources": {"clock": {"config": {"frozen_at": AS_OF.isoformat()}}}},
            instance=instance,
        ).success

    findings = {f.check: f for f in run_checks(settings, now=AS_OF)}
    assert findings["chat.db"].ok
    assert findings["warehouse"].ok
    assert findings["expenses.json"].ok
    assert findings["sms_messages"].ok and "last materialized" in findings["sms_messages"].detail
    assert not findings["portfolio.json"].ok  # never fetched in this folder
    assert not findings["broker_holdings"].ok
    # One finding per asset, found from the merged definitions (no list of names to keep).
    names = asset_names(build_definitions(settings))
    assert names[:3] == ["sms_messages", "transactions", "expenses_feed"]
    assert set(names) == {
        k.to_user_string()
        for k in build_definitions(settings).resolve_asset_graph().get_all_asset_keys()
    }
    assert [f.check for f in run_checks(settings, now=AS_OF) if f.check in names] == names
    assert not findings[".env"].ok and findings[".env"].fix == f"chmod 600 {tmp_path / '.env'}"
    assert doctor_exit_code(list(findings.values())) == 1
    # One unrecognized message (the demo's wallet alert): said once, as the warning the check
    # is, with a command that pasted as is lists it; not a FAIL beside a WARN of the check.
    coverage = [f for f in run_checks(settings, now=AS_OF) if "parse" in f.check]
    assert [(f.check, f.ok, f.warning) for f in coverage] == [("parse coverage", False, True)]
    command = (coverage[0].fix or "").split("`")[1]
    assert f"--config {settings.config_file} sms unrecognized" in command
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    pasted = subprocess.run(
        shlex.split(command), capture_output=True, text=True, env=env, cwd="/", timeout=120
    )
    assert pasted.returncode == 0 and "1 unrecognized bank SMS in 1 shape(s)" in pasted.stdout
    # No daemon ever ran on this folder: one line that says so, not "never ticked" per schedule.
    rendered = render(run_checks(settings, now=AS_OF))
    assert "never ticked" not in rendered
    assert rendered.count("the daemon has never run on this folder") == 1
    daemon = findings["daemon"]
    assert daemon.warning and f"--config {settings.config_file} serve`" in (daemon.fix or "")

    # No books in this folder: said with the command that starts them.
    books = findings["ledger file"]
    assert not books.ok and f"no {settings.books_dir / 'main.beancount'}" in books.detail
    assert (
        books.fix and f"cp {Path(__file__).parents[2] / 'ledger' / 'main.beancount'}" in books.fix
    )

    # A folder where chat.db should be: the fix says so (Full Disk Access is for EPERM only).
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"chat.db{suffix}").unlink(missing_ok=True)
    (tmp_path / "chat.db").mkdir()
    broken = {f.check: f for f in run_checks(settings, now=AS_OF)}
    assert not broken["chat.db"].ok
    chat_db = broken["chat.db"]
    assert "is a folder" in chat_db.detail + (chat_db.fix or "")
    text = render(list(broken.values()))
    assert "FAIL  chat.db" in text and "fix:" in text


def test_doctor_names_each_balance_gap_and_its_entry_pasted_closes_it(tmp_path: Path) -> None:
    from tests.books.helpers import SAVINGS, alert, store_alerts, write_main

    config = tmp_path / "homeclerk.toml"
    config.write_text(
        'timezone = "Asia/Kolkata"\n[paths]\ndata_dir = "data"\nbooks_dir = "books"\n'
        f'[books]\naccount_mapping = [{{ bank = "HDFC", tail = "1276", account = "{SAVINGS}" }}]\n'
    )
    settings = load_settings(config)
    settings.data_dir.mkdir(parents=True)
    day = dt.date(2026, 11, 3)
    # Seven gaps of 1..7 rupees, a day apart: the doctor names the newest five, then a count.
    store_alerts(
        settings.warehouse,
        [
            alert(n, day + dt.timedelta(days=n), "1.00", balance=str(1000 - n - n * (n + 1) // 2))
            for n in range(8)
        ],
    )
    main = write_main(settings.books_dir)

    def gaps() -> list:
        return [f for f in run_checks(settings, now=AS_OF) if f.check.startswith("balance")]

    found = gaps()
    assert [f.detail.split(" left")[0] for f in found[:5]] == ["₹7", "₹6", "₹5", "₹4", "₹3"]
    assert found[5].detail == "and 2 older gap(s)"
    assert all(f.warning and not f.ok for f in found)
    newest = found[0]
    assert "between 2026-11-09 10:06 (GUID-0006) and 2026-11-10 10:07 (GUID-0007)" in newest.detail
    prose, entry = (newest.fix or "").split("\n", 1)
    assert str(main) in prose
    assert entry.startswith("2026-11-10 ! ") and f"  {SAVINGS}  -7.00 INR" in entry
    main.write_text(main.read_text() + "\n" + entry + "\n")
    after = gaps()
    assert [f.detail.split(" left")[0] for f in after[:5]] == ["₹6", "₹5", "₹4", "₹3", "₹2"]
    assert "FAIL" not in render(after) and "WARN  balance gap" in render(after)
