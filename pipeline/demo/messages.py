"""Six months of an invented owner's SMS: alerts whose balances add up, and the noise around them.

Deterministic for a seed and an end date. Every alert is written in a shape real banks send (the
same shapes as the parser's corpus), and running balances are tracked so that the ledger's balance
assertions hold: the demo books must open in Fava with zero errors.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from assets.common.money import indian_grouping
from assets.common.timezone import DEFAULT_TIMEZONE
from assets.transactions.model import Transaction
from assets.transactions.parsing import parse_message

IST = ZoneInfo(DEFAULT_TIMEZONE)
CENT = Decimal("0.01")


class DemoMessage(NamedTuple):
    """One demo SMS: from whom, its text, when, and the truth behind it (amount, direction)."""

    sender: str
    body: str
    sent_at: dt.datetime  # aware
    is_bank_transaction: bool
    is_otp: bool
    # The truth behind an alert, for checking what the pipeline made of it.
    amount: Decimal | None = None
    direction: str | None = None
    # A bank alert in a wording the parser does not know (stored 'unrecognized'), for trying
    # `homeclerk sms unrecognized` and `sms suggest` on the demo.
    unknown_shape: bool = False
    # A second alert of a payment another alert announces (an e-mandate notice beside the card's
    # own alert): not a money movement of its own, linked to that alert (links.py).
    also_alert: bool = False


@dataclass
class DemoAccount:
    """A demo account or card: bank, tail, ledger account, opening and running balance."""

    bank: str
    tail: str
    account: str
    opening: Decimal
    balance: Decimal = field(init=False)

    def __post_init__(self) -> None:
        self.balance = self.opening


# The owner's accounts, as the demo's homeclerk.toml maps them.
HDFC_SAVINGS = DemoAccount("HDFC", "1276", "Assets:Bank:HDFC:Savings", Decimal("85000.00"))
HDFC_DEBIT_CARD_TAIL = "2949"
ICICI_SAVINGS = DemoAccount("ICICI", "703", "Assets:Bank:ICICI:Savings", Decimal("42000.00"))
HDFC_CARD = DemoAccount("HDFC", "9541", "Liabilities:CreditCard:HDFC", Decimal("200000.00"))
ICICI_CARD = DemoAccount("ICICI", "3750", "Liabilities:CreditCard:ICICI", Decimal("150000.00"))
AXIS_CARD = DemoAccount("AXIS", "1372", "Liabilities:CreditCard:Axis", Decimal("80000.00"))


def demo_account_mapping() -> list[dict[str, str]]:
    """`[books] account_mapping` entries for the demo's accounts."""
    rows = [
        {"bank": a.bank, "tail": a.tail, "account": a.account}
        for a in (HDFC_SAVINGS, ICICI_SAVINGS, HDFC_CARD, ICICI_CARD, AXIS_CARD)
    ]
    rows.append({"bank": "HDFC", "tail": HDFC_DEBIT_CARD_TAIL, "account": HDFC_SAVINGS.account})
    return rows


def demo_opening_balances(day: dt.date) -> dict[str, tuple[dt.date, Decimal]]:
    """What the owner keys in by hand: the bank balances before the first alert (cards owe 0)."""
    return {a.account: (day, a.opening) for a in (HDFC_SAVINGS, ICICI_SAVINGS)}


def demo_category_rules() -> list[dict[str, str]]:
    """The owner's own rules, on top of the defaults: the employer and the landlord."""
    return [
        {"pattern": "NIMBUS SOFTLABS", "category": "Salary", "direction": "credit"},
        {"pattern": "MEERA IYER", "category": "Housing:Rent", "direction": "debit"},
        {"pattern": "CREDIT CARD", "category": "Transfers:CreditCardPayment"},
        {"pattern": r"owner\.savings@icici|OWNER HDFC", "category": "Transfers:OwnAccounts"},
    ]


