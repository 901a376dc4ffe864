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
import itertools
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
        key, account = _chain_key(alert.bank, alert.account_tail, alert.instrument, account_of)
        if key is None:
            continue
        chains.setdefault(key, []).append(alert)
        ledger[key] = account
    gaps: list[Gap] = []
    for key, members in chains.items():
        tail = _shown_tail((a.account_tail, a.instrument) for a in members)
        gaps.extend(_chain_gaps(members, key[0], ledger[key], tail))
    return sorted(gaps, key=lambda g: (g.end.received_at, g.end.message_guid))


def _shown_tail(tails: Iterable[tuple[str | None, str]]) -> str | None:
    """The number a chain is shown by: its account's own (a debit card's only when no alert
    named the account), the smallest when several, so every reader names it alike."""
    seen = [(instrument == "debit_card", tail) for tail, instrument in tails if tail]
    return min(seen)[1] if seen else None


def _chain_key(
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


def _chain_gaps(
    members: list[ChainAlert], figure: str, account: str | None, tail: str | None
) -> list[Gap]:
    members.sort(key=lambda a: (a.received_at, a.rowid, a.message_guid))
    gaps: list[Gap] = []
    last: ChainAlert | None = None  # the alert whose stated figure the chain stands on
    moved = Decimal(0)  # the alerts' sum since `last`
    held: list[str] = []
    runs = _runs(members)
    for n, run in enumerate(runs):
        expected = None if last is None or last.balance is None else last.balance + moved
        ordered = run if len(run) == 1 else _best_order(run, expected, _next_figure(runs, n + 1))
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


def _next_figure(runs: Sequence[list[ChainAlert]], first: int) -> tuple[Decimal, Decimal] | None:
    """(what the alerts of `runs[first:]` move before the next stated figure, that figure), in
    time order; None when no later alert states one (or one's effect is unknown)."""
    moved = Decimal(0)
    for run in itertools.islice(runs, first, None):
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


def stored_gaps(
    con: duckdb.DuckDBPyConnection,
    account_of: AccountOf = _no_mapping,
    *,
    before: dt.datetime | None = None,
) -> list[Gap]:
    """`find_gaps` over the stored transactions (received before `before` when given), the same
    gaps, without reading every row into Python: DuckDB finds the links that do not add up,
    and only the stretch around each is chained here.

    A stretch runs between two anchors: alerts stating a rupee figure, neither held nor in
    another currency, with no other alert of their chain within SAME_MOMENT. The chain's state
    after an anchor is that anchor whatever came before, so a stretch is chained on its own,
    and one whose every link adds up (in time order) holds no gap.
    """
    if not has_table(con, "transactions"):
        return []
    combos = con.execute(
        "SELECT DISTINCT coalesce(bank, ''), coalesce(account_tail, ''),"
        " coalesce(instrument, 'account') FROM transactions WHERE status = 'transaction'"
    ).fetchall()
    chain_ids: dict[tuple[str, ...], int] = {}
    rows: list[tuple[str, str, str, int]] = []
    members: dict[int, list[tuple[str | None, str]]] = {}
    ledger: dict[int, str] = {}
    for bank, tail, instrument in combos:
        key, account = _chain_key(bank, tail or None, instrument, account_of)
        if key is None:
            continue
        chain = chain_ids.setdefault(key, len(chain_ids))
        rows.append((bank, tail, instrument, chain))
        members.setdefault(chain, []).append((tail or None, instrument))
        ledger[chain] = account
    if not rows:
        return []
    held = _HELD if has_table(con, "held_amounts") else "FALSE"
    currency = "coalesce(t.currency, 'INR')" if _has_currency(con) else "'INR'"
    bound, params = ("AND t.received_at < ?", [before]) if before is not None else ("", [])
    # The few (bank, tail, instrument) → chain pairs, as a table DuckDB joins on.
    keys_sql = "chain_keys (bank, tail, instrument, chain) AS (VALUES {})".format(
        ", ".join(["(?, ?, ?, ?)"] * len(rows))
    )
    key_params: list[object] = [v for row in rows for v in row]
    broken = con.execute(
        f"WITH {keys_sql}, " + _STRETCHES.format(held=held, currency=currency, bound=bound),
        key_params + params,
    ).fetchall()
    stretches = _merged(broken)
    found = (
        _stretches(con, (keys_sql, key_params), stretches, held, currency, bound, params)
        if stretches
        else {}
    )
    gaps: list[Gap] = []
    for n, alerts in found.items():
        chain = stretches[n][0]
        figure = AVAILABLE_LIMIT if alerts[0].instrument == "credit_card" else BALANCE
        tail = _shown_tail(members[chain])
        gaps.extend(_chain_gaps(alerts, figure, ledger[chain] or None, tail))
    return sorted(gaps, key=lambda g: (g.end.received_at, g.end.message_guid))


Stretch = tuple[int, "dt.datetime | None", "dt.datetime | None"]


def _merged(stretches: Iterable[Stretch]) -> list[Stretch]:
    """The stretches of each chain with overlapping or touching ones merged (None:
    open-ended), so that each alert is in one stretch at most."""
    low, high = dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC)
    ordered = sorted(stretches, key=lambda s: (s[0], s[1] or low))
    out: list[Stretch] = []
    for chain, start, end in ordered:
        if out and out[-1][0] == chain and (start or low) <= (out[-1][2] or high):
            previous = out[-1]
            out[-1] = (
                chain,
                previous[1],
                None if end is None or previous[2] is None else max(end, previous[2]),
            )
        else:
            out.append((chain, start, end))
    return out


