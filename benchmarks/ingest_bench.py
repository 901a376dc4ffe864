"""Ingest benchmark: a 1,000,000-message chat.db (100,000 from banks) → sms_messages → transactions.

    python benchmarks/ingest_bench.py [--dir FOLDER] [--messages N] [--bank N] [--new N]

Builds the chat.db once and caches it in FOLDER (default: a folder in the system temp dir), then
times on a fresh warehouse:
  (a) the full ingest: read + decode + OTP drop + mask + store, then derive (parse, categorize,
      store); target ≤ 2.5 s;
  (b) `--new` messages appended after it (10 % from banks), ingest + derive; target ≤ 0.2 s;
and, for comparison, a bare SQLite scan of the bank rows. Progress goes to stderr, results to
stdout.

Before timing, the process imports what a Dagster run process has imported when it starts
materializing: the definitions module workspace.yaml names (pipeline.definitions), whose import
time is printed on its own line. What that module does not import (duckdb, NumPy, and whatever
else the ingest and the derive load where they run) is imported inside the timed steps, as in a
run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.sms.attributed_body import encode_attributed_body
from assets.sms.chatdb import utc_to_apple_ns
from assets.sms.ingest import ingest_new_messages
from assets.transactions.categories import DEFAULT_RULES
from assets.transactions.derive import derive_transactions
from pipeline.demo.chatdb_writer import NewMessage, append_messages, create_chat_db

TZ = ZoneInfo("Asia/Kolkata")
# workspace.yaml's module: a Dagster run process imports it before it runs an asset.
RUN_PROCESS_MODULE = "pipeline.definitions"
HEADERS = ["HDFCBK", "ICICIB", "ICICIT", "SBIINB", "AXISBK", "KOTAKB", "FEDBNK", "SBICRD"]

NAMES = [
    "JOSEPH THOMAS", "RATNADEEP", "LICIOUS", "SWIGGY", "ZOMATO", "BIGBASKET", "HARSH VARDHAN",
    "DIVYA MENON", "INOX LEISURE", "AMAZON PAY", "FRESHMENU", "BARISTA", "MEDPLUS", "GOIBIBO",
    "UBER INDIA", "RELIANCE FRESH", "DMART", "APOLLO PHARMACY", "KARAN MALHOTRA", "ANIL KUMAR",
]  # fmt: skip
VPAS = ["ritu.shar@oksbi", "blinkit.pay75@okhdfcbank", "nikhil.jain@ybl", "anil.kuma@ibl"]

# (sender, template): shapes of real alerts; {a} amount, {n} name, {v} VPA, {t} tail,
# {r} 12-digit reference, {d} dd-mm-yy date, {b} balance.
TEMPLATES = [
    ("VK-HDFCBK", "Sent Rs.{a}\nFrom HDFC Bank A/C *{t}\nTo {n}\nOn {ds}\nRef {r}\nNot You?\n"
     "Call 18002586161/SMS BLOCK UPI to 7308080808"),
    ("AD-HDFCBK-S", "Rs.{a} debited from a/c **{t} on {d} to VPA {v}(UPI Ref No {r}). Not you? "
     "Call on 18002586161 to report"),
    ("VM-HDFCBK", "Credit Alert!\nRs.{a} credited to HDFC Bank A/c XX{t} on {d} from VPA {v} "
     "(UPI {r})"),
    ("VK-HDFCBK", "Spent Rs.{a} From HDFC Bank Card x{t} At {n} On 20{dy}:18:43:49 Bal Rs.{b} "
     "Not You? Call 18002586161/SMS BLOCK DC {t} to 7308080808"),
    ("AD-ICICIB", "ICICI Bank Acct XX{t3} debited for Rs {a} on {dm}; {n} credited. UPI:{r}. "
     "Call 18002662 for dispute. SMS BLOCK {t3} to 9215676766."),
    ("AD-ICICIB", "INR {a} spent using ICICI Bank Card XX{t} on {dm} on {n}. Avl Limit: INR {b}. "
     "If not you, call 1800 2662/SMS BLOCK {t} to 9215676766"),
    ("AD-SBIINB", "Dear SBI User, your A/c X{t}-credited by Rs.{a} on {dc} transfer from {n} "
     "Ref No {r} -SBI"),
    ("VM-AXISBK", "INR {a} debited\nA/c no. XX{t}\n{d}, 11:08:13\nUPI/P2A/{r}/{n}\n"
     "Not you? SMS BLOCKUPI Cust ID to 919951860002\nAxis Bank"),
    ("JD-AXISBK-S", "INR {a} debited from A/c no. XX20{t} on {n} {d4} 13:14:56 IST. Avl bal: "
     "INR {b}. Not you? SMS BLOCKCARD XX2731 to +919951860002 - Axis Bank"),
    ("JD-KOTAKB-S", "Sent Rs.{a} from Kotak Bank AC X{t} to {v} on {d}.UPI Ref {r}. Not you, "
     "https://kotak.com/KBANKT/Fraud"),
    ("AD-FEDBNK-S", "Rs {a} debited via UPI on {d4} 23:07:02 to VPA {v}.Ref No {r}.Small txns?"
     "Use UPI Lite!-Federal Bank"),
    ("AD-SBICRD", "Rs.{a} spent on your SBI Credit Card ending {t} at {n} on {ds}. Trxn. not done "
     "by you? Report at https://sbicard.com/Dispute"),
]  # fmt: skip
NEGATIVES = [
    ("AD-HDFCBK-S", "{o} is OTP for txn of INR {a} at {n} on HDFC Bank card ending {t}. Valid "
     "till 14:00. Do not share OTP for security reasons"),
    ("AX-AXISBK", "OTP for transaction of INR {a} at {n} on Axis Bank card XX{t} is {o}. Valid "
     "for 5 mins. Never share your OTP - Axis Bank"),
    ("VM-HDFCBK", "Avl bal in HDFC Bank A/c XX{t} as on {dm} is INR {b}. Cheques are subject to "
     "clearing. For details call 18002586161"),
    ("JD-AXISBK-S", "INR {a} will be debited from A/c no. XX{t} on {d4} towards YOUTUBE PREMIUM "
     "mandate. Maintain sufficient balance. - Axis Bank"),
]  # fmt: skip
CHATTER = ["On my way", "ok 👍", "Call me when free", "Dinner at 8?", "Happy birthday!! 🎂"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def bank_body(rng: random.Random, when: dt.datetime) -> tuple[str, str]:
    pool = NEGATIVES if rng.random() < 0.1 else TEMPLATES
    sender, template = pool[rng.randrange(len(pool))]
    tail = f"{rng.randrange(10000):04d}"
    body = template.format(
        a=f"{rng.randrange(100, 5_000_000) / 100:.2f}",
        b=f"{rng.randrange(1000, 50_000_000) / 100:.2f}",
        n=rng.choice(NAMES),
        v=rng.choice(VPAS),
        t=tail,
        t3=tail[1:],
        r=f"{rng.randrange(10**11, 10**12)}",
        o=f"{rng.randrange(100000, 1000000)}",
        d=when.strftime("%d-%m-%y"),
        d4=when.strftime("%d-%m-%Y"),
        ds=when.strftime("%d/%m/%y"),
        dy=when.strftime("%y-%m-%d"),
        dm=f"{when.day:02d}-{MONTHS[when.month - 1]}-{when:%y}",
        dc=f"{when.day:02d}{MONTHS[when.month - 1]}{when:%y}",
    )
    return sender, body


def generate(
    total: int, bank: int, start_index: int, start: dt.datetime, seed: int
) -> Iterator[NewMessage]:
    """`total` messages, `bank` of them from banks (spread evenly), half of those blob-only."""
    rng = random.Random(seed)
    every = max(1, total // max(bank, 1))
    banks_made = 0
    for i in range(total):
        index = start_index + i
        when = start + dt.timedelta(seconds=40 * i)
        if banks_made < bank and i % every == 0:
            banks_made += 1
            sender, body = bank_body(rng, when)
            blob_only = banks_made % 2 == 0
            yield NewMessage(
                guid=f"BENCH-{index:09d}",
                sender=sender,
                text=None if blob_only else body,
                attributed_body=encode_attributed_body(body) if blob_only else None,
                date=utc_to_apple_ns(when),
            )
        else:
            yield NewMessage(
                guid=f"BENCH-{index:09d}",
                sender=f"+9198{rng.randrange(300):08d}",
                text=rng.choice(CHATTER),
                attributed_body=None,
                date=utc_to_apple_ns(when),
                is_from_me=rng.random() < 0.4,
            )


def build_base(path: Path, total: int, bank: int) -> None:
    log(f"building {path} ({total:,} messages, {bank:,} from banks); cached for later runs")
    tmp = path.with_suffix(".building")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    create_chat_db(tmp)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    messages = generate(total, bank, 0, start, seed=1)
    chunk = 100_000
    for done in range(0, total, chunk):
        append_messages(tmp, (next(messages) for _ in range(min(chunk, total - done))))
        log(f"  {done + chunk:,} / {total:,}")
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    tmp.rename(path)


def timed(label: str, action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    log(f"  {label}: {elapsed:.3f} s  {result}")
    return elapsed, result


def run_process_imports() -> float:
    """Import what a run process has loaded before its first asset (the definitions module);
    seconds it took."""
    started = time.perf_counter()
    importlib.import_module(RUN_PROCESS_MODULE)
    return time.perf_counter() - started


def bare_scan(chat_db: Path) -> int:
    con = sqlite3.connect(f"file:{chat_db}?mode=ro", uri=True)
    handles = [
        rowid
        for rowid, sender in con.execute("SELECT ROWID, id FROM handle")
        if not sender.startswith("+")
    ]
    marks = ",".join("?" * len(handles))
    rows = con.execute(
        f"SELECT ROWID, guid, handle_id, date, text, attributedBody FROM message"
        f" WHERE handle_id IN ({marks}) AND is_from_me = 0",
        handles,
    ).fetchall()
    con.close()
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "homeclerk-bench")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--bank", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000)
    args = parser.parse_args()

    folder: Path = args.dir
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / f"chat-{args.messages}-{args.bank}.db"
    if not base.exists():
        build_base(base, args.messages, args.bank)
    chat_db = folder / "chat.db"
    warehouse = folder / "warehouse.duckdb"
    for stale in [*folder.glob("chat.db*"), *folder.glob("warehouse.duckdb*")]:
        stale.unlink()
    shutil.copyfile(base, chat_db)
    # The copy's dirty pages written back during the timed steps would slow their own writes.
    os.sync()

    log(f"importing {RUN_PROCESS_MODULE}, as a run process has before it materializes")
    imports = run_process_imports()
    log("bare SQLite scan of the bank rows")
    scan, scanned = timed("scan", lambda: bare_scan(chat_db))

    log("(a) full ingest")
    ingest_a, stats_a = timed("ingest", lambda: ingest_new_messages(chat_db, warehouse, HEADERS))
    derive_a, derive_stats_a = timed(
        "derive", lambda: derive_transactions(warehouse, DEFAULT_RULES, TZ)
    )

    log(f"(b) {args.new:,} new messages")
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=40 * args.messages)
    append_messages(chat_db, generate(args.new, args.new // 10, args.messages, start, seed=2))
    ingest_b, stats_b = timed("ingest", lambda: ingest_new_messages(chat_db, warehouse, HEADERS))
    derive_b, derive_stats_b = timed(
        "derive", lambda: derive_transactions(warehouse, DEFAULT_RULES, TZ)
    )

    print(f"chat.db: {args.messages:,} messages, {args.bank:,} from banks ({base})")
    print(f"untimed, before (a): import {RUN_PROCESS_MODULE}: {imports:.3f} s")
    print(f"bare SQLite scan of bank rows: {scan:.3f} s ({scanned:,} rows)")
    print(
        f"(a) full: {ingest_a + derive_a:.3f} s (ingest {ingest_a:.3f} + derive {derive_a:.3f})"
        f"  target <= 2.5 s  {stats_a}  {derive_stats_a}"
    )
    print(
        f"(b) {args.new:,} new: {ingest_b + derive_b:.3f} s (ingest {ingest_b:.3f} + derive "
        f"{derive_b:.3f})  target <= 0.2 s  {stats_b}  {derive_stats_b}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
