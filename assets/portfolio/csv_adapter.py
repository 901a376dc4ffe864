"""Holdings from the newest CSV the broker's web console exported into a watched folder.

For owners without API access. Columns are matched by header name, not position, because the
console's export has changed its headers over time ("Qty." / "Qty" / "Quantity").
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from assets.portfolio.errors import (
    BrokerConfigError,
    HoldingsFileFormatError,
    HoldingsFileMissingError,
    HoldingsFileUnreadableError,
)
from assets.portfolio.model import Holding, HoldingsSnapshot

# Normalised header (lower case, letters and digits only, single spaces) → our field.
_HEADER_ALIASES: dict[str, str] = {
    "instrument": "symbol",
    "symbol": "symbol",
    "tradingsymbol": "symbol",
    "trading symbol": "symbol",
    "qty": "quantity",
    "quantity": "quantity",
    "avg cost": "average_price",
    "average cost": "average_price",
    "avg price": "average_price",
    "average price": "average_price",
    "ltp": "last_price",
    "last price": "last_price",
    "last traded price": "last_price",
    "day chg": "day_change_pct",
    "day change": "day_change_pct",
    "day chg %": "day_change_pct",
    "isin": "isin",
}
_REQUIRED = {
    "symbol": "Instrument",
    "quantity": "Qty.",
    "average_price": "Avg. cost",
    "last_price": "LTP",
}
_PRICE_PLACES = Decimal("0.0001")


def normalise_header(text: str) -> str:
    """A CSV column header lower-cased, with punctuation and spacing folded."""
    text = text.strip().lstrip("\ufeff").lower().replace("%", " % ")
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split())


def newest_csv(folder: Path) -> Path:
    """The most recently modified holdings CSV in `folder` (HoldingsFileMissingError if none)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise HoldingsFileMissingError(
            f"the holdings folder {folder} does not exist; create it and save the holdings CSV "
            "from the broker's console there"
        )
    candidates = [
        p for p in folder.iterdir() if p.suffix.lower() == ".csv" and not p.name.startswith(".")
    ]
    if not candidates:
        raise HoldingsFileMissingError(
            f"no holdings CSV in {folder}; download the holdings CSV from the broker's console "
            "into that folder"
        )
    return max(candidates, key=lambda p: (p.stat().st_mtime_ns, p.name))


class CsvAdapter:
    """Reads the newest `*.csv` in `folder`; the snapshot time is the file's modification time."""

    def __init__(self, folder: Path | None, exchange: str = "NSE") -> None:
        self._folder = Path(folder) if folder else None
        self._exchange = exchange  # the console export does not say; equity holdings are NSE

    def fetch_holdings(self) -> HoldingsSnapshot:
        """The holdings in the newest CSV, timed by the file's modification time."""
        if self._folder is None:
            raise BrokerConfigError(
                "the csv broker adapter has no folder: set broker.csv_folder in homeclerk.toml"
            )
        path = newest_csv(self._folder)
        # The file's own time: re-reading an unchanged file yields the same snapshot (idempotent).
        fetched_at = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        holdings = parse_holdings_csv(path, self._exchange)
        return HoldingsSnapshot(fetched_at=fetched_at, source=f"csv:{path.name}", holdings=holdings)


def parse_holdings_csv(path: Path, exchange: str = "NSE") -> tuple[Holding, ...]:
    """The holdings in a broker console CSV export (HoldingsFileFormatError if bad)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HoldingsFileUnreadableError(path.name, type(exc).__name__) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise HoldingsFileFormatError(path.name, "is empty (no header row)")
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        field = _HEADER_ALIASES.get(normalise_header(name))
        if field and field not in columns:
            columns[field] = index
    missing = [label for field, label in _REQUIRED.items() if field not in columns]
    if missing:
        raise HoldingsFileFormatError(
            path.name,
            f"has no {', '.join(repr(m) for m in missing)} column "
            f"(found: {', '.join(h.strip() for h in header)}); export the holdings again from "
            "the broker's console",
        )

    holdings = []
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        symbol = _cell(row, columns["symbol"]).strip()
        if not symbol or symbol.lower() in {"total", "totals"}:
            continue  # some exports end with a totals row

        def number(field: str, *, _row: list[str] = row, _line: int = line_no) -> Decimal:
            label = _REQUIRED.get(field, field)
            return _number(path.name, _line, label, _cell(_row, columns[field]))

        last_price = number("last_price")
        close_price = day_change = None
        if "day_change_pct" in columns and _cell(row, columns["day_change_pct"]).strip():
            # The console gives the day change as a percentage; recover the previous close.
            pct = _number(path.name, line_no, "Day chg.", _cell(row, columns["day_change_pct"]))
            if pct > -100:
                close_price = (last_price / (1 + pct / 100)).quantize(_PRICE_PLACES)
                day_change = last_price - close_price
        isin = None
        if "isin" in columns:
            isin = _cell(row, columns["isin"]).strip() or None
        holdings.append(
            Holding(
                symbol=symbol,
                exchange=exchange,
                isin=isin,
                quantity=number("quantity"),
                average_price=number("average_price"),
                last_price=last_price,
                close_price=close_price,
                day_change=day_change,
            )
        )
    return tuple(holdings)


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _number(file_name: str, line_no: int, column: str, text: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("₹", "").replace("%", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise HoldingsFileFormatError(
            file_name, f"line {line_no}: {column!r} is {text.strip()!r}, not a number"
        )
    return value
