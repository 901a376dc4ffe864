"""The expenses feed (`feeds/expenses.json`) as a plain function over plain rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from assets.books.budgets import Budget
from assets.common.feed_status import iso_instant
from assets.sms.health import QuietVerdict
from assets.transactions.balance_chain import AlertPoint, Gap
from assets.transactions.categories import UNCATEGORIZED, is_transfer
from assets.transactions.stored import StoredTransaction, in_rupees

from .budgets import budget_progress

SCHEMA = "homeclerk.expenses/1"
RECENT_LIMIT = 25
# Every total is in rupees. Another currency's transactions are listed apart, per currency; the
# ones whose bank stated a rupee figure also count in the rupee totals at that figure.
CURRENCY = "INR"
BREAKDOWN_DAYS = 30


class BalanceRow(NamedTuple):
    """The newest available balance (bank) or available limit (credit card) an alert stated."""

    bank: str
    account_tail: str | None
    instrument: str
    balance: Decimal
    received_at: dt.datetime


def window_start(now: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The earliest transaction date the feed needs: month start or 30 days back."""
    today = now.astimezone(tz).date()
    return min(today.replace(day=1), today - dt.timedelta(days=BREAKDOWN_DAYS - 1))


def mask_tail(tail: str | None) -> str | None:
    """The account's last digits as shown in the feed (`XX1234`), or None."""
    return f"XX{tail}" if tail else None


def build_expenses_feed(
    transactions: Iterable[StoredTransaction],
    balances: Sequence[BalanceRow],
    *,
    now: dt.datetime,
    tz: ZoneInfo,
    newest_message_at: dt.datetime | None,
    total_transactions: int,
    account_names: Mapping[tuple[str, str], str] | None = None,
    quiet: QuietVerdict | None = None,
    gaps: Sequence[Gap] = (),
    not_on_statement: Sequence[StoredTransaction] = (),
    budgets: Sequence[Budget] = (),
) -> dict[str, Any]:
    """Totals for today / this week (Mon–Sun) / this month (transfers between the owner's own
    accounts counted apart, so paying a card bill is not spending twice), a 30-day breakdown,
    the latest balance per account and the recent transactions.

    `account_names` maps (bank, tail) to the owner's ledger account, so a debit card's alerts
    (which state the balance of the account behind the card) and the account's own alerts give
    one balance, the newest.

    `status` is "no_data" when the warehouse holds no transaction at all, and "stale" when
    `quiet` (the SMS source's quiet verdict as of `now`) says no bank SMS arrived for far longer
    than usual, so a dashboard never shows zeros that look like a frugal week. `message` says
    why in plain words; it is null when the status is "ok". `stale_after` (the newest SMS + the
    quiet threshold) and `stale_reason` let a reader see the feed go stale without a rewrite
    (assets/common/feed_status.py).

    `gaps` are the open breaks in the balance chains (assets/transactions/balance_chain.py), most
    recent first: money that left or arrived with no alert. `not_on_statement` are the SMS
    transactions inside an imported statement's period that no statement line confirms (a
    misread, or an alert sent twice), newest first.

    `budgets` (`[[budgets]]`) give one row each for this month (assets/expenses/budgets.py).

    A foreign-currency transaction is listed in `foreign_currency_30d` in its own currency.
    When its alert states the rupee figure (`inr_amount`: what the card bill will show), it
    also counts in the rupee totals, categories and budgets at that figure, and each period
    says how much of its totals came so (`stated_by_bank`); without one it stays out of them.
    """
    today = now.astimezone(tz).date()
    periods = {
        "today": today,
        "this_week": today - dt.timedelta(days=today.weekday()),
        "this_month": today.replace(day=1),
    }
    breakdown_from = today - dt.timedelta(days=BREAKDOWN_DAYS - 1)
    totals = {name: _Totals() for name in periods}
    transfers = {name: _Totals() for name in periods}
    categories: dict[str, _Totals] = defaultdict(_Totals)
    foreign: dict[str, _Totals] = defaultdict(_Totals)
    # Per currency, the part of `foreign` counted in rupees at its stated figure.
    foreign_counted: dict[str, _Totals] = defaultdict(_Totals)
    stated = {name: _Totals() for name in periods}
    rows = sorted(transactions, key=lambda t: (t.received_at, t.message_guid), reverse=True)
    in_inr: list[StoredTransaction] = []  # what counts in rupees, for the budgets too
    for txn in rows:
        day = txn.local_date(tz)
        if day > today:
            continue  # a body date in the future is a bank typo; it still shows in "recent"
        counted = in_rupees(txn)
        if txn.currency != CURRENCY and day >= breakdown_from:
            # Listed apart, per currency, over the same 30 days, in that currency.
            foreign[txn.currency].add(txn)
            if counted is not None:
                foreign_counted[txn.currency].add(counted)
        if counted is None:
            continue  # no rupee figure stated: never guessed into a rupee total
        in_inr.append(counted)
        for name, start in periods.items():
            if day >= start:
                (transfers if is_transfer(txn.category) else totals)[name].add(counted)
                if counted is not txn:
                    stated[name].add(counted)
        if day >= breakdown_from:
            categories[txn.category or UNCATEGORIZED].add(counted)

    breakdown = [
        {"category": name, **tot.as_json()}
        for name, tot in sorted(categories.items(), key=lambda kv: (-kv[1].spend, kv[0]))
    ]
    status, message = _status(total_transactions, quiet, tz)
    stale_after, stale_reason = _staleness(total_transactions, quiet, tz)
    names = account_names or {}
    merged = newest_per_account(balances, names)
    return {
        "schema": SCHEMA,
        "generated_at": _iso(now),
        "as_of": _iso(newest_message_at) if newest_message_at else None,
        "status": status,
        "message": message,
        "stale_after": stale_after,
        "stale_reason": stale_reason,
        "timezone": str(tz),
        "currency": CURRENCY,
        "periods": {
            name: {
                "from": start.isoformat(),
                "to": today.isoformat(),
                **totals[name].as_json(),
                "transfers": transfers[name].as_json(refunds=False),
                # Of these totals: foreign-currency transactions at their bank's rupee figure.
                "stated_by_bank": stated[name].as_json(),
            }
            for name, start in periods.items()
        },
        "categories_30d": {
            "from": breakdown_from.isoformat(),
            "to": today.isoformat(),
            "categories": breakdown,
        },
        "foreign_currency_30d": {
            "from": breakdown_from.isoformat(),
            "to": today.isoformat(),
            "currencies": [
                {
                    "currency": code,
                    **tot.as_json(),
                    # Those whose alert stated a rupee figure, in rupees: counted in the totals.
                    "in_rupee_totals": foreign_counted[code].as_json(),
                }
                for code, tot in sorted(foreign.items())
            ],
        },
        "balances": [_balance_json(b, tz, names) for b in merged if b.instrument != "credit_card"],
        "card_limits": [
            _balance_json(b, tz, names) for b in merged if b.instrument == "credit_card"
        ],
        "recent": [_txn_json(t, tz) for t in rows[:RECENT_LIMIT]],
        "gaps": [_gap_json(g, tz) for g in gaps],
        "not_on_statement": [
            _txn_json(t, tz)
            for t in sorted(
                not_on_statement, key=lambda t: (t.received_at, t.message_guid), reverse=True
            )
        ],
        "budgets": budget_progress(budgets, in_inr, today=today, tz=tz),
    }


