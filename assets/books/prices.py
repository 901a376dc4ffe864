"""Broker snapshots → daily `price` directives, one per held instrument per day.

The day's price is the last snapshot of that local day: `last_price`, or the previous close when
the broker reports no last price. An instrument with neither is left out and reported; a zero
price would value a holding at nothing and hide it from the cross-check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from beancount.core import data
from beancount.core.amount import Amount

from assets.books.accounts import commodity_name
from assets.books.entries import CURRENCY, GENERATED_SOURCE
from assets.portfolio.model import Holding, HoldingsSnapshot


class PriceBuild(NamedTuple):
    """The price entries built, and the held instruments that had no usable price."""

    prices: tuple[data.Price, ...]
    missing: tuple[str, ...]  # "YYYY-MM-DD SYMBOL": held, but no usable price that day


def holding_price(holding: Holding) -> Decimal | None:
    """The holding's last price, else its previous close; None when neither is positive."""
    for value in (holding.last_price, holding.close_price):
        if value is not None and value > 0:
            return value
    return None


def last_snapshot_per_day(
    snapshots: Iterable[HoldingsSnapshot], tz: ZoneInfo
) -> dict[dt.date, HoldingsSnapshot]:
    """The last snapshot of each local day (in `tz`)."""
    days: dict[dt.date, HoldingsSnapshot] = {}
    for snap in sorted(snapshots, key=lambda s: (s.fetched_at, s.source)):
        days[snap.fetched_at.astimezone(tz).date()] = snap
    return days


def build_prices(snapshots: Iterable[HoldingsSnapshot], tz: ZoneInfo) -> PriceBuild:
    """One price entry per held commodity per day, from that day's last snapshot."""
    prices: list[data.Price] = []
    missing: list[str] = []
    for day, snap in sorted(last_snapshot_per_day(snapshots, tz).items()):
        per_commodity: dict[str, Decimal] = {}
        for holding in snap.holdings:
            if holding.quantity <= 0:
                continue
            name = commodity_name(holding.symbol, holding.exchange, holding.isin)
            price = holding_price(holding)
            if price is None:
                missing.append(f"{day} {holding.symbol}")
                continue
            per_commodity.setdefault(name, price)
        for name in sorted(per_commodity):
            meta = data.new_metadata(GENERATED_SOURCE, 0)
            prices.append(data.Price(meta, day, name, Amount(per_commodity[name], CURRENCY)))
    return PriceBuild(tuple(prices), tuple(missing))
