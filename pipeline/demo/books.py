"""Books for the demo: a main.beancount whose hand-kept parts match the demo's generated data."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.books.accounts import (
    BANK_INSTRUMENTS,
    OPENING_EQUITY,
    AccountMapping,
    commodity_name,
)
from assets.books.checks import BROKER_ACCOUNT
from assets.books.entries import CURRENCY, alert_date
from assets.portfolio.model import Holding
from assets.transactions.stored import StoredTransaction


def investment_entries_for(
    holdings: Sequence[Holding],
    date: dt.date,
    funding_account: str = OPENING_EQUITY,
) -> str:
    """Buy transactions (at the broker's average price) so the ledger holds what the broker does.

    Funded from `funding_account` (opening equity by default) so they never disturb the bank
    balance assertions.
    """
    blocks = []
    for h in sorted(holdings, key=lambda h: commodity_name(h.symbol, h.exchange, h.isin)):
        if h.quantity <= 0:
            continue
        name = commodity_name(h.symbol, h.exchange, h.isin)
        cost = h.quantity * h.average_price
        blocks.append(
            f'{date} * "Broker" "Opening position {h.symbol}"\n'
            f"  {BROKER_ACCOUNT:<40} {h.quantity} {name} {{{h.average_price} {CURRENCY}}}\n"
            f"  {funding_account:<40} {-cost} {CURRENCY}\n"
        )
    return "\n".join(blocks)


def opening_balances_for(
    alerts: Iterable[StoredTransaction], mapping: AccountMapping, tz: ZoneInfo
) -> dict[str, tuple[dt.date, Decimal]]:
    """Per bank account: (day before its first alert, balance before it) from the alerts' own
    available-balance figures, so the demo's balance assertions pass."""
    by_account: dict[str, list[StoredTransaction]] = defaultdict(list)
    for alert in alerts:
        account = mapping.lookup(alert.bank, alert.account_tail, alert.instrument)
        if account and alert.instrument in BANK_INSTRUMENTS and account.startswith("Assets:"):
            by_account[account].append(alert)
    out: dict[str, tuple[dt.date, Decimal]] = {}
    for account, items in sorted(by_account.items()):
        items.sort(key=lambda a: (a.received_at, a.message_rowid))
        moved = Decimal(0)
        for alert in items:
            moved += -alert.amount if alert.direction == "debit" else alert.amount
            if alert.balance is not None:
                first = min(alert_date(a, tz) for a in items)
                out[account] = (first - dt.timedelta(days=1), alert.balance - moved)
                break
    return out


def demo_main_beancount(
    *,
    opening_balances: Mapping[str, tuple[dt.date, Decimal]],
    accounts: Sequence[str],
    holdings: Sequence[Holding],
    holdings_date: dt.date,
    open_date: dt.date,
    title: str = "homeclerk demo books",
) -> str:
    """A complete main.beancount for the demo folder: options, opens, opening balances, buys."""
    opened = sorted({*accounts, *opening_balances, BROKER_ACCOUNT, OPENING_EQUITY, "Assets:Cash"})
    parts = [
        f'option "title" "{title}"',
        f'option "operating_currency" "{CURRENCY}"',
        'option "booking_method" "FIFO"',
        'option "documents" "documents"',  # imported statements, filed per account
        "",
        'include "generated/index.beancount"',
        "",
        *(f"{open_date} open {account}" for account in opened),
        "",
    ]
    for account, (day, amount) in sorted(opening_balances.items()):
        parts.append(
            f'{day} * "Opening balance"\n  {account:<40} {amount} {CURRENCY}\n'
            f"  {OPENING_EQUITY:<40} {-amount} {CURRENCY}\n"
        )
    parts.append(investment_entries_for(holdings, holdings_date))
    return "\n".join(parts) + "\n"


def demo_holdings(responses_dir: Path) -> tuple[Holding, ...]:
    """The demo broker's holdings (`holdings.json`, `mf_holdings.json` in Kite's response shape),
    parsed by the broker adapter itself so the demo books hold exactly what the broker reports."""
    from assets.portfolio.kite_adapter import parse_equity_holdings, parse_mf_holdings

    out: list[Holding] = []
    for name, parse in (
        ("holdings.json", parse_equity_holdings),
        ("mf_holdings.json", parse_mf_holdings),
    ):
        path = Path(responses_dir) / name
        if path.exists():
            payload = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
            out.extend(parse(payload["data"]))
    return tuple(out)
