"""Holdings from Kite Connect: equity (`/portfolio/holdings`) and, optionally, mutual funds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from assets.portfolio.errors import (
    BrokerConfigError,
    MalformedResponseError,
    MissingFieldError,
    NotANumberError,
)
from assets.portfolio.kite_client import DEFAULT_BASE_URL, KiteClient
from assets.portfolio.model import Holding, HoldingsSnapshot
from assets.portfolio.token_store import load_session

HOLDINGS_PATH = "/portfolio/holdings"
MF_HOLDINGS_PATH = "/mf/holdings"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class KiteAdapter:
    """Holdings from the Kite Connect API, with the session from the token file."""

    source = "kite"

    def __init__(
        self,
        api_key: str,
        token_file: Path | None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout_seconds: float = 10.0,
        include_mf: bool = True,
        max_tries: int = 3,
        backoff_seconds: float = 0.5,
        now: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self._api_key = api_key
        self._token_file = Path(token_file) if token_file else None
        self._base_url = base_url
        self._timeout = timeout_seconds
        self._include_mf = include_mf
        self._max_tries = max_tries
        self._backoff = backoff_seconds
        self._now = now

    def __repr__(self) -> str:
        return f"KiteAdapter(base_url={self._base_url!r}, include_mf={self._include_mf})"

    def fetch_holdings(self) -> HoldingsSnapshot:
        """Equity (and, if enabled, mutual fund) holdings; BrokerError on failure."""
        if not self._api_key:
            raise BrokerConfigError(
                "the broker API key is not set: add KITE_API_KEY to the .env file (or use the "
                "csv adapter)"
            )
        if self._token_file is None:
            raise BrokerConfigError(
                "no broker token file is configured: set broker.token_file in homeclerk.toml"
            )
        session = load_session(self._token_file, now=self._now())
        with KiteClient(
            self._api_key,
            session.access_token,
            base_url=self._base_url,
            timeout_seconds=self._timeout,
            max_tries=self._max_tries,
            backoff_seconds=self._backoff,
        ) as client:
            fetched_at = self._now()
            holdings = parse_equity_holdings(client.get(HOLDINGS_PATH))
            if self._include_mf:
                holdings += parse_mf_holdings(client.get(MF_HOLDINGS_PATH))
        return HoldingsSnapshot(fetched_at=fetched_at, source=self.source, holdings=holdings)


def parse_equity_holdings(data: Any) -> tuple[Holding, ...]:
    """Holdings from the `/portfolio/holdings` data (MalformedResponseError if bad)."""
    rows = _rows(data, HOLDINGS_PATH)
    holdings = []
    for index, row in enumerate(rows):
        where = f"{HOLDINGS_PATH} item {index}"
        symbol = _text(row, "tradingsymbol", where)
        where = f"{HOLDINGS_PATH} {symbol}"
        # Units held: settled + bought-not-yet-settled (T1) + pledged as collateral.
        units = (
            _number(row, "quantity", where)
            + _number(row, "t1_quantity", where, default=Decimal(0))
            + _number(row, "collateral_quantity", where, default=Decimal(0))
        )
        if units == 0:
            continue  # sold out today; Kite still lists the row
        holdings.append(
            Holding(
                symbol=symbol,
                exchange=_text(row, "exchange", where),
                isin=row.get("isin") or None,
                quantity=units,
                average_price=_number(row, "average_price", where),
                last_price=_number(row, "last_price", where),
                close_price=_number(row, "close_price", where, default=None),
                day_change=_number(row, "day_change", where, default=None),
            )
        )
    return tuple(holdings)


def parse_mf_holdings(data: Any) -> tuple[Holding, ...]:
    """Holdings from the `/mf/holdings` data (MalformedResponseError if bad)."""
    rows = _rows(data, MF_HOLDINGS_PATH)
    holdings = []
    for index, row in enumerate(rows):
        isin = _text(row, "tradingsymbol", f"{MF_HOLDINGS_PATH} item {index}")
        where = f"{MF_HOLDINGS_PATH} {isin}"
        units = _number(row, "quantity", where)
        if units == 0:
            continue
        holdings.append(
            Holding(
                symbol=isin,  # Kite uses the ISIN as the fund's trading symbol
                exchange="MF",
                isin=isin,
                quantity=units,
                average_price=_number(row, "average_price", where),
                last_price=_number(row, "last_price", where),
                close_price=None,  # funds have one NAV a day and no intraday change
                day_change=None,
            )
        )
    return tuple(holdings)


def _rows(data: Any, path: str) -> list[Mapping[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise MalformedResponseError(
            f"the broker's {path} data is not a list of holdings; the last good portfolio is kept"
        )
    return data


def _text(row: Mapping[str, Any], key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MissingFieldError(where, key)
    return value.strip()


_MISSING = object()


def _number(row: Mapping[str, Any], key: str, where: str, default: Any = _MISSING) -> Any:
    value = row.get(key)
    if value is None:
        if default is _MISSING:
            raise MissingFieldError(where, key)
        return default
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise NotANumberError(where, key)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise NotANumberError(where, key) from None
    if not number.is_finite():
        raise NotANumberError(where, key, finite=True)
    return number