# Every row of a chain with its running sum, then each stated figure's link to the one before:
# a link that does not add up (or crosses a held or foreign-currency alert) is dirty, and the
# stretch to re-chain runs from the last anchor before it to the first anchor from it on
# (NULL: the chain's start or end).
_STRETCHES = """
rows AS (
    SELECT k.chain, t.received_at AS moment, coalesce(t.message_rowid, 0) AS rowid,
           t.message_guid AS guid, t.balance,
           ({held}) AS held, {currency} <> 'INR' AS foreign_currency,
           CASE WHEN ({held}) OR {currency} <> 'INR' THEN 0
                WHEN t.direction = 'debit' THEN -t.amount ELSE t.amount END AS signed
    FROM transactions t JOIN chain_keys k
      ON k.bank = coalesce(t.bank, '') AND k.tail = coalesce(t.account_tail, '')
     AND k.instrument = coalesce(t.instrument, 'account')
    WHERE t.status = 'transaction' AND t.amount IS NOT NULL AND t.direction IS NOT NULL {bound}
),
ordered AS (
    SELECT *,
        sum(signed) OVER w AS cum,
        sum(CASE WHEN held OR foreign_currency THEN 1 ELSE 0 END) OVER w AS odd,
        moment - lag(moment) OVER (PARTITION BY chain ORDER BY moment, rowid, guid) AS since,
        lead(moment) OVER (PARTITION BY chain ORDER BY moment, rowid, guid) - moment AS until
    FROM rows
    WINDOW w AS (PARTITION BY chain ORDER BY moment, rowid, guid ROWS UNBOUNDED PRECEDING)
),
figures AS (
    SELECT *,
        NOT held AND NOT foreign_currency
            AND coalesce(since > INTERVAL '{same} seconds', TRUE)
            AND coalesce(until > INTERVAL '{same} seconds', TRUE) AS anchor,
        lag(balance) OVER f AS before_balance, lag(cum) OVER f AS before_cum,
        lag(odd) OVER f AS before_odd
    FROM ordered WHERE balance IS NOT NULL
    WINDOW f AS (PARTITION BY chain ORDER BY moment, rowid, guid)
),
marked AS (
    SELECT *,
        max(CASE WHEN anchor THEN moment END) OVER (PARTITION BY chain ORDER BY moment, rowid, guid
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS start_at,
        min(CASE WHEN anchor THEN moment END) OVER (PARTITION BY chain ORDER BY moment, rowid, guid
            ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS end_at,
        before_balance IS NOT NULL
            AND (balance - before_balance <> cum - before_cum OR odd <> before_odd)
            AS broken
    FROM figures
)
SELECT chain, start_at, end_at FROM marked WHERE broken
""".replace("{same}", str(int(SAME_MOMENT.total_seconds())))


def _stretches(
    con: duckdb.DuckDBPyConnection,
    keys: tuple[str, list[object]],
    stretches: Sequence[Stretch],
    held: str,
    currency: str,
    bound: str,
    params: list[object],
) -> dict[int, list[ChainAlert]]:
    """Each stretch's alerts, by its index in `stretches`, in one query (bounds inclusive;
    None: open-ended; the stretches of a chain do not overlap, so an as-of join places each
    alert in the one that starts last before it)."""
    keys_sql, key_params = keys
    values = ", ".join(
        [
            "(?, ?, coalesce(CAST(? AS TIMESTAMPTZ), '-infinity'::TIMESTAMPTZ),"
            " coalesce(CAST(? AS TIMESTAMPTZ), 'infinity'::TIMESTAMPTZ))"
        ]
        * len(stretches)
    )
    stretch_params = [v for n, (c, a, b) in enumerate(stretches) for v in (n, c, a, b)]
    select = _CHAIN_SELECT.format(held=held).replace("coalesce(t.currency, 'INR')", currency)
    query = (
        f"WITH {keys_sql}, gap_stretches (stretch, chain, start_at, end_at) AS (VALUES {values}),"
        " alerts AS ("
        + select.replace("SELECT t.message_guid", "SELECT k.chain, t.message_guid").replace(
            "FROM transactions t",
            "FROM transactions t JOIN chain_keys k ON k.bank = coalesce(t.bank, '')"
            " AND k.tail = coalesce(t.account_tail, '')"
            " AND k.instrument = coalesce(t.instrument, 'account')",
        )
        + bound
        + ") SELECT s.stretch, a.* EXCLUDE (chain) FROM alerts a ASOF JOIN gap_stretches s"
        " ON s.chain = a.chain AND a.received_at >= s.start_at WHERE a.received_at <= s.end_at"
    )
    rows = con.execute(query, key_params + stretch_params + params).fetchall()
    out: dict[int, list[ChainAlert]] = {}
    for row in rows:
        out.setdefault(int(row[0]), []).append(_alert(row[1:]))
    return out


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
    return [_alert(r) for r in con.execute(query, params).fetchall()]


def _alert(r: tuple) -> ChainAlert:  # type: ignore[type-arg]
    return ChainAlert(
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


def _has_currency(con: duckdb.DuckDBPyConnection) -> bool:
    [(found,)] = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'transactions'"
        " AND table_schema = current_schema() AND column_name = 'currency'"
    ).fetchall()
    return bool(found)