def _gap_json(gap: Gap, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "bank": gap.bank,
        "account": mask_tail(gap.account_tail),
        "ledger_account": gap.ledger_account,
        "figure": gap.figure,
        "amount": _money(gap.amount),
        "direction": gap.direction,
        "from": _point_json(gap.start, tz),
        "to": _point_json(gap.end, tz),
        "held": list(gap.held),
    }


def _point_json(point: AlertPoint, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "at": _iso(point.received_at.astimezone(tz)),
        "id": point.message_guid,
        "balance": _money(point.balance),
    }


def _status(
    total_transactions: int, quiet: QuietVerdict | None, tz: ZoneInfo
) -> tuple[str, str | None]:
    if not total_transactions:
        return "no_data", "No bank transaction has been read yet: check `homeclerk doctor`."
    if quiet is None or not quiet.quiet or quiet.newest is None or quiet.silence is None:
        return "ok", None
    days = quiet.silence.total_seconds() / 86400
    usual = quiet.threshold.total_seconds() / 86400
    newest = quiet.newest.astimezone(tz)
    return "stale", (
        f"No bank SMS has arrived for {days:.1f} days (the newest is from "
        f"{newest:%Y-%m-%d %H:%M}); more than {usual:.1f} days of silence is unusual for "
        "this account, so these totals are probably missing spending, not a quiet week. "
        "Check that this machine still receives and syncs Messages, then run `homeclerk doctor`."
    )


