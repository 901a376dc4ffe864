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
- Several alerts within a minute of each other may reach the phone in any order: for such runs,
  the orders that make the whole chain agree best are taken (fewest breaks over the chain, then
  fewest swaps from time order).
- Amounts and balances are compared in paise: a difference below half a paisa is no gap.
- An alert in another currency moves the rupee figure by an amount the alert does not state: the
  chain restarts at its stated figure (or at the next one).
- An amount held as implausible (plausible.py) is out of the sums, as in every reader; a gap
  across it names it (`held`), since confirming it may be what explains the gap.

The warehouse's reader, which narrows the search down in DuckDB, is `stored_chain.py`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

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


def no_mapping(bank: str, tail: str | None, instrument: str) -> str | None:
    """The account of nothing: every chain unmapped."""
    del bank, tail, instrument
    return None


def find_gaps(alerts: Iterable[ChainAlert], account_of: AccountOf = no_mapping) -> list[Gap]:
    """Every break in every account's chain, oldest first (by the alert that ends it)."""
    chains: dict[tuple[str, ...], list[ChainAlert]] = {}
    ledger: dict[tuple[str, ...], str | None] = {}
    for alert in alerts:
        key, account = chain_key(alert.bank, alert.account_tail, alert.instrument, account_of)
        if key is None:
            continue
        chains.setdefault(key, []).append(alert)
        ledger[key] = account
    gaps: list[Gap] = []
    for key, members in chains.items():
        tail = shown_tail((a.account_tail, a.instrument) for a in members)
        gaps.extend(chain_gaps(members, key[0], ledger[key], tail))
    return sorted(gaps, key=lambda g: (g.end.received_at, g.end.message_guid))


def shown_tail(tails: Iterable[tuple[str | None, str]]) -> str | None:
    """The number a chain is shown by: its account's own (a debit card's only when no alert
    named the account), the smallest when several, so every reader names it alike."""
    seen = [(instrument == "debit_card", tail) for tail, instrument in tails if tail]
    return min(seen)[1] if seen else None


def chain_key(
    bank: str, tail: str | None, instrument: str, account_of: AccountOf
) -> tuple[tuple[str, ...] | None, str]:
    """Which chain an alert of `bank` + `tail` + `instrument` is in (None: none), and the
    ledger account ("" when unmapped)."""
    figure = AVAILABLE_LIMIT if instrument == "credit_card" else BALANCE
    account = account_of(bank, tail, instrument)
    if account:
        return (figure, account), account
    if instrument == "debit_card":
        # Which account the card draws on is the mapping's to say; its figure is not its own.
        return None, ""
    return (figure, bank.upper(), (tail or "")[-4:], instrument), ""


def _signed(alert: ChainAlert) -> Decimal:
    return -alert.amount if alert.direction == "debit" else alert.amount


def _paise(value: Decimal) -> Decimal:
    return value.quantize(PAISA, rounding=ROUND_HALF_UP)


def chain_gaps(
    members: list[ChainAlert], figure: str, account: str | None, tail: str | None
) -> list[Gap]:
    """The gaps in one chain's alerts (sorted here), shown as `tail` on `account`."""
    members.sort(key=lambda a: (a.received_at, a.rowid, a.message_guid))
    gaps: list[Gap] = []
    last: ChainAlert | None = None  # the alert whose stated figure the chain stands on
    moved = Decimal(0)  # the alerts' sum since `last`
    held: list[str] = []
    for ordered in _orders(_runs(members)):
        for alert in ordered:
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
                            account_tail=tail,
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


# The most figures a chain keeps open between two runs (each with its own history); more than a
# handful only arise from long streaks of alerts in the same minute.
MAX_STATES = 32
_Cost = tuple[int, int]  # (breaks, swaps from time order)


def _orders(runs: Sequence[list[ChainAlert]]) -> list[list[ChainAlert]]:
    """Each run's alerts in the order that makes the whole chain agree best: the fewest breaks
    over the chain, then the fewest swaps from time order, then the earliest found.

    A Viterbi over the figure the chain expects after each run: every order of a run is tried
    from every figure the runs before can leave, so an alert without a figure is not moved past
    its run's last figure to hide a break in the next link. A run of one alert stating a rupee
    figure leaves one figure whatever came before, so the choices before it and after it are
    independent (what the warehouse's reader relies on: stored_chain.py).
    """
    # figure expected after the runs so far → (cost, figure before this run, this run's order)
    layers: list[dict[Decimal | None, tuple[_Cost, Decimal | None, list[ChainAlert]]]] = []
    states: dict[Decimal | None, _Cost] = {None: (0, 0)}
    for run in runs:
        reached: dict[Decimal | None, tuple[_Cost, Decimal | None, list[ChainAlert]]] = {}
        for before, cost in states.items():
            for order, swaps in _arrangements(run):
                after, breaks = _walk(order, before)
                total = (cost[0] + breaks, cost[1] + swaps)
                if after not in reached or total < reached[after][0]:
                    reached[after] = (total, before, order)
        kept = sorted(reached.items(), key=lambda kv: kv[1][0])[:MAX_STATES]
        layers.append(dict(kept))
        states = {figure: entry[0] for figure, entry in kept}
    if not layers:
        return []
    figure: Decimal | None = min(states.items(), key=lambda kv: kv[1])[0]
    orders: list[list[ChainAlert]] = []
    for layer in reversed(layers):
        _cost, figure, order = layer[figure]
        orders.append(order)
    return orders[::-1]


def _arrangements(run: list[ChainAlert]) -> list[tuple[list[ChainAlert], int]]:
    """The orders to try for a run, each with its swaps from time order (time order first)."""
    if len(run) == 1 or len(run) > MAX_REORDER or any(a.held or a.currency != "INR" for a in run):
        return [(run, 0)]  # a held or foreign alert's effect is not in the sums: time order
    out = []
    for perm in itertools.permutations(range(len(run))):
        swaps = sum(1 for i, j in itertools.combinations(range(len(perm)), 2) if perm[i] > perm[j])
        out.append(([run[i] for i in perm], swaps))
    return out


def _walk(order: Sequence[ChainAlert], figure: Decimal | None) -> tuple[Decimal | None, int]:
    """(the figure expected after `order` from `figure` (None: unknown), breaks on the way)."""
    breaks = 0
    for alert in order:
        if alert.held:
            continue
        if alert.currency != "INR":
            figure = alert.balance
            continue
        if figure is not None:
            figure += _signed(alert)
        if alert.balance is not None:
            breaks += figure is not None and _paise(alert.balance - figure) != 0
            figure = alert.balance
    return figure, breaks
