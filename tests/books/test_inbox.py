"""`[statements] inbox`: the sensor asks for a books run, the run imports each dropped file and
files it under documents/<account>/ (where Beancount and Fava find it); a bad file stays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from beancount.core import data
from dagster import (
    DagsterInstance,
    RunRequest,
    SkipReason,
    build_sensor_context,
    define_asset_job,
    materialize,
)

from assets.books.checks import load_books
from assets.books.definitions import BOOKS_ASSETS
from assets.books.resources import BooksResource
from assets.books.sensors import build_statement_inbox_sensor
from assets.books.statement_store import read_lines
from assets.common.resources import Clock, Warehouse
from assets.common.warehouse import connect
from assets.transactions.resources import ParsingConfig

from .helpers import SAVINGS, mapping, store_alerts, write_main
from .test_reconcile import NOVEMBER, _history, _write

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)


def _resources(tmp_path: Path) -> dict[str, object]:
    return {
        "clock": Clock(frozen_at=NOW.isoformat()),
        "parsing": ParsingConfig(timezone="Asia/Kolkata"),
        "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
        "books_config": BooksResource(
            books_dir=str(tmp_path / "books"),
            account_mapping=mapping().as_config(),
            timezone="Asia/Kolkata",
            statements_inbox=str(tmp_path / "inbox"),
        ),
    }


def _sensor(resources: dict[str, object]):
    books_config = resources["books_config"]
    assert isinstance(books_config, BooksResource)
    return build_statement_inbox_sensor(define_asset_job("books_job"), books_config)


def test_a_dropped_statement_is_imported_filed_for_fava_and_a_bad_one_stays(
    tmp_path: Path,
) -> None:
    store_alerts(tmp_path / "w.duckdb", _history())
    write_main(tmp_path / "books", extra='option "documents" "documents"\n')
    resources = _resources(tmp_path)
    sensor = _sensor(resources)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert isinstance(sensor(build_sensor_context()), SkipReason)

    bad = inbox / "a-odd.csv"
    bad.write_text("When,What,How much\n01/11/2026,tea,-10\n")
    _write(inbox / "b-nov.csv", NOVEMBER)
    asked = sensor(build_sensor_context())
    assert isinstance(asked, RunRequest) and asked.run_key

    result = materialize(
        BOOKS_ASSETS[:1], resources=resources, instance=DagsterInstance.ephemeral()
    )
    assert result.success
    filed = tmp_path / "books/documents/Assets/Bank/HDFC/Savings/2026-11-20.b-nov.csv"
    assert filed.exists() and not (inbox / "b-nov.csv").exists()
    assert bad.exists()
    assert "no known statement layout" in (inbox / "a-odd.csv.error.txt").read_text()
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        assert len(read_lines(con)) == 5
    text = (tmp_path / "books/generated/bank/2026-11.beancount").read_text()
    assert 'source: "statement"' in text  # the lost cash withdrawal is in the books

    # Refused and unchanged: not asked for again; the books load with the statement linked.
    assert isinstance(sensor(build_sensor_context()), SkipReason)
    loaded = load_books(tmp_path / "books/main.beancount")
    assert not loaded.errors, [e.message for e in loaded.errors]
    documents = [e for e in loaded.entries if isinstance(e, data.Document)]
    assert [(d.account, d.date) for d in documents] == [(SAVINGS, dt.date(2026, 11, 20))]