def _staleness(
    total_transactions: int, quiet: QuietVerdict | None, tz: ZoneInfo
) -> tuple[str | None, str | None]:
    """(`stale_after`, `stale_reason`): the newest bank SMS + the quiet rule's threshold (what
    the `source_not_quiet` check computes), so the feed turns stale for a reader even when
    nothing rewrites it (the service stopped); (None, None) without data."""
    if not total_transactions or quiet is None or quiet.newest is None:
        return None, None
    newest = quiet.newest.astimezone(tz)
    usual = quiet.threshold.total_seconds() / 86400
    return iso_instant(quiet.newest + quiet.threshold), (
        f"No bank SMS since {newest:%Y-%m-%d %H:%M}: more than {usual:.1f} days of silence is "
        "unusual for this account, so these totals are probably missing spending. Check that "
        "the service runs and this machine still receives and syncs Messages "
        "(`homeclerk doctor`)."
    )


class _Totals:
    """Debits, credits and refunds. A refund (kind `refund`) is money back on a purchase: it
    lowers `spend` (debit − refunds) and is not a credit, so it never shows as income."""

    __slots__ = ("count", "credit", "debit", "refunds")

    def __init__(self) -> None:
        self.debit = Decimal(0)
        self.credit = Decimal(0)
        self.refunds = Decimal(0)
        self.count = 0

    @property
    def spend(self) -> Decimal:
        return self.debit - self.refunds

    def add(self, txn: StoredTransaction) -> None:
        if txn.direction == "debit":
            self.debit += txn.amount
        elif txn.kind == "refund":
            self.refunds += txn.amount
        else:
            self.credit += txn.amount
        self.count += 1

    def as_json(self, refunds: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"debit": _money(self.debit), "credit": _money(self.credit)}
        if refunds:  # transfers between own accounts are never refunds or spending
            out |= {"refunds": _money(self.refunds), "spend": _money(self.spend)}
        return out | {"count": self.count}


def _money(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def newest_per_account(
    balances: Sequence[BalanceRow], names: Mapping[tuple[str, str], str]
) -> list[BalanceRow]:
    """One row per account: the newest figure, shown under the account's own number when an
    alert ever named it (a debit card's number otherwise). The review reads balances through
    this too, so both show one row per account with the same figure."""
    groups: dict[tuple[str, ...], list[BalanceRow]] = {}
    for row in balances:
        kind = _balance_kind(row.instrument)
        name = names.get((row.bank, row.account_tail or ""))
        key = (kind, name) if name else (kind, row.bank, row.account_tail or "")
        groups.setdefault(key, []).append(row)
    merged = []
    for rows in groups.values():
        newest = max(rows, key=lambda r: r.received_at)
        own = [r for r in rows if r.instrument != "debit_card"]
        tail = (own[0] if own else newest).account_tail
        merged.append(
            newest._replace(account_tail=tail, instrument=_balance_kind(newest.instrument))
        )
    return sorted(merged, key=lambda r: (r.bank, r.account_tail or ""))


def _balance_kind(instrument: str) -> str:
    # A debit card states the balance of the account behind it.
    return instrument if instrument in ("credit_card", "wallet") else "account"


def _balance_json(
    row: BalanceRow, tz: ZoneInfo, names: Mapping[tuple[str, str], str]
) -> dict[str, Any]:
    return {
        "bank": row.bank,
        "account": mask_tail(row.account_tail),
        "ledger_account": names.get((row.bank, row.account_tail or "")),
        "instrument": row.instrument,
        "amount": _money(row.balance),
        "as_of": _iso(row.received_at.astimezone(tz)),
    }


def _txn_json(txn: StoredTransaction, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": txn.message_guid,
        "date": txn.local_date(tz).isoformat(),
        "received_at": _iso(txn.received_at.astimezone(tz)),
        "amount": _money(txn.amount),
        "currency": txn.currency,
        # Another currency's spend: the rupee figure its bank stated (null when none); it is
        # what the rupee totals count for it.
        "inr_amount": None if txn.inr_amount is None else _money(txn.inr_amount),
        "direction": txn.direction,
        "kind": txn.kind,
        "payee": txn.payee or txn.counterparty,
        "counterparty": txn.counterparty,
        "category": txn.category or UNCATEGORIZED,
        # "learned": filed by the learned model ([categories] auto_apply_confidence), not a rule
        "category_source": txn.category_source,
        "bank": txn.bank,
        "account": mask_tail(txn.account_tail),
        "instrument": txn.instrument,
        "channel": txn.channel,
    }
