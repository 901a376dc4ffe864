"""A realistic three-year spending history with the owner's own labels, for the learned model.

The truth does not come from homeclerk: each payee below was written by hand with the category
its owner files it under, and none is a merchant of the shipped payee table or matches a shipped
category rule (tests/transactions/test_learned.py holds both), so neither homeclerk's rules nor
its payee table could have produced a single label. What makes it hard on purpose:

- raw alert names are noisy: a payee arrives as its full name, truncated to 20 letters, in lower
  case, or as one of its UPI handles (a person's handle, a QR code's opaque id);
- amounts of different categories overlap (a grocer, a restaurant and a pharmacy all take
  ₹150-₹2,000), each payee's amount varies around its own habit;
- habits in time: the cook is paid on the 1st, the tea stall at 8-10 in the morning, the
  restaurant on weekend evenings;
- payees come and go: ten first appear in the last year and four of them only in the held-out
  month, which only their words, handles, amounts and times can place;
- the owner is not perfectly consistent: a few payees are filed one way most of the time and
  another way sometimes (an auto driver is Transport:Taxi, once Household:Help), and one in
  fifty labels is a slip of the hand into another category.

`history(seed)` gives the rows oldest first; the last calendar month is the evaluation month.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from assets.transactions.learned import Example
from assets.transactions.payees import PayeeResolver

TZ = ZoneInfo("Asia/Kolkata")  # the owner's: `Example.when` is local time there
START = dt.date(2023, 12, 1)
MONTHS = 36


class Payee(NamedTuple):
    name: str  # the full name a card or NEFT alert shows
    category: str  # the owner's label
    handles: tuple[str, ...]  # UPI handles it is paid on (empty: card or NEFT only)
    amount: float  # typical amount (₹)
    per_month: float  # how often
    hours: tuple[int, int]  # when, local time [from, to)
    channel: str = "upi"
    kind: str = "purchase"
    weekend: bool = False  # mostly on Saturdays and Sundays
    day_of_month: int | None = None  # paid on this day (monthly dues)
    other: str | None = None  # sometimes filed under this instead (20 %)


def _p(
    name: str,
    category: str,
    handles: str,
    amount: float,
    per_month: float,
    hours: str,
    **kw: object,
) -> Payee:
    start, end = (int(h) for h in hours.split("-"))
    return Payee(name, category, tuple(handles.split()), amount, per_month, (start, end), **kw)  # type: ignore[arg-type]


# Payees of an owner in a mid-size Indian city. Names are invented: none is in the shipped table.
PAYEES: tuple[Payee, ...] = (
    _p(
        "SHREE GANESH PROVISION STORES", "Food:Groceries", "shreeganesh.prov@okaxis", 650, 6, "9-21"
    ),
    _p(
        "ANNAPURNA SUPERMARKET PVT LTD",
        "Food:Groceries",
        "annapurnasuper@ybl",
        1800,
        3,
        "10-21",
        channel="card",
        weekend=True,
    ),
    _p("RAJU VEGETABLES", "Food:Groceries", "raju.veg123@paytm", 180, 8, "7-11"),
    _p("NANDINI MILK PARLOUR", "Food:Groceries", "nandinimilk@okicici", 420, 4, "6-9"),
    _p("SRI LAKSHMI FRUITS", "Food:Groceries", "8847123456@ybl", 240, 3, "17-21"),
    _p("GREEN LEAF ORGANICS", "Food:Groceries", "greenleaforganic@okhdfcbank", 900, 1.5, "10-20"),
    _p("UDUPI KRISHNA BHAVAN", "Food:Restaurants", "udupikrishna@ybl", 320, 3, "8-11"),
    _p(
        "PARADISE DUM POINT",
        "Food:Restaurants",
        "paradisepoint@icici",
        900,
        1.5,
        "19-23",
        channel="card",
        weekend=True,
    ),
    _p("CHAI SUTTA CORNER", "Food:Restaurants", "chaisutta.corner@okaxis", 60, 10, "8-10"),
    _p("THE BREW ROOM", "Food:Restaurants", "", 1400, 1, "19-23", channel="card", weekend=True),
    _p(
        "ANAND SWEETS AND BAKERS",
        "Food:Restaurants",
        "anandsweets@ybl",
        450,
        2,
        "16-21",
        other="Food:Groceries",
    ),
    _p("KAMAT UPACHAR", "Food:Restaurants", "kamatupachar@okicici", 520, 1, "12-15"),
    _p(
        "SUNITA DEVI",
        "Household:Help",
        "sunitadevi1987@okaxis",
        4500,
        1,
        "9-12",
        kind="transfer",
        day_of_month=1,
    ),
    _p(
        "MANJUNATH K",
        "Household:Help",
        "manju.driver@ybl",
        12000,
        1,
        "9-12",
        kind="transfer",
        day_of_month=2,
    ),
    _p(
        "LAKSHMAMMA",
        "Household:Help",
        "9900112233@paytm",
        3000,
        1,
        "8-11",
        kind="transfer",
        day_of_month=5,
    ),
    _p(
        "RAMESH AUTO",
        "Transport:Taxi",
        "ramesh.auto77@ybl",
        120,
        4,
        "8-20",
        kind="transfer",
        other="Household:Help",
    ),
    _p("SURESH AUTO STAND", "Transport:Taxi", "9845012345@ybl", 90, 3, "8-21", kind="transfer"),
    _p(
        "SRI SAI FILLING STATION",
        "Transport:Fuel",
        "saifilling@icici",
        1500,
        2,
        "7-21",
        channel="card",
    ),
    _p(
        "VINAYAKA SERVICE STATION",
        "Transport:Fuel",
        "vinayakaservice@okaxis",
        1200,
        1,
        "8-20",
        channel="card",
    ),
    _p("SHANTHI MEDICALS", "Health:Pharmacy", "shanthimeds@ybl", 480, 2, "10-22"),
    _p(
        "JANATHA DRUG HOUSE",
        "Health:Pharmacy",
        "janathadrug@okhdfcbank",
        700,
        1,
        "9-21",
        channel="card",
    ),
    _p("DR SHARMA HEALTH CENTRE", "Health:Doctor", "drsharmahc@okicici", 800, 0.5, "17-21"),
    _p(
        "DR MEERA RAO", "Health:Doctor", "meera.rao.doc@okaxis", 1000, 0.4, "10-13", kind="transfer"
    ),
    _p("LOOKS UNISEX SALON", "Personal:Care", "looksunisex@ybl", 900, 0.8, "11-20", weekend=True),
    _p("BHARATH HAIR CUTTING", "Personal:Care", "bharathhair@paytm", 200, 1, "9-19", weekend=True),
    _p(
        "GOLD FITNESS CENTRE", "Health:Fitness", "goldfitness@icici", 2500, 1, "6-9", day_of_month=3
    ),
    _p(
        "SPARK TUITIONS",
        "Education",
        "sparktuitions@okhdfcbank",
        4000,
        1,
        "17-20",
        kind="transfer",
        day_of_month=7,
    ),
    _p(
        "VIDYA NIKETAN SCHOOL",
        "Education",
        "",
        28000,
        0.25,
        "10-15",
        channel="neft",
        kind="transfer",
    ),
    _p(
        "PRESTIGE APARTMENT OWNERS ASSN",
        "Housing:Maintenance",
        "prestigeaoa@icici",
        3500,
        1,
        "10-20",
        kind="bill",
        day_of_month=10,
    ),
    _p(
        "K SRINIVAS",
        "Housing:Rent",
        "",
        25000,
        1,
        "9-12",
        channel="neft",
        kind="transfer",
        day_of_month=1,
    ),
    _p(
        "MAHESH ELECTRICALS",
        "Housing:Repairs",
        "mahesh.elec@ybl",
        650,
        0.4,
        "10-18",
        other="Shopping:Home",
    ),
    _p(
        "SRI VENKATESHWARA HARDWARE",
        "Shopping:Home",
        "svhardware@okaxis",
        800,
        0.5,
        "10-20",
        weekend=True,
    ),
    _p("KALA BOUTIQUE", "Shopping:Clothing", "kalaboutique@ybl", 2200, 0.5, "11-20", weekend=True),
    _p("FASHION PLAZA", "Shopping:Clothing", "", 3000, 0.4, "12-21", channel="card", weekend=True),
    _p(
        "ISKCON TEMPLE",
        "Gifts:Donations",
        "iskcondonation@icici",
        500,
        0.4,
        "8-12",
        kind="transfer",
        weekend=True,
    ),
    _p("HAPPY PAWS VET CARE", "Pets", "happypawsvet@okicici", 900, 0.3, "10-19"),
    _p("PUP PANTRY", "Pets", "puppantry@ybl", 1300, 0.7, "11-20"),
    _p("CHANDRA LAUNDRY", "Household:Laundry", "chandralaundry@paytm", 350, 2, "8-20"),
)

# Payees that first appear in the last year (a new neighbourhood shop, a new tutor), one every
# two months (`_debut`): the evaluation month has several the model never saw in training.
LATE_PAYEES: tuple[Payee, ...] = (
    _p("MAA DURGA PROVISION", "Food:Groceries", "maadurga.prov@ybl", 520, 5, "9-21"),
    _p("FRESH VEGETABLES AND FRUITS", "Food:Groceries", "9611223344@paytm", 210, 6, "7-11"),
    _p("HOTEL ANNAPOORNESHWARI", "Food:Restaurants", "annapoorneshwari@okaxis", 380, 2, "8-11"),
    _p("CHAI POINT EXPRESS", "Food:Restaurants", "chaiexpress@ybl", 70, 8, "8-10"),
    _p("NEW LIFE MEDICALS", "Health:Pharmacy", "newlifemeds@okicici", 520, 2, "10-22"),
    _p(
        "GEETHA",
        "Household:Help",
        "geetha.cook@okaxis",
        5000,
        1,
        "9-12",
        kind="transfer",
        day_of_month=1,
    ),
    _p("PRAKASH AUTO", "Transport:Taxi", "prakash.auto@ybl", 110, 4, "8-20", kind="transfer"),
    _p("STYLE STUDIO SALON", "Personal:Care", "stylestudio@ybl", 800, 0.8, "11-20", weekend=True),
    _p(
        "BRIGHT MINDS TUITIONS",
        "Education",
        "brightminds@okhdfcbank",
        3500,
        1,
        "17-20",
        kind="transfer",
        day_of_month=7,
    ),
    _p("SRI RAMA FILLING STATION", "Transport:Fuel", "", 1400, 1.5, "7-21", channel="card"),
)

SLIP = 0.02  # one label in fifty filed under another category by mistake


class Row(NamedTuple):
    example: Example
    category: str  # the owner's label, as filed (slips of the hand included)
    intended: str  # what the owner meant: the label before a slip (`SLIP`)
    month: int  # 0 … MONTHS-1
    name: str  # the payee's full name, for reports


def _raw_name(payee: Payee, rng: random.Random) -> str:
    """What one alert calls the payee: a handle, or the name in one of its noisy spellings."""
    if payee.handles and payee.channel == "upi" and rng.random() < 0.7:
        return rng.choice(payee.handles)
    name = payee.name
    roll = rng.random()
    if roll < 0.3:
        return name[:20]  # the bank's field is 20 characters
    if roll < 0.4:
        return name.lower()
    if roll < 0.5:
        return name.title()
    return name


def history(seed: int = 7) -> list[Row]:
    """Three years of labelled spending, oldest first."""
    rng = random.Random(seed)
    resolve = PayeeResolver(())
    categories = sorted({p.category for p in PAYEES + LATE_PAYEES})
    rows: list[Row] = []
    for month in range(MONTHS):
        first = _month_start(month)
        days = (_month_start(month + 1) - first).days
        active = list(PAYEES) + [p for i, p in enumerate(LATE_PAYEES) if month >= _debut(i)]
        for payee in active:
            n = _count(payee.per_month, rng)
            for _ in range(n):
                day = _day(payee, first, days, rng)
                hour = rng.randrange(*payee.hours)
                when = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)))
                amount = round(payee.amount * rng.lognormvariate(0, 0.35), 2)
                if payee.day_of_month is not None:
                    amount = payee.amount  # the same dues each month
                raw = _raw_name(payee, rng)
                category = payee.category
                if payee.other and rng.random() < 0.2:
                    category = payee.other
                intended = category
                if rng.random() < SLIP:
                    category = rng.choice(categories)
                example = Example(
                    payee=resolve(raw),
                    counterparty=raw,
                    direction="debit",
                    channel=payee.channel,
                    kind=payee.kind,
                    amount=amount,
                    when=when,
                )
                rows.append(Row(example, category, intended, month, payee.name))
    rows.sort(key=lambda r: r.example.when)
    return rows


def _debut(index: int) -> int:
    """The month a late payee first appears: spread over the last year, the last four of
    them only in the evaluation month."""
    return min(MONTHS - 12 + 2 * index, MONTHS - 1)


def _month_start(month: int) -> dt.date:
    year, index = divmod(START.month - 1 + month, 12)
    return dt.date(START.year + year, index + 1, 1)


def _count(per_month: float, rng: random.Random) -> int:
    whole = int(per_month)
    return whole + (1 if rng.random() < per_month - whole else 0)


def _day(payee: Payee, first: dt.date, days: int, rng: random.Random) -> dt.date:
    if payee.day_of_month is not None:
        return first + dt.timedelta(days=payee.day_of_month - 1 + rng.choice((0, 0, 0, 1)))
    if payee.weekend and rng.random() < 0.8:
        weekends = [d for d in range(days) if (first + dt.timedelta(days=d)).weekday() >= 5]
        return first + dt.timedelta(days=rng.choice(weekends))
    return first + dt.timedelta(days=rng.randrange(days))


def store_history(path: Path, rows: list[Row], filed_before: int = MONTHS) -> int:
    """The rows as a warehouse's `transactions` (local times in Asia/Kolkata), filed with the
    owner's labels before month `filed_before` and `Uncategorized` from it; how many."""
    import pandas as pd

    from assets.common.warehouse import connect
    from assets.transactions.tables import ensure_transactions_table

    records = []
    for i, row in enumerate(rows):
        x = row.example
        category = row.category if row.month < filed_before else "Uncategorized"
        at = x.when.replace(tzinfo=TZ).astimezone(dt.UTC)
        records.append(
            (f"G{i}", i + 1, "VM-HDFCBK", at, "transaction", None, f"{x.amount:.2f}",
             x.direction, x.counterparty, "1276", None, None, x.channel, at.date(), False,
             "HDFC", "account", category, x.kind, "INR", x.payee, None, None)
        )  # fmt: skip
    with connect(path) as con:
        ensure_transactions_table(con)
        con.register("frame", pd.DataFrame(records))
        con.execute("INSERT INTO transactions SELECT * FROM frame")
        con.unregister("frame")
    return len(records)
