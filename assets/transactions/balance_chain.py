"""Gaps in the balance chain: where the balances two alerts state disagree with the alerts between.

For each account, consecutive stated balances must agree with the transactions between them:
balance_before + credits − debits = balance_after. A break is a `Gap`: money left (or arrived)
with no alert. Nothing here invents a transaction; a gap is only named.

Rules (also in docs/balance-gaps.md):
- The chain of an account: its alerts in the order the bank sent them (received time, then
  ROWID). A bank account's figure is the available balance; a debit card's alerts belong to the
  account the owner's mapping puts it on (unmapped, a card's figure and spends cannot be placed,
  so they are left out). A credit card's chain is its available limit, which a spend lowers and a
  payment or refund raises, the same arithmetic as a balance; a card alert's limit never joins a
  bank account's chain. Outstanding amounts are not read from alerts, so they are not chained.
- Several alerts within a minute of each other may reach the phone in any order: within such a
  run, the order whose balances agree best is taken (fewest breaks; among equals, time order).
- Amounts and balances are compared in paise: a difference below half a paisa is no gap.
- An alert in another currency moves the rupee figure by an amount the alert does not state: the
  chain restarts at its stated figure (or at the next one).
- An amount held as implausible (plausible.py) is out of the sums, as in every reader; a gap
  across it names it (`held`), since confirming it may be what explains the gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, NamedTuple

from assets.common.warehouse import has_table

if TYPE_CHECKING:
    import duckdb

PAISA = Decimal("0.01")
# Alerts this close to the previous one form a run whose order is taken from the balances.
SAME_MOMENT = dt.timedelta(seconds=60)
# A longer run than this keeps time order (the orders to try grow as n!; banks send a few).
MAX_REORDER = 7

LEFT = "left"  # the figure fell by more than the alerts between say: money left with no alert
ARRIVED = "arrived"  # it rose by more: money arrived with no alert

# What a chain's figure is: a bank account's available balance, or a card's available limit.
BALANCE = "balance"
AVAILABLE_LIMIT = "available_limit"


class ChainAlert(NamedTuple):
    """What the chain needs of one stored transaction."""

    message_guid: str
    received_at: dt.datetime
    rowid: int
    bank: str
    account_tail: str | None
    instrument: str
    amount: Decimal
    direction: str  # "debit" | "credit"
    balance: Decimal | None  # bank: available balance; credit card: available limit
    currency: str = "INR"
    held: bool = False  # above the plausibility ceiling and not confirmed: out of the sums


class AlertPoint(NamedTuple):
    """One end of a gap: the alert whose stated figure it starts or ends at."""

    message_guid: str
    received_at: dt.datetime
    balance: Decimal


class Gap(NamedTuple):
    """Money that moved between two alerts' stated figures with no alert of its own."""

    bank: str
    account_tail: str | None  # the account's own number when an alert named it, else a card's
    ledger_account: str | None  # from the owner's mapping; None when unmapped
    figure: str  # BALANCE | AVAILABLE_LIMIT
    amount: Decimal  # positive, in rupees
    direction: str  # LEFT | ARRIVED
    start: AlertPoint
    end: AlertPoint
    held: tuple[str, ...] = ()  # GUIDs held as implausible between the two alerts

    @property
    def label(self) -> str:
        """The account as people read it: `HDFC XX1276` (masked, last digits only)."""
        return f"{self.bank} XX{self.account_tail}" if self.account_tail else self.bank

    @property
    def signed(self) -> Decimal:
        """The gap as a posting on its own account: negative when money left."""
        return -self.amount if self.direction == LEFT else self.amount


# (bank, tail, instrument) → the owner's ledger account, or None when unmapped.
AccountOf = Callable[[str, str | None, str], str | None]


def _no_mapping(bank: str, tail: str | None, instrument: str) -> str | None:
    del bank, tail, instrument
    return None