MERCHANTS_UPI = [
    ("swiggy.stores@axb", 180, 900),
    ("zomato.order@hdfcbank", 200, 1100),
    ("blinkit.payu@hdfcbank", 150, 1600),
    ("bigbasket@ybl", 400, 2600),
    ("uber.india@axisbank", 120, 650),
    ("rapido.bike@ybl", 40, 220),
    ("zepto.merchant@icici", 120, 900),
]
MERCHANTS_POS = [
    ("DMART", 600, 4200),
    ("RATNADEEP", 200, 1800),
    ("BARISTA", 150, 600),
    ("APOLLO PHARMACY", 120, 1500),
    ("BHARAT PETROLEUM", 500, 3000),
]
MERCHANTS_CARD = [
    ("AMAZON", 300, 6000),
    ("FLIPKART", 400, 7000),
    ("MYNTRA", 700, 4500),
    ("MAKEMYTRIP", 2500, 14000),
    ("PVR CINEMAS", 400, 1500),
    ("IRCTC", 300, 2800),
]
FRIENDS = ["ADITYA RAO", "SWATI MISHRA", "KARAN MALHOTRA", "DIVYA MENON"]
PHONE_CONTACTS = ["+919845012345", "+919900112233", "+918877665544"]


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(CENT)


def _ref(rng: random.Random) -> str:
    return str(rng.randint(400_000_000_000, 699_999_999_999))


def _inr(value: Decimal) -> str:
    """Western grouping, as HDFC/ICICI print it: 1,23,456 is the Indian shape, 123,456 this one."""
    return f"{value:,.2f}"


def _lakh(value: Decimal) -> str:
    """Indian digit grouping: 1,23,456.00."""
    return indian_grouping(value)


def generate_demo_messages(
    end: dt.date,
    seed: int = 7,
    days: int = 183,
    until: dt.datetime | None = None,
    lose: bool = True,
) -> list[DemoMessage]:
    """All messages from `end - days` up to `end` (inclusive), oldest first.

    `until` cuts off what would lie in the future (a prefix in time order keeps balances true).
    With `lose` the phone "missed" one card alert (`lost_alert`), as real phones do: the
    balance chain shows the gap it leaves; and three alerts of each bank account in the last
    full month (`lost_bank_alerts`), which the demo's bank statements fill.
    """
    rng = random.Random(seed)
    accounts = [
        DemoAccount(a.bank, a.tail, a.account, a.opening)
        for a in (HDFC_SAVINGS, ICICI_SAVINGS, HDFC_CARD, ICICI_CARD, AXIS_CARD)
    ]
    owner = _Accounts(*accounts)
    out: list[DemoMessage] = []
    start = end - dt.timedelta(days=days)

    def at(day: dt.date, hour: int, minute: int | None = None) -> dt.datetime:
        return dt.datetime.combine(
            day, dt.time(hour, rng.randint(0, 59) if minute is None else minute, rng.randint(0, 59))
        ).replace(tzinfo=IST)

    def alert(sender: str, body: str, when: dt.datetime, amount: Decimal, direction: str) -> None:
        out.append(DemoMessage(sender, body, when, True, False, amount, direction))

    def noise(sender: str, body: str, when: dt.datetime, otp: bool = False) -> None:
        out.append(DemoMessage(sender, body, when, False, otp))

    day = start
    wallet = WALLET_OPENING
    while day <= end:
        events: Events = []
        _plan_day(_Day(rng, day, at, alert, noise, owner), events)
        events += _subscriptions(day, owner, alert, out)
        # Balances are stated as of each alert's own moment, so apply events in time order.
        for when, apply in sorted(events, key=lambda e: e[0]):
            apply(when)
        _add_noise(rng, day, at, noise)
        wallet = _wallet_spend(day, wallet, out)
        day += dt.timedelta(days=1)
    out.sort(key=lambda m: m.sent_at)
    lost = lost_alert(out, end) if lose else None
    if lost is not None:
        out.remove(lost)
    if lose:
        # And three bank alerts per bank account in the last full month, which the demo's
        # statements (pipeline/demo/statements.py) bring back.
        gone = set(map(id, lost_bank_alerts(out, end)))
        out = [m for m in out if id(m) not in gone]
    if until is not None:
        out = [m for m in out if m.sent_at <= until]
    return out


# The card whose alerts state its available limit, so a missed one shows as a gap.
LOST_CARD_ALERT = "ICICI Bank Card XX3750"
LOST_DAYS_BEFORE_END = 10


