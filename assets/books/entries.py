"""Bank alerts → Beancount transactions and next-day balance assertions (plain functions).

Stable identity: every generated entry carries `sms_guid` (the message GUID) and, where the alert
has one, `bank_ref`; output is sorted by (date, guid), so the same alerts give the same entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from beancount.core import data
from beancount.core.amount import Amount

from assets.books.accounts import (
    BANK_INSTRUMENTS,
    OPENING_EQUITY,
    AccountMapping,
    category_tail,
    counter_account,
    toml_entry,
)
from assets.books.handkept import EMPTY_HAND_KEPT, HandKept, HandPosting
from assets.books.reconcile import EMPTY_RECONCILIATION, MATCH_DAYS, Reconciliation
from assets.books.rows import UnmappedAccount
from assets.books.statement_entries import (
    Describe,
    confirmation,
    describer,
    statement_transaction,
)
from assets.transactions.categories import UNCATEGORIZED
from assets.transactions.stored import StoredTransaction

CURRENCY = "INR"
GENERATED_SOURCE = "<homeclerk>"
UNCATEGORIZED_ACCOUNTS = (f"Expenses:{UNCATEGORIZED}", f"Income:{UNCATEGORIZED}")
_ONE_DAY = dt.timedelta(days=1)
_CHANNEL_LABEL = {
    "upi": "UPI",
    "card": "Card",
    "neft": "NEFT",
    "imps": "IMPS",
    "atm": "ATM",
    "other": "Bank",
}


class LedgerBuild(NamedTuple):
    """What the bank alerts became: entries to write, and what the owner must map or open."""

    transactions: tuple[data.Transaction, ...]
    balances: tuple[data.Balance, ...]
    opens: tuple[data.Open, ...]  # accounts the entries use that the owner does not open
    unmapped: tuple[UnmappedAccount, ...]
    hand_kept_duplicates: tuple[str, ...]  # message GUIDs the owner already keyed in
    # Foreign-currency alerts left out because the owner's open of an account they post to
    # allows other currencies only (bean-check would reject them): one line each, with the fix.
    currency_blocked: tuple[str, ...] = ()
    # Alerts dated before an account they post to opens in the owner's files (a device clock
    # reset): bean-check would reject the whole ledger. One line each, with the fix.
    before_open: tuple[str, ...] = ()
    # Statement lines no alert confirms that the owner already keeps by hand (line ids).
    statement_hand_kept: tuple[str, ...] = ()
    # An opening balance for each account whose first assertion nothing of the owner's comes
    # before (a newly mapped account): without it that assertion, and the books, would fail.
    openings: tuple[data.Transaction, ...] = ()


def alert_date(alert: StoredTransaction, tz: ZoneInfo) -> dt.date:
    """The alert's date in the books' timezone (the entry's date)."""
    return alert.local_date(tz)


def _meta(alert: StoredTransaction) -> data.Meta:
    meta: data.Meta = data.new_metadata(GENERATED_SOURCE, 0)
    meta["sms_guid"] = alert.message_guid
    if alert.reference:
        meta["bank_ref"] = alert.reference
    if alert.counterparty and alert.counterparty != alert.payee:
        # The payee is a readable label (payees.py); the alert's own words stay beside it.
        meta["counterparty"] = alert.counterparty
    if alert.category_source:
        # The learned model filed it, not a rule: Fava can list these to check them.
        meta["category_source"] = alert.category_source
    if alert.also_alerted_by:
        # The other alerts of this payment (assets/transactions/links.py): not entries of their own.
        meta["also_alerted_by"] = " ".join(alert.also_alerted_by)
    return meta


def _signed(alert: StoredTransaction) -> Decimal:
    # Money out of an asset, or more owed on a card, is negative for the alert's own account.
    return -alert.amount if alert.direction == "debit" else alert.amount


def transaction_for(alert: StoredTransaction, own_account: str, date: dt.date) -> data.Transaction:
    """The Beancount transaction for one alert, posted to `own_account` on `date`."""
    amount = _signed(alert)
    counter = counter_account(alert.direction, alert.category, alert.kind)
    label = _CHANNEL_LABEL.get(alert.channel, alert.channel.title())
    # "!" marks what the owner should look at: money with no category yet.
    flag = "!" if category_tail(alert.category) == UNCATEGORIZED else "*"
    if alert.currency != CURRENCY and alert.inr_amount is not None:
        postings = _stated_in_rupees(alert, own_account, counter)
    else:
        postings = [
            # A foreign-currency spend whose alert states no rupee figure is posted in its own
            # currency: a made-up rate would be a wrong number in the books.
            data.Posting(own_account, Amount(amount, alert.currency), None, None, None, None),
            data.Posting(counter, Amount(-amount, alert.currency), None, None, None, None),
        ]
    return data.Transaction(
        _meta(alert),
        date,
        flag,
        alert.payee or alert.counterparty or None,
        f"{label} {alert.direction}",
        frozenset({"sms"}),
        data.EMPTY_SET,
        postings,
    )


def _stated_in_rupees(
    alert: StoredTransaction, own_account: str, counter: str
) -> list[data.Posting]:
    """A foreign-currency spend whose bank stated its rupee figure: the card (or account) moves
    by that figure in INR, as its bill will; the other side keeps the foreign amount at that
    total price (`-12.99 USD @@ 1083.45 INR` on a refund), so the entry balances in INR."""
    assert alert.inr_amount is not None
    rupees = -alert.inr_amount if alert.direction == "debit" else alert.inr_amount
    foreign = -_signed(alert)
    # Beancount keeps a total price as the price of one unit; render.py writes it back as the
    # total (`@@`), so the file states the bank's figure exactly.
    each = Amount(alert.inr_amount / alert.amount, CURRENCY)
    return [
        data.Posting(own_account, Amount(rupees, CURRENCY), None, None, None, None),
        data.Posting(counter, Amount(foreign, alert.currency), None, each, None, None),
    ]


class _Event(NamedTuple):
    received_at: dt.datetime
    rowid: int
    date: dt.date
    balance: Decimal | None
    guid: str


class _Matcher:
    """Pairs alerts with hand-keyed postings; each hand posting absorbs at most one alert."""

    def __init__(self, hand: HandKept) -> None:
        self._guids = hand.sms_guids
        self._by_key: dict[tuple[str, Decimal], list[HandPosting]] = defaultdict(list)
        for posting in hand.postings:
            # An entry kept for a balance-chain gap is money no alert announced, not a copy.
            if (
                posting.currency == CURRENCY
                and posting.sms_guid is None
                and not posting.explains_gap
            ):
                self._by_key[(posting.account, posting.amount)].append(posting)
        self._used: set[int] = set()
        # A statement line may be what the owner keyed in for a gap: those count for lines.
        self._lines_by_key: dict[tuple[str, Decimal], list[HandPosting]] = defaultdict(list)
        for posting in hand.postings:
            if posting.currency == CURRENCY and posting.sms_guid is None:
                self._lines_by_key[(posting.account, posting.amount)].append(posting)

    def absorb_line(self, account: str, amount: Decimal, date: dt.date) -> bool:
        """Whether an unused hand posting (a gap's entry too) is this statement line: the
        same account and amount within MATCH_DAYS; it is used up."""
        for posting in self._lines_by_key.get((account, amount), ()):
            if id(posting) in self._used or abs((posting.date - date).days) > MATCH_DAYS:
                continue
            self._used.add(id(posting))
            return True
        return False

    def match(
        self, alert: StoredTransaction, account: str, date: dt.date
    ) -> HandPosting | bool | None:
        """True for a moved generated entry, the hand posting for a match, None otherwise."""
        if alert.message_guid in self._guids:
            return True
        best: tuple[tuple[int, int], int, HandPosting] | None = None
        if alert.currency != CURRENCY:
            return None  # hand postings are matched in rupees only
        for posting in self._by_key.get((account, _signed(alert)), ()):
            if id(posting) in self._used or abs((posting.date - date).days) > 1:
                continue
            if alert.reference and posting.bank_ref and posting.bank_ref != alert.reference:
                continue
            # Prefer the same reference, then the nearest date.
            rank = (0 if posting.bank_ref else 1, abs((posting.date - date).days))
            if best is None or rank < best[0]:
                best = (rank, id(posting), posting)
        if best is None:
            return None
        self._used.add(best[1])
        return best[2]


def build_ledger(
    alerts: Iterable[StoredTransaction],
    mapping: AccountMapping,
    *,
    tz: ZoneInfo,
    today: dt.date,
    hand: HandKept = EMPTY_HAND_KEPT,
    statement: Reconciliation = EMPTY_RECONCILIATION,
    describe: Describe | None = None,
) -> LedgerBuild:
    """Transactions, balance assertions and opens for every mapped alert; the rest reported.

    With a `statement` reconciliation, an alert a statement line confirms carries
    `confirmed_by_statement` (the file and row), and each line no alert confirms is a
    `source: statement` transaction named and filed by `describe`; a day with such a line gets
    no assertion from the alerts' figure, which may not count it (the next day's does).
    """
    ordered = sorted(alerts, key=lambda a: (alert_date(a, tz), a.message_guid))
    matcher = _Matcher(hand)
    transactions: list[data.Transaction] = []
    duplicates: list[str] = []
    unmapped: dict[tuple[str, str | None, str], list[dt.date]] = defaultdict(list)
    # Per bank account: (received_at, rowid, date, balance) of every alert that reaches the books.
    timeline: dict[str, list[_Event]] = defaultdict(list)
    unsafe_days: dict[str, set[dt.date]] = defaultdict(set)
    first_use: dict[str, dt.date] = {}
    foreign_from: dict[str, dt.date] = {}
    blocked: list[str] = []
    before_open: list[str] = []

    for alert in ordered:
        date = alert_date(alert, tz)
        account = mapping.lookup(alert.bank, alert.account_tail, alert.instrument)
        if account is None:
            unmapped[(alert.bank, alert.account_tail, alert.instrument)].append(date)
            continue
        early = _before_open(
            date, (account, counter_account(alert.direction, alert.category, alert.kind)), hand
        )
        if early:
            before_open.append(f"{alert.message_guid} ({date}): {early}")
            continue
        is_bank = alert.instrument in BANK_INSTRUMENTS and account.startswith("Assets:")
        if is_bank and alert.currency != CURRENCY:
            # The rupees this cost are not in the books, so no later rupee balance of this
            # account can be asserted (the owner records the conversion by hand).
            foreign_from[account] = min(date, foreign_from.get(account, date))
        elif is_bank:
            timeline[account].append(
                _Event(
                    alert.received_at, alert.message_rowid, date, alert.balance, alert.message_guid
                )
            )
        match = matcher.match(alert, account, date)
        if match is not None:
            duplicates.append(alert.message_guid)
            if isinstance(match, HandPosting) and match.date != date and is_bank:
                # The owner's entry sits on another day: that day's balance is not the alert's.
                lo, hi = sorted((match.date, date))
                unsafe_days[account].update(lo + _ONE_DAY * i for i in range((hi - lo).days))
            continue
        txn = transaction_for(alert, account, date)
        line = statement.matched.get(alert.message_guid)
        if line is not None:
            txn.meta["confirmed_by_statement"] = confirmation(line)
        if alert.currency != CURRENCY:
            refused = _refused_currency(txn, hand)
            if refused:
                blocked.append(f"{alert.message_guid} ({date}): {refused}")
                continue
        transactions.append(txn)
        for posting in txn.postings:
            first_use.setdefault(posting.account, date)

    describe = describe or describer()
    from_statement: list[str] = []
    for line in statement.new:
        if matcher.absorb_line(line.account, line.amount, line.date):
            from_statement.append(line.line_id)
            continue
        txn = statement_transaction(line, describe)
        early = _before_open(line.date, [p.account for p in txn.postings], hand)
        if early:
            before_open.append(f"statement {line.file} row {line.row} ({line.date}): {early}")
            continue
        transactions.append(txn)
        # The alerts' figure that day may have been sent before this line's money moved.
        unsafe_days[line.account].add(line.date)
        for posting in txn.postings:
            first_use[posting.account] = min(line.date, first_use.get(posting.account, line.date))

    balances = tuple(
        b
        for b in _balances(timeline, unsafe_days, today)
        if b.date <= foreign_from.get(b.account, b.date)
    )
    for balance in balances:
        first_use.setdefault(balance.account, balance.date)
    openings = opening_entries(balances, transactions, hand, first_use)
    if openings and OPENING_EQUITY not in first_use:
        first_use[OPENING_EQUITY] = min(o.date for o in openings)
    for posting in hand.postings:
        # The entry homeclerk prints for a balance-chain gap (books/gaps.py) posts to the
        # uncategorized account, which the generated books open when they use it; open it for
        # the owner's entry too, so the pasted entry loads. Any other account stays the owner's.
        if posting.account in UNCATEGORIZED_ACCOUNTS:
            first_use[posting.account] = min(
                posting.date, first_use.get(posting.account, posting.date)
            )
    opens = tuple(
        data.Open(data.new_metadata(GENERATED_SOURCE, 0), first_use[acc], acc, None, None)
        for acc in sorted(first_use)
        if acc not in hand.opened
    )
    return LedgerBuild(
        tuple(transactions),
        balances,
        opens,
        tuple(
            UnmappedAccount(
                bank,
                tail,
                inst,
                len(ds),
                min(ds),
                max(ds),
                toml_entry(bank, tail, inst, f"{inst}, {len(ds)} alert(s) {min(ds)}..{max(ds)}"),
            )
            for (bank, tail, inst), ds in sorted(unmapped.items(), key=lambda kv: str(kv[0]))
        ),
        tuple(duplicates),
        tuple(blocked),
        tuple(before_open),
        tuple(from_statement),
        openings,
    )


def opening_entries(
    balances: Sequence[data.Balance],
    transactions: Sequence[data.Transaction],
    hand: HandKept,
    first_use: dict[str, dt.date],
) -> tuple[data.Transaction, ...]:
    """The opening balance of each account whose first assertion the owner's files have no
    posting before: the asserted figure less what the generated entries move before it, from
    `Equity:Opening-Balances`, dated on the account's first entry. (Beancount's `pad` does the
    same, but an unneeded pad is an error: this is written only when it is not zero.) An
    opening the owner keeps, or any entry of theirs on the account before that day, wins."""
    first: dict[str, data.Balance] = {}
    for balance in balances:  # in date order, as _balances gives them
        first.setdefault(balance.account, balance)
    owners_first: dict[str, dt.date] = {}
    for posting in hand.postings:
        owners_first[posting.account] = min(
            posting.date, owners_first.get(posting.account, posting.date)
        )
    # What the generated entries move on each account before its first assertion: one pass.
    moved: dict[str, Decimal] = defaultdict(Decimal)
    for txn in transactions:
        for posting in txn.postings:
            check = first.get(posting.account)
            if check is not None and txn.date < check.date and posting.units.currency == CURRENCY:
                moved[posting.account] += posting.units.number
    out: list[data.Transaction] = []
    for account, check in sorted(first.items()):
        if owners_first.get(account, check.date) < check.date:
            continue
        opening = check.amount.number - moved[account]
        if not opening:
            continue
        # The account's first entry: before the assertion, as that day's alert is an entry (or
        # the owner's, and then nothing is inferred).
        date = first_use[account]
        meta = data.new_metadata(GENERATED_SOURCE, 0)
        meta["opening_from_sms"] = check.meta["from_sms"]  # the alert whose balance it is
        out.append(
            data.Transaction(
                meta,
                date,
                "*",
                None,
                f"Opening balance, from the alert balance asserted on {check.date}",
                data.EMPTY_SET,
                data.EMPTY_SET,
                [
                    data.Posting(account, Amount(opening, CURRENCY), None, None, None, None),
                    data.Posting(
                        OPENING_EQUITY, Amount(-opening, CURRENCY), None, None, None, None
                    ),
                ],
            )
        )
    return tuple(out)


def _before_open(date: dt.date, accounts: Iterable[str], hand: HandKept) -> str | None:
    """Why an entry on `date` cannot post to one of `accounts` (opened later by the owner)."""
    for account in accounts:
        opens = hand.opened_on.get(account)
        if opens is not None and date < opens:
            return (
                f"dated before {account} opens ({opens}) in your books, so it is not posted; "
                "if the date is right, open the account earlier"
            )
    return None


def _refused_currency(txn: data.Transaction, hand: HandKept) -> str | None:
    """Why the owner's open directives refuse this foreign-currency entry, with the fix (each
    posting in its own currency: with a stated rupee figure, the card's is INR)."""
    for posting in txn.postings:
        allowed = hand.currencies.get(posting.account)
        currency = posting.units.currency
        if allowed and currency not in allowed:
            listed = ",".join(sorted(allowed))
            return (
                f"{abs(posting.units.number)} {currency} on {posting.account}, which your open"
                f" directive limits to {listed}:"
                f" add {currency} to it (`open {posting.account} {listed},{currency}`) or drop"
                " the currency list"
            )
    return None


def _balances(
    timeline: dict[str, list[_Event]],
    unsafe_days: dict[str, set[dt.date]],
    today: dt.date,
) -> tuple[data.Balance, ...]:
    """One assertion per bank account per complete day, dated the next day.

    The day's figure is the available balance of the last alert the bank sent (received_at
    order) dated that day. It is used only when it covers exactly the entries dated up to that
    day: every alert sent before it is dated no later, every alert sent after it is dated later.
    Otherwise (a late alert for an earlier day, a last alert without a balance) there is no
    assertion for that day rather than a wrong one.
    """
    out: list[data.Balance] = []
    for account in sorted(timeline):
        events = sorted(timeline[account], key=lambda e: (e[0], e[1]))
        n = len(events)
        prefix_max: list[dt.date] = []
        running = dt.date.min
        for event in events:
            running = max(running, event[2])
            prefix_max.append(running)
        suffix_min: list[dt.date] = [dt.date.max] * (n + 1)
        for i in range(n - 1, -1, -1):
            suffix_min[i] = min(suffix_min[i + 1], events[i][2])
        last_of_day: dict[dt.date, int] = {}
        for i, event in enumerate(events):
            last_of_day[event[2]] = i
        for day, i in sorted(last_of_day.items()):
            balance = events[i][3]
            if balance is None or day >= today or day in unsafe_days.get(account, ()):
                continue
            if prefix_max[i] > day or suffix_min[i + 1] <= day:
                continue
            meta = data.new_metadata(GENERATED_SOURCE, 0)
            meta["from_sms"] = events[i].guid  # the alert whose figure this is
            out.append(
                data.Balance(meta, day + _ONE_DAY, account, Amount(balance, CURRENCY), None, None)
            )
    return tuple(sorted(out, key=lambda b: (b.date, b.account)))


def group_by_month(entries: Sequence[data.Directive]) -> dict[str, list[data.Directive]]:
    """The entries by their date's month (`YYYY-MM`), one list per monthly file."""
    months: dict[str, list[data.Directive]] = defaultdict(list)
    for entry in entries:
        months[f"{entry.date:%Y-%m}"].append(entry)
    return dict(months)