def find_gaps(alerts: Iterable[ChainAlert], account_of: AccountOf = _no_mapping) -> list[Gap]:
    """Every break in every account's chain, oldest first (by the alert that ends it)."""
    chains: dict[tuple[str, ...], list[ChainAlert]] = {}
    ledger: dict[tuple[str, ...], str | None] = {}
    for alert in alerts:
        key, account = _chain_key(alert, account_of)
        if key is None:
            continue
        chains.setdefault(key, []).append(alert)
        ledger[key] = account
    gaps: list[Gap] = []
    for key, members in chains.items():
        gaps.extend(_chain_gaps(members, key[0], ledger[key]))
    return sorted(gaps, key=lambda g: (g.end.received_at, g.end.message_guid))


def _chain_key(alert: ChainAlert, account_of: AccountOf) -> tuple[tuple[str, ...] | None, str]:
    figure = AVAILABLE_LIMIT if alert.instrument == "credit_card" else BALANCE
    account = account_of(alert.bank, alert.account_tail, alert.instrument)
    if account:
        return (figure, account), account
    if alert.instrument == "debit_card":
        # Which account the card draws on is the mapping's to say; its figure is not its own.
        return None, ""
    tail = (alert.account_tail or "")[-4:]
    return (figure, alert.bank.upper(), tail, alert.instrument), ""


def _signed(alert: ChainAlert) -> Decimal:
    return -alert.amount if alert.direction == "debit" else alert.amount


def _paise(value: Decimal) -> Decimal:
    return value.quantize(PAISA, rounding=ROUND_HALF_UP)


def _chain_gaps(members: list[ChainAlert], figure: str, account: str | None) -> list[Gap]:
    members.sort(key=lambda a: (a.received_at, a.rowid, a.message_guid))
    own = [a.account_tail for a in members if a.instrument != "debit_card" and a.account_tail]
    gaps: list[Gap] = []
    last: ChainAlert | None = None  # the alert whose stated figure the chain stands on
    moved = Decimal(0)  # the alerts' sum since `last`
    held: list[str] = []
    runs = _runs(members)
    for n, run in enumerate(runs):
        expected = None if last is None or last.balance is None else last.balance + moved
        for alert in _best_order(run, expected, _next_figure(runs[n + 1 :])):
            if alert.held:
                held.append(alert.message_guid)
                continue
            if alert.currency != "INR":
                # Its rupee effect is unknown: start again from its figure (None: the next one).
                last, moved, held = alert, Decimal(0), []
                continue
            moved += _signed(alert)
            if alert.balance is None:
                continue
            if last is not None and last.balance is not None:
                diff = _paise(alert.balance - (last.balance + moved))
                if diff:
                    gaps.append(
                        Gap(
                            bank=alert.bank,
                            account_tail=own[0] if own else alert.account_tail,
                            ledger_account=account or None,
                            figure=figure,
                            amount=abs(diff),
                            direction=LEFT if diff < 0 else ARRIVED,
                            start=_point(last),
                            end=_point(alert),
                            held=tuple(held),
                        )
                    )
            last, moved, held = alert, Decimal(0), []
    return gaps


def _point(alert: ChainAlert) -> AlertPoint:
    assert alert.balance is not None
    return AlertPoint(alert.message_guid, alert.received_at, alert.balance)


def _runs(members: Sequence[ChainAlert]) -> list[list[ChainAlert]]:
    """The chain cut into runs of alerts each within SAME_MOMENT of the one before."""
    runs: list[list[ChainAlert]] = []
    for alert in members:
        if runs and alert.received_at - runs[-1][-1].received_at <= SAME_MOMENT:
            runs[-1].append(alert)
        else:
            runs.append([alert])
    return runs