def lost_alert(messages: list[DemoMessage], end: dt.date) -> DemoMessage | None:
    """The card alert the demo's phone misses: the last spend on the ICICI card at least
    LOST_DAYS_BEFORE_END days before `end` that a later alert of the card follows (its stated
    limit is what shows the gap); None when there is no such alert."""
    card = [m for m in messages if m.is_bank_transaction and LOST_CARD_ALERT in m.body]
    cutoff = end - dt.timedelta(days=LOST_DAYS_BEFORE_END)
    early = [m for m in card[:-1] if m.sent_at.date() <= cutoff]
    return early[-1] if early else None


# The bank alerts the demo's statements bring back: per bank account, in its last full month.
LOST_PER_ACCOUNT = 3
BANK_ACCOUNT_TAILS = (
    (HDFC_SAVINGS, (HDFC_SAVINGS.tail, HDFC_DEBIT_CARD_TAIL)),
    (ICICI_SAVINGS, (ICICI_SAVINGS.tail,)),
)


def last_full_month(end: dt.date) -> tuple[dt.date, dt.date]:
    """The last calendar month that ends on or before `end`."""
    after = end + dt.timedelta(days=1)
    last = end if after.day == 1 else after.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def _read(message: DemoMessage) -> Transaction | None:
    if not message.is_bank_transaction:
        return None
    return parse_message(message.sender, message.body).transaction


def account_alerts(
    messages: Sequence[DemoMessage],
    account: DemoAccount,
    tails: Sequence[str],
    first: dt.date,
    last: dt.date,
) -> list[tuple[DemoMessage, Transaction]]:
    """The alerts of a demo bank account (any of its `tails`) dated `first` to `last`, each
    with what the parser reads in it."""
    out = []
    for message in messages:
        txn = _read(message)
        if txn is None or txn.bank != account.bank or txn.account_tail not in tails:
            continue
        if txn.instrument == "credit_card" or txn.currency != "INR":
            continue
        day = txn.date or message.sent_at.astimezone(IST).date()
        if first <= day <= last:
            out.append((message, txn))
    return out


