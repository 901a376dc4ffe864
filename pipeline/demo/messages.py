"""Six months of an invented owner's SMS: alerts whose balances add up, and the noise around them.

Deterministic for a seed and an end date. Every alert is written in a shape real banks send (the
same shapes as the parser's corpus), and running balances are tracked so that the ledger's balance
assertions hold: the demo books must open in Fava with zero errors.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from assets.common.timezone import DEFAULT_TIMEZONE

IST = ZoneInfo(DEFAULT_TIMEZONE)
CENT = Decimal("0.01")


class DemoMessage(NamedTuple):
    sender: str
    body: str
    sent_at: dt.datetime  # aware
    is_bank_transaction: bool
    is_otp: bool
    # The truth behind an alert, for checking what the pipeline made of it.
    amount: Decimal | None = None
    direction: str | None = None


@dataclass
class DemoAccount:
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
    whole, frac = f"{value:.2f}".split(".")
    if len(whole) <= 3:
        return f"{whole}.{frac}"
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail]) + "." + frac


def generate_demo_messages(
    end: dt.date, seed: int = 7, days: int = 183, until: dt.datetime | None = None
) -> list[DemoMessage]:
    """All messages from `end - days` up to `end` (inclusive), oldest first.

    `until` cuts off what would lie in the future (a prefix in time order keeps balances true).
    """
    rng = random.Random(seed)
    accounts = [
        DemoAccount(a.bank, a.tail, a.account, a.opening)
        for a in (HDFC_SAVINGS, ICICI_SAVINGS, HDFC_CARD, ICICI_CARD, AXIS_CARD)
    ]
    hdfc, icici, hdfc_cc, icici_cc, axis_cc = accounts
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
    while day <= end:
        events: list[tuple[dt.datetime, Callable[[dt.datetime], None]]] = []
        _plan_day(rng, day, at, alert, noise, events, hdfc, icici, hdfc_cc, icici_cc, axis_cc)
        # Balances are stated as of each alert's own moment, so apply events in time order.
        for when, apply in sorted(events, key=lambda e: e[0]):
            apply(when)
        _add_noise(rng, day, at, noise)
        day += dt.timedelta(days=1)
    out.sort(key=lambda m: m.sent_at)
    if until is not None:
        out = [m for m in out if m.sent_at <= until]
    return out


Alert = Callable[[str, str, dt.datetime, Decimal, str], None]
Events = list[tuple[dt.datetime, Callable[[dt.datetime], None]]]


def _plan_day(
    rng: random.Random,
    day: dt.date,
    at: Callable[..., dt.datetime],
    alert: Alert,
    noise: Callable[..., None],
    events: Events,
    hdfc: DemoAccount,
    icici: DemoAccount,
    hdfc_cc: DemoAccount,
    icici_cc: DemoAccount,
    axis_cc: DemoAccount,
) -> None:
    """Schedule the day's money movements; each renders its alert when applied in time order."""
    d2 = day.strftime("%d-%m-%y")
    mon = day.strftime("%d-%b-%y")
    upper_mon = mon.upper()
    hdfc_s = lambda: rng.choice(["VM-HDFCBK", "AD-HDFCBK-S", "JD-HDFCBK"])  # noqa: E731
    icici_s = lambda: rng.choice(["AD-ICICIB", "JM-ICICIT-S", "VM-ICICIB-S"])  # noqa: E731

    def salary(when: dt.datetime) -> None:
        amount = Decimal("168450.00")
        hdfc.balance += amount
        alert(
            hdfc_s(),
            f"Update! INR {_inr(amount)} deposited in HDFC Bank A/c XX{hdfc.tail} on {upper_mon} "
            f"for NEFT Cr-CITI0000002-NIMBUS SOFTLABS PVT LTD-OWNER-CITIN"
            f"{rng.randint(10**10, 10**11 - 1)}.Avl bal INR {_inr(hdfc.balance)}. Cheque "
            "deposits in A/C are subject to clearing",
            when,
            amount,
            "credit",
        )

    def hdfc_upi_sent(payee: str, amount: Decimal) -> Callable[[dt.datetime], None]:
        def apply(when: dt.datetime) -> None:
            hdfc.balance -= amount
            alert(
                hdfc_s(),
                f"Sent Rs.{amount}\nFrom HDFC Bank A/C *{hdfc.tail}\nTo {payee}\nOn "
                f"{when.strftime('%d/%m/%y')}\nRef {_ref(rng)}\nNot You?\nCall 18002586161/SMS "
                "BLOCK UPI to 7308080808",
                when,
                amount,
                "debit",
            )

        return apply

    def hdfc_upi_vpa(vpa: str, amount: Decimal) -> Callable[[dt.datetime], None]:
        def apply(when: dt.datetime) -> None:
            hdfc.balance -= amount
            alert(
                hdfc_s(),
                f"Rs.{amount} debited from a/c **{hdfc.tail} on {d2} to VPA {vpa}"
                f"(UPI Ref No {_ref(rng)}). Not you? Call on 18002586161 to report",
                when,
                amount,
                "debit",
            )

        return apply

    def emi(when: dt.datetime) -> None:
        amount = Decimal("7780.00")
        hdfc.balance -= amount
        alert(
            hdfc_s(),
            f"Update! INR {_inr(amount)} debited from HDFC Bank XX{hdfc.tail} on {upper_mon}. "
            f"Info: ACH D- BAJAJ FINANCE-{rng.randint(10**9, 10**10 - 1)}. Avl bal:INR "
            f"{_inr(hdfc.balance)}",
            when,
            amount,
            "debit",
        )

    def card_payment(when: dt.datetime) -> None:
        due = (hdfc_cc.opening - hdfc_cc.balance).quantize(CENT)
        if due <= 0:
            return
        hdfc_upi_sent("HDFC BANK CREDIT CARD", due)(when)
        hdfc_cc.balance += due
        alert(
            "VM-HDFCBK",
            f"DEAR HDFCBANK CARDMEMBER, PAYMENT OF Rs. {due} RECEIVED TOWARDS YOUR CREDIT CARD "
            f"ENDING WITH {hdfc_cc.tail} FROM YOUR BANK ACCOUNT ON {day.strftime('%d/%m/%Y')}."
            f"YOUR AVAILABLE LIMIT IS Rs. {hdfc_cc.balance}",
            when + dt.timedelta(minutes=20),
            due,
            "credit",
        )

    def icici_credit(payer: str, amount: Decimal) -> Callable[[dt.datetime], None]:
        def apply(when: dt.datetime) -> None:
            icici.balance += amount
            alert(
                icici_s(),
                f"Dear Customer, Acct XX{icici.tail} is credited with Rs {amount} on {mon} from "
                f"{payer}. UPI:{_ref(rng)}-ICICI Bank.",
                when,
                amount,
                "credit",
            )

        return apply

    def icici_debit(payee: str, amount: Decimal) -> Callable[[dt.datetime], None]:
        def apply(when: dt.datetime) -> None:
            icici.balance -= amount
            alert(
                icici_s(),
                f"ICICI Bank Acct XX{icici.tail} debited for Rs {amount} on {mon}; {payee} "
                f"credited. UPI:{_ref(rng)}. Call 18002662 for dispute. SMS BLOCK {icici.tail} "
                "to 9215676766.",
                when,
                amount,
                "debit",
            )

        return apply

    def icici_atm(amount: Decimal) -> Callable[[dt.datetime], None]:
        def apply(when: dt.datetime) -> None:
            icici.balance -= amount
            alert(
                icici_s(),
                f"ICICI Bank Acc XX{icici.tail} debited Rs. {_inr(amount)} on {mon} NFS*CASH "
                f"WDL*{d2}. Avb Bal Rs. {_lakh(icici.balance)}. To dispute Call 18002662 or SMS "
                f"BLOCK {icici.tail} to 9215676766",
                when,
                amount,
                "debit",
            )

        return apply

    def pos(name: str, amount: Decimal) -> Callable[[dt.datetime], None]:
        def apply(when: dt.datetime) -> None:
            hdfc.balance -= amount
            alert(
                hdfc_s(),
                f"Spent Rs.{amount} From HDFC Bank Card x{HDFC_DEBIT_CARD_TAIL} At {name} On "
                f"{when.strftime('%Y-%m-%d:%H:%M:%S')} Bal Rs.{hdfc.balance} Not You? Call "
                f"18002586161/SMS BLOCK DC {HDFC_DEBIT_CARD_TAIL} to 7308080808",
                when,
                amount,
                "debit",
            )

        return apply

    def card_spend(card: DemoAccount, name: str, amount: Decimal) -> Callable[[dt.datetime], None]:
        def apply(when: dt.datetime) -> None:
            card.balance -= amount
            if card is hdfc_cc:
                sender = hdfc_s()
                body = (
                    f"Spent Rs.{amount} On HDFC Bank Card {card.tail} At {name} On "
                    f"{when.strftime('%Y-%m-%d:%H:%M:%S')}.Not You? To Block+Reissue Call "
                    f"18002586161/SMS BLOCK CC {card.tail} to 7308080808"
                )
            elif card is icici_cc:
                sender = icici_s()
                body = (
                    f"INR {_inr(amount)} spent using ICICI Bank Card XX{card.tail} on {mon} on "
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
                noise(
                    sender,
                    f"{rng.randint(100000, 999999)} is OTP for txn of INR {amount} at {name} on "
                    f"card ending {card.tail}. Valid till {when.strftime('%H:%M')}. Do not share "
                    "OTP for security reasons",
                    when - dt.timedelta(minutes=1),
                    True,
                )
            alert(sender, body, when, amount, "debit")

        return apply

    if day.day == 1:
        events.append((at(day, 9), salary))
    if day.day == 2:
        amount = Decimal("25000.00")
        when = at(day, 12)
        events.append((when, hdfc_upi_vpa("owner.savings@icici", amount)))
        events.append((when + dt.timedelta(seconds=45), icici_credit("OWNER HDFC", amount)))
    if day.day == 3:
        events.append((at(day, 10), hdfc_upi_sent("MEERA IYER", Decimal("32000.00"))))
    if day.day == 5:
        events.append((at(day, 7), emi))
    if day.day == 18:
        events.append((at(day, 11), card_payment))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        vpa, low, high = rng.choice(MERCHANTS_UPI)
        events.append((at(day, rng.randint(8, 22)), hdfc_upi_vpa(vpa, _amount(rng, low, high))))
    if rng.random() < 0.35:
        name, low, high = rng.choice(MERCHANTS_POS)
        events.append((at(day, rng.randint(9, 21)), pos(name, _amount(rng, low, high))))
    if rng.random() < 0.3:
        name, low, high = rng.choice(MERCHANTS_CARD)
        card = rng.choice([hdfc_cc, icici_cc, axis_cc])
        events.append(
            (at(day, rng.randint(10, 23)), card_spend(card, name, _amount(rng, low, high)))
        )
    if rng.random() < 0.12:
        friend = rng.choice(FRIENDS)
        events.append((at(day, rng.randint(9, 22)), icici_credit(friend, _amount(rng, 200, 3000))))
    if rng.random() < 0.12:
        friend = rng.choice(FRIENDS)
        events.append((at(day, rng.randint(9, 22)), icici_debit(friend, _amount(rng, 150, 2500))))
    if rng.random() < 0.05:
        amount = Decimal(rng.choice([1000, 2000, 3000, 5000])).quantize(CENT)
        events.append((at(day, rng.randint(10, 20)), icici_atm(amount)))


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