def _next_figure(later: Sequence[list[ChainAlert]]) -> tuple[Decimal, Decimal] | None:
    """(what the alerts after a run move before the next stated figure, that figure), in time
    order; None when no later alert states one (or one's effect is unknown)."""
    moved = Decimal(0)
    for run in later:
        for alert in run:
            if alert.held or alert.currency != "INR":
                return None
            moved += _signed(alert)
            if alert.balance is not None:
                return moved, alert.balance
    return None


def _best_order(
    run: list[ChainAlert],
    expected: Decimal | None,
    ahead: tuple[Decimal, Decimal] | None = None,
) -> list[ChainAlert]:
    """The run's alerts in the order with the fewest breaks from `expected` (the figure the
    chain expects before the run, None when unknown) up to the next stated figure after the
    run (`ahead`): an alert without a figure moved past the run's last one must still agree
    with what comes next. Ties keep time order."""
    if len(run) == 1 or len(run) > MAX_REORDER:
        return run
    if any(a.held or a.currency != "INR" for a in run):
        return run  # their effect is not in the sums: nothing to order by
    best: tuple[int, list[ChainAlert]] | None = None

    def walk(done: list[ChainAlert], rest: list[ChainAlert], at: Decimal | None, breaks: int):
        nonlocal best
        if best is not None and breaks >= best[0]:
            return
        if not rest:
            if ahead is not None and at is not None and _paise(at + ahead[0] - ahead[1]):
                breaks += 1
                if best is not None and breaks >= best[0]:
                    return
            best = (breaks, list(done))
            return
        for i, alert in enumerate(rest):
            after = None if at is None else at + _signed(alert)
            missed = 0
            if alert.balance is not None:
                missed = int(after is not None and _paise(alert.balance - after) != 0)
                after = alert.balance
            done.append(alert)
            walk(done, rest[:i] + rest[i + 1 :], after, breaks + missed)
            done.pop()
            if best is not None and best[0] == 0:
                return

    walk([], list(run), expected, 0)
    return best[1] if best is not None else run


_CHAIN_SELECT = """
    SELECT t.message_guid, t.received_at, coalesce(t.message_rowid, 0), coalesce(t.bank, ''),
           t.account_tail, coalesce(t.instrument, 'account'), t.amount, t.direction, t.balance,
           coalesce(t.currency, 'INR'), {held} AS held
    FROM transactions t
    WHERE t.status = 'transaction' AND t.amount IS NOT NULL AND t.direction IS NOT NULL
      -- only issuers that ever state a figure have a chain
      AND t.bank IN (SELECT DISTINCT bank FROM transactions WHERE balance IS NOT NULL)
"""
_HELD = "t.message_guid IN (SELECT message_guid FROM held_amounts WHERE confirmed_at IS NULL)"


def read_chain_alerts(
    con: duckdb.DuckDBPyConnection, *, before: dt.datetime | None = None
) -> list[ChainAlert]:
    """The stored transactions the chains are made of (received before `before` when given);
    empty without a `transactions` table."""
    if not has_table(con, "transactions"):
        return []
    held = _HELD if has_table(con, "held_amounts") else "FALSE"
    query, params = _CHAIN_SELECT.format(held=held), []
    if not _has_currency(con):
        query = query.replace("coalesce(t.currency, 'INR')", "'INR'")
    if before is not None:
        query, params = query + " AND t.received_at < ?", [before]
    return [
        ChainAlert(
            message_guid=r[0],
            received_at=r[1] if r[1].tzinfo else r[1].replace(tzinfo=dt.UTC),
            rowid=int(r[2]),
            bank=r[3],
            account_tail=r[4],
            instrument=r[5],
            amount=Decimal(r[6]),
            direction=r[7],
            balance=None if r[8] is None else Decimal(r[8]),
            currency=r[9],
            held=bool(r[10]),
        )
        for r in con.execute(query, params).fetchall()
    ]


def _has_currency(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'transactions'"
        " AND table_schema = current_schema() AND column_name = 'currency'"
    ).fetchone()
    return bool(found and found[0])