def lost_bank_alerts(messages: Sequence[DemoMessage], end: dt.date) -> list[DemoMessage]:
    """The bank alerts the demo's phone misses: per demo bank account, three of its last full
    month's alerts (at a quarter, half and three quarters of the month's
    alerts), so the balance chain or the statement shows each."""
    first, last = last_full_month(end)
    lost: list[DemoMessage] = []
    for account, tails in BANK_ACCOUNT_TAILS:
        found = account_alerts(messages, account, tails, first, last)
        if len(found) <= LOST_PER_ACCOUNT:
            continue
        picks = [len(found) * k // (LOST_PER_ACCOUNT + 1) for k in range(1, LOST_PER_ACCOUNT + 1)]
        lost += [found[i][0] for i in picks]
    return lost


WALLET_OPENING = Decimal("2500.00")
_WALLET_SHOPS = ("CHAI POINT", "DOSA CORNER", "KAVERI STORES")


def _wallet_spend(day: dt.date, balance: Decimal, out: list[DemoMessage]) -> Decimal:
    """On the 4th of each month, a wallet payment in a wording the parser has no format for.

    Drawn from the date alone, never from the shared randomness, so every other message of a
    seed stays as it was. Returns the wallet's balance after it.
    """
    if day.day != 4:
        return balance
    amount = Decimal(60 + (day.month * 37) % 140) + Decimal("0.50")
    balance -= amount
    shop = _WALLET_SHOPS[day.month % len(_WALLET_SHOPS)]
    body = (
        f"PayZapp: Rs.{_inr(amount)} paid to {shop} using PayZapp wallet on {day:%d-%m-%y}. "
        f"Bal Rs.{_inr(balance)}. Txn PZ{day:%y%m%d}{day.month % 7} -HDFC Bank"
    )
    when = dt.datetime.combine(day, dt.time(13, 5), tzinfo=IST)
    out.append(DemoMessage("VM-HDFCBK", body, when, False, False, amount, "debit", True))
    return balance


Alert = Callable[[str, str, dt.datetime, Decimal, str], None]
Apply = Callable[[dt.datetime], None]
Events = list[tuple[dt.datetime, Apply]]

# Subscriptions paid by e-mandate: the card's own alert, and a minute later the mandate hub's
# notice of the same payment: one payment, two alerts (homeclerk links them and counts it once).
# (day of the month, merchant, amount, the HDFC credit card or debit card)
SUBSCRIPTIONS = (
    (12, "Spotify India", Decimal("119.00"), "debit"),
    (20, "Netflix", Decimal("649.00"), "credit"),
)


def _subscriptions(day: dt.date, owner: _Accounts, alert: Alert, out: list[DemoMessage]) -> Events:
    """The day's e-mandate payments, as events. Drawn from the date alone, never from the
    shared randomness, so every other message of a seed stays as it was."""
    events: Events = []
    for day_of_month, merchant, amount, card in SUBSCRIPTIONS:
        if day.day != day_of_month:
            continue
        when = dt.datetime.combine(day, dt.time(6, 30, 15), tzinfo=IST)
        events.append((when, _subscription(owner, merchant, amount, card, alert, out)))
    return events


def _subscription(
    owner: _Accounts,
    merchant: str,
    amount: Decimal,
    card: str,
    alert: Alert,
    out: list[DemoMessage],
) -> Apply:
    def apply(when: dt.datetime) -> None:
        name = merchant.split()[0].upper()
        stamp = when.strftime("%Y-%m-%d:%H:%M:%S")
        if card == "credit":
            owner.hdfc_cc.balance -= amount
            tail, label = owner.hdfc_cc.tail, "Credit Card"
            body = (
                f"Spent Rs.{amount} On HDFC Bank Card {tail} At {name} On {stamp}.Not You? "
                f"To Block+Reissue Call 18002586161/SMS BLOCK CC {tail} to 7308080808"
            )
        else:
            owner.hdfc.balance -= amount
            tail, label = HDFC_DEBIT_CARD_TAIL, "Debit Card"
            body = (
                f"Spent Rs.{amount} From HDFC Bank Card x{tail} At {name} On {stamp} Bal "
                f"Rs.{owner.hdfc.balance} Not You? Call 18002586161/SMS BLOCK DC {tail} to "
                "7308080808"
            )
        alert("VM-HDFCBK", body, when, amount, "debit")
        mandate = f"{name[:3]}{when:%y%m}{tail}"
        notice = (
            f"Hi, payment of INR {amount} for {merchant} via e-mandate ID: {mandate} on HDFC "
            f"Bank {label} {tail} is processed successfully. To manage, visit: "
            "https://www.sihub.in/managesi/hdfc T&CA - HDFC Bank"
        )
        later = when + dt.timedelta(minutes=1)
        out.append(
            DemoMessage("VM-HDFCBK", notice, later, False, False, amount, "debit", False, True)
        )

    return apply


@dataclass(frozen=True)
class _Accounts:
    """The owner's accounts whose balances the alerts track."""

    hdfc: DemoAccount
    icici: DemoAccount
    hdfc_cc: DemoAccount
    icici_cc: DemoAccount
    axis_cc: DemoAccount


@dataclass(frozen=True)
class _Day:
    """One day being planned: its date, the shared randomness and clock, and where messages go.

    Every draw from `rng` happens in a fixed order (planning first, then rendering in time
    order), so the messages are the same for a seed and an end date.
    """

    rng: random.Random
    date: dt.date
    at: Callable[..., dt.datetime]
    alert: Alert
    noise: Callable[..., None]
    accounts: _Accounts

    @property
    def d2(self) -> str:
        return self.date.strftime("%d-%m-%y")

    @property
    def mon(self) -> str:
        return self.date.strftime("%d-%b-%y")

    def hdfc_sender(self) -> str:
        return self.rng.choice(["VM-HDFCBK", "AD-HDFCBK-S", "JD-HDFCBK"])

    def icici_sender(self) -> str:
        return self.rng.choice(["AD-ICICIB", "JM-ICICIT-S", "VM-ICICIB-S"])


def _plan_day(d: _Day, events: Events) -> None:
    """Schedule the day's money movements; each renders its alert when applied in time order."""
    _plan_monthly_bills_and_salary(d, events)
    _plan_upi_spending(d, events)
    _plan_debit_card_spending(d, events)
    _plan_credit_card_spending(d, events)
    _plan_friends_money(d, events)
    _plan_cash_withdrawal(d, events)


def _plan_monthly_bills_and_salary(d: _Day, events: Events) -> None:
    """Fixed days of the month: salary, the move to savings, rent, the EMI, the card bill."""
    day = d.date
    if day.day == 1:
        events.append((d.at(day, 9), _salary(d)))
    if day.day == 2:
        amount = Decimal("25000.00")
        when = d.at(day, 12)
        events.append((when, _hdfc_upi_vpa(d, "owner.savings@icici", amount)))
        events.append((when + dt.timedelta(seconds=45), _icici_credit(d, "OWNER HDFC", amount)))
    if day.day == 3:
        events.append((d.at(day, 10), _hdfc_upi_sent(d, "MEERA IYER", Decimal("32000.00"))))
    if day.day == 5:
        events.append((d.at(day, 7), _emi(d)))
    if day.day == 18:
        events.append((d.at(day, 11), _card_payment(d)))


def _plan_upi_spending(d: _Day, events: Events) -> None:
    """Zero to three UPI payments to merchants from the HDFC account."""
    rng = d.rng
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        vpa, low, high = rng.choice(MERCHANTS_UPI)
        events.append(
            (d.at(d.date, rng.randint(8, 22)), _hdfc_upi_vpa(d, vpa, _amount(rng, low, high)))
        )


def _plan_debit_card_spending(d: _Day, events: Events) -> None:
    """Sometimes a shop paid with the HDFC debit card."""
    rng = d.rng
    if rng.random() < 0.35:
        name, low, high = rng.choice(MERCHANTS_POS)
        events.append((d.at(d.date, rng.randint(9, 21)), _pos(d, name, _amount(rng, low, high))))


def _plan_credit_card_spending(d: _Day, events: Events) -> None:
    """Sometimes an online purchase on one of the three credit cards."""
    rng = d.rng
    if rng.random() < 0.3:
        name, low, high = rng.choice(MERCHANTS_CARD)
        a = d.accounts
        card = rng.choice([a.hdfc_cc, a.icici_cc, a.axis_cc])
        events.append(
            (d.at(d.date, rng.randint(10, 23)), _card_spend(d, card, name, _amount(rng, low, high)))
        )


def _plan_friends_money(d: _Day, events: Events) -> None:
    """Now and then a friend pays the owner back, or the owner pays a friend (ICICI UPI)."""
    rng = d.rng
    if rng.random() < 0.12:
        friend = rng.choice(FRIENDS)
        events.append(
            (d.at(d.date, rng.randint(9, 22)), _icici_credit(d, friend, _amount(rng, 200, 3000)))
        )
    if rng.random() < 0.12:
        friend = rng.choice(FRIENDS)
        events.append(
            (d.at(d.date, rng.randint(9, 22)), _icici_debit(d, friend, _amount(rng, 150, 2500)))
        )


def _plan_cash_withdrawal(d: _Day, events: Events) -> None:
    """Rarely, cash from an ATM on the ICICI account."""
    rng = d.rng
    if rng.random() < 0.05:
        amount = Decimal(rng.choice([1000, 2000, 3000, 5000])).quantize(CENT)
        events.append((d.at(d.date, rng.randint(10, 20)), _icici_atm(d, amount)))


# The alerts. Each returns what to do at the event's moment: move the balance, then write the
# alert as the bank would, stating the balance after the move.


def _salary(d: _Day) -> Apply:
    hdfc = d.accounts.hdfc

    def apply(when: dt.datetime) -> None:
        amount = Decimal("168450.00")
        hdfc.balance += amount
        d.alert(
            d.hdfc_sender(),
            f"Update! INR {_inr(amount)} deposited in HDFC Bank A/c XX{hdfc.tail} on "
            f"{d.mon.upper()} for NEFT Cr-CITI0000002-NIMBUS SOFTLABS PVT LTD-OWNER-CITIN"
            f"{d.rng.randint(10**10, 10**11 - 1)}.Avl bal INR {_inr(hdfc.balance)}. Cheque "
            "deposits in A/C are subject to clearing",
            when,
            amount,
            "credit",
        )

    return apply


def _hdfc_upi_sent(d: _Day, payee: str, amount: Decimal) -> Apply:
    hdfc = d.accounts.hdfc

    def apply(when: dt.datetime) -> None:
        hdfc.balance -= amount
        d.alert(
            d.hdfc_sender(),
            f"Sent Rs.{amount}\nFrom HDFC Bank A/C *{hdfc.tail}\nTo {payee}\nOn "
            f"{when.strftime('%d/%m/%y')}\nRef {_ref(d.rng)}\nNot You?\nCall 18002586161/SMS "
            "BLOCK UPI to 7308080808",
            when,
            amount,
            "debit",
        )

    return apply


def _hdfc_upi_vpa(d: _Day, vpa: str, amount: Decimal) -> Apply:
    hdfc = d.accounts.hdfc

    def apply(when: dt.datetime) -> None:
        hdfc.balance -= amount
        d.alert(
            d.hdfc_sender(),
            f"Rs.{amount} debited from a/c **{hdfc.tail} on {d.d2} to VPA {vpa}"
            f"(UPI Ref No {_ref(d.rng)}). Not you? Call on 18002586161 to report",
            when,
            amount,
            "debit",
        )

    return apply


def _emi(d: _Day) -> Apply:
    hdfc = d.accounts.hdfc

    def apply(when: dt.datetime) -> None:
        amount = Decimal("7780.00")
        hdfc.balance -= amount
        d.alert(
            d.hdfc_sender(),
            f"Update! INR {_inr(amount)} debited from HDFC Bank XX{hdfc.tail} on "
            f"{d.mon.upper()}. Info: ACH D- BAJAJ FINANCE-{d.rng.randint(10**9, 10**10 - 1)}. "
            f"Avl bal:INR {_inr(hdfc.balance)}",
            when,
            amount,
            "debit",
        )

    return apply


def _card_payment(d: _Day) -> Apply:
    """The HDFC card's whole due, paid from the HDFC account: two alerts, 20 minutes apart."""
    hdfc_cc = d.accounts.hdfc_cc

    def apply(when: dt.datetime) -> None:
        due = (hdfc_cc.opening - hdfc_cc.balance).quantize(CENT)
        if due <= 0:
            return
        _hdfc_upi_sent(d, "HDFC BANK CREDIT CARD", due)(when)
        hdfc_cc.balance += due
        d.alert(
            "VM-HDFCBK",
            f"DEAR HDFCBANK CARDMEMBER, PAYMENT OF Rs. {due} RECEIVED TOWARDS YOUR CREDIT CARD "
            f"ENDING WITH {hdfc_cc.tail} FROM YOUR BANK ACCOUNT ON {d.date.strftime('%d/%m/%Y')}."
            f"YOUR AVAILABLE LIMIT IS Rs. {hdfc_cc.balance}",
            when + dt.timedelta(minutes=20),
            due,
            "credit",
        )

    return apply


def _icici_credit(d: _Day, payer: str, amount: Decimal) -> Apply:
    icici = d.accounts.icici

    def apply(when: dt.datetime) -> None:
        icici.balance += amount
        d.alert(
            d.icici_sender(),
            f"Dear Customer, Acct XX{icici.tail} is credited with Rs {amount} on {d.mon} from "
            f"{payer}. UPI:{_ref(d.rng)}-ICICI Bank.",
            when,
            amount,
            "credit",
        )

    return apply


def _icici_debit(d: _Day, payee: str, amount: Decimal) -> Apply:
    icici = d.accounts.icici

    def apply(when: dt.datetime) -> None:
        icici.balance -= amount
        d.alert(
            d.icici_sender(),
            f"ICICI Bank Acct XX{icici.tail} debited for Rs {amount} on {d.mon}; {payee} "
            f"credited. UPI:{_ref(d.rng)}. Call 18002662 for dispute. SMS BLOCK {icici.tail} "
            "to 9215676766.",
            when,
            amount,
            "debit",
        )

    return apply


def _icici_atm(d: _Day, amount: Decimal) -> Apply:
    icici = d.accounts.icici

    def apply(when: dt.datetime) -> None:
        icici.balance -= amount
        d.alert(
            d.icici_sender(),
            f"ICICI Bank Acc XX{icici.tail} debited Rs. {_inr(amount)} on {d.mon} NFS*CASH "
            f"WDL*{d.d2}. Avb Bal Rs. {_lakh(icici.balance)}. To dispute Call 18002662 or SMS "
            f"BLOCK {icici.tail} to 9215676766",
            when,
            amount,
            "debit",
        )

    return apply


def _pos(d: _Day, name: str, amount: Decimal) -> Apply:
    hdfc = d.accounts.hdfc

    def apply(when: dt.datetime) -> None:
        hdfc.balance -= amount
        d.alert(
            d.hdfc_sender(),
            f"Spent Rs.{amount} From HDFC Bank Card x{HDFC_DEBIT_CARD_TAIL} At {name} On "
            f"{when.strftime('%Y-%m-%d:%H:%M:%S')} Bal Rs.{hdfc.balance} Not You? Call "
            f"18002586161/SMS BLOCK DC {HDFC_DEBIT_CARD_TAIL} to 7308080808",
            when,
            amount,
            "debit",
        )

    return apply


def _card_spend(d: _Day, card: DemoAccount, name: str, amount: Decimal) -> Apply:
    """A credit-card purchase in the card's bank's own wording, most often after an OTP."""
    rng = d.rng

    def apply(when: dt.datetime) -> None:
        card.balance -= amount
        if card is d.accounts.hdfc_cc:
            sender = d.hdfc_sender()
            body = (
                f"Spent Rs.{amount} On HDFC Bank Card {card.tail} At {name} On "
                f"{when.strftime('%Y-%m-%d:%H:%M:%S')}.Not You? To Block+Reissue Call "
                f"18002586161/SMS BLOCK CC {card.tail} to 7308080808"
            )
        elif card is d.accounts.icici_cc:
            sender = d.icici_sender()
            body = (
                f"INR {_inr(amount)} spent using ICICI Bank Card XX{card.tail} on {d.mon} on "
                f"{name}. Avl Limit: INR {_lakh(card.balance)}. If not you, call 1800 2662/"
                f"SMS BLOCK {card.tail} to 9215676766"
            )
        else:
            sender = rng.choice(["VM-AXISBK", "JD-AXISBK-S"])
            body = (
                f"Spent INR {amount}\nAxis Bank Card no. XX{card.tail}\n"
                f"{when.strftime('%d-%m-%y %H:%M:%S')} IST\n{name}\nAvl Limit: INR "
                f"{card.balance}\nNot you? SMS BLOCK {card.tail} to 919951860002"
            )
        # An OTP precedes most online card payments: it must be dropped, never stored.
        if rng.random() < 0.6:
            d.noise(
                sender,
                f"{rng.randint(100000, 999999)} is OTP for txn of INR {amount} at {name} on "
                f"card ending {card.tail}. Valid till {when.strftime('%H:%M')}. Do not share "
                "OTP for security reasons",
                when - dt.timedelta(minutes=1),
                True,
            )
        d.alert(sender, body, when, amount, "debit")

    return apply


def _add_noise(
    rng: random.Random,
    day: dt.date,
    at: Callable[..., dt.datetime],
    noise: Callable[..., None],
) -> None:
    """What else arrives: friends, deliveries, promos, reminders, balance-only alerts."""
    for _ in range(rng.randint(1, 4)):
        noise(
            rng.choice(PHONE_CONTACTS),
            rng.choice(
                ["Reached home", "Call me when free", "Dinner at 8?", "Sent you the photos"]
            ),
            at(day, rng.randint(8, 23)),
        )
    if rng.random() < 0.4:
        noise(
            "JD-AMAZON-S",
            "Your Amazon order has been delivered. Rate your experience: amzn.in/d/x1y2",
            at(day, rng.randint(10, 20)),
        )
    if rng.random() < 0.2:
        noise(
            "VM-SWIGGY-P", "Hungry? Flat 50% off on your next order, code FEAST50. T&C", at(day, 19)
        )
    if rng.random() < 0.08:
        noise(
            "VM-HDFCBK-P",
            "Pre-approved Personal Loan of Rs.8,65,119.00 is waiting for you! "
            "Get funds in 10 seconds at 10.75% p.a. T&C -HDFC Bank",
            at(day, 13),
        )
    if day.day == 8:
        noise(
            "VM-HDFCBK",
            f"HDFC Bank Credit Card XX{HDFC_CARD.tail} Statement: Total Amt Due "
            f"Rs.{rng.randint(5000, 40000)}.00, Min Amt Due Rs.{rng.randint(500, 2000)}.00, "
            f"payable by 18-{day.strftime('%b-%y')}. Pay via NetBanking/MobileBanking. Ignore if "
            "paid",
            at(day, 10),
        )
    if day.day == 15:
        noise(
            "VM-ICICIB-S",
            f"Dear Customer, Available Bal in ICICI Bank Acct XX{ICICI_SAVINGS.tail}"
            f" is INR 1,00,000.00 as on {day.strftime('%d-%b-%y')} 22:37. Download iMobile Pay "
            "to manage your account.",
            at(day, 22, 37),
        )
