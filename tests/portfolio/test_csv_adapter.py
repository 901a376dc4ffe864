"""The CSV adapter: the newest console export, columns matched by name, clear errors."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from assets.portfolio.csv_adapter import CsvAdapter
from assets.portfolio.errors import (
    BrokerConfigError,
    HoldingsFileFormatError,
    HoldingsFileMissingError,
)
from assets.portfolio.refresh import refresh_portfolio

CONSOLE_EXPORT = """Instrument,Qty.,Avg. cost,LTP,Cur. val,P&L,Net chg.,Day chg.
INFY,40,1412.35,1583.60,63344.00,6850.00,12.13,0.79
TCS,12,3675.80,3452.15,41425.80,-2683.80,-6.08,-0.77
"""


def _write(folder: Path, name: str, text: str, mtime: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_console_export_is_read_by_header_name(tmp_path: Path) -> None:
    _write(tmp_path / "csv", "holdings.csv", CONSOLE_EXPORT)
    snapshot = CsvAdapter(tmp_path / "csv").fetch_holdings()
    assert snapshot.source == "csv:holdings.csv"
    infy, tcs = snapshot.holdings
    assert (infy.symbol, infy.exchange, infy.quantity) == ("INFY", "NSE", Decimal(40))
    assert (infy.average_price, infy.last_price) == (Decimal("1412.35"), Decimal("1583.60"))
    # Day chg. is a percentage: the previous close is recovered from it.
    assert infy.close_price == Decimal("1571.1876")  # 1583.60 / 1.0079
    assert tcs.day_change is not None and tcs.day_change < 0


def test_header_variations_and_column_order(tmp_path: Path) -> None:
    text = (
        "\ufeff avg COST , quantity,Instrument ,ltp,Day Chg\n"
        '"1,412.35",40,INFY,"1,583.60",+0.79%\n'
        "3675.8,12,TCS,3452.15,\n"
        "Total,52,,,\n"
    )
    _write(tmp_path / "csv", "export.csv", text)
    infy, tcs = CsvAdapter(tmp_path / "csv").fetch_holdings().holdings
    assert (infy.symbol, infy.quantity, infy.average_price) == ("INFY", 40, Decimal("1412.35"))
    assert infy.last_price == Decimal("1583.60")
    assert (tcs.symbol, tcs.close_price, tcs.day_change) == ("TCS", None, None)


@pytest.mark.parametrize("qty_header", ["Qty", "Qty.", "Quantity", "QTY"])
def test_quantity_header_spellings(tmp_path: Path, qty_header: str) -> None:
    _write(
        tmp_path / "csv", "h.csv", f"Instrument,{qty_header},Avg cost,LTP\nITC,150,398.2,412.65\n"
    )
    (itc,) = CsvAdapter(tmp_path / "csv").fetch_holdings().holdings
    assert itc.quantity == 150


def test_newest_file_wins(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    _write(folder, "z-old.csv", "Instrument,Qty.,Avg. cost,LTP\nOLD,1,1,1\n", mtime=1_700_000_000)
    _write(folder, "a-new.csv", "Instrument,Qty.,Avg. cost,LTP\nNEW,1,1,1\n", mtime=1_800_000_000)
    _write(folder, ".hidden.csv", "Instrument,Qty.,Avg. cost,LTP\nHID,1,1,1\n", mtime=1_900_000_000)
    snapshot = CsvAdapter(folder).fetch_holdings()
    assert [h.symbol for h in snapshot.holdings] == ["NEW"]
    assert snapshot.fetched_at.timestamp() == 1_800_000_000  # the file's time: re-reads repeat


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    _write(tmp_path / "csv", "holdings-2026.csv", "Instrument,Qty.,LTP\nINFY,40,1583.6\n")
    with pytest.raises(HoldingsFileFormatError) as caught:
        CsvAdapter(tmp_path / "csv").fetch_holdings()
    message = str(caught.value)
    assert "holdings-2026.csv" in message and "'Avg. cost'" in message
    assert caught.value.status == "malformed_response"


def test_bad_number_names_line_and_column(tmp_path: Path) -> None:
    _write(tmp_path / "csv", "h.csv", "Instrument,Qty.,Avg. cost,LTP\nINFY,forty,1,1\n")
    with pytest.raises(HoldingsFileFormatError, match=r"h\.csv line 2: 'Qty\.' is 'forty'"):
        CsvAdapter(tmp_path / "csv").fetch_holdings()


def test_no_csv_and_no_folder_are_source_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(HoldingsFileMissingError, match="no holdings CSV in"):
        CsvAdapter(tmp_path / "empty").fetch_holdings()
    with pytest.raises(HoldingsFileMissingError, match="does not exist"):
        CsvAdapter(tmp_path / "nowhere").fetch_holdings()
    with pytest.raises(BrokerConfigError, match="csv_folder"):
        CsvAdapter(None).fetch_holdings()


def test_csv_through_the_feed_and_a_broken_export_keeps_it(tmp_path: Path) -> None:
    folder, feeds, warehouse = tmp_path / "csv", tmp_path / "feeds", tmp_path / "w.duckdb"
    _write(folder, "a.csv", CONSOLE_EXPORT, mtime=1_800_000_000)
    feed = refresh_portfolio(CsvAdapter(folder), feeds, warehouse)
    assert feed["source"] == "csv:a.csv"
    assert feed["totals"]["value"] == 63344.0 + 41425.8
    before = (feeds / "portfolio.json").read_bytes()

    _write(folder, "b.csv", "Instrument,Price\nINFY,1\n", mtime=1_800_000_100)
    with pytest.raises(HoldingsFileFormatError):
        refresh_portfolio(CsvAdapter(folder), feeds, warehouse)
    assert (feeds / "portfolio.json").read_bytes() == before
    marker = json.loads((feeds / "portfolio.status.json").read_text())
    assert marker["status"] == "malformed_response" and "b.csv" in marker["message"]
