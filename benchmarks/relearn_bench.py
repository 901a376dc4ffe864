"""Re-deriving unrecognized messages after the owner adds a format, on a 100,000-message warehouse.

    python benchmarks/relearn_bench.py [--messages N] [--unrecognized N] [--repeat N]

Builds a warehouse with N bank messages (default 100,000) of which U (default 3,000) are in
shapes the parser does not know (two thirds in one wallet shape a suggested format reads), then
times with the parser alone:
  (a) the first derive of everything;
  (b) a tick with nothing new and the formats unchanged (the fingerprint check is all it adds),
      the same tick without the check, and the check alone;
  (c) the first run after the owner's format is added: the U unrecognized rows re-parsed, the
      wallet ones upgraded in place;
  (d) for comparison, what re-trying every unrecognized row on every tick would cost (select +
      parse of the U rows, nothing written).
Results go to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from assets.sms.tables import ensure_tables
from assets.transactions import derive
from assets.transactions.categories import DEFAULT_RULES
from assets.transactions.derive import derive_rows, derive_transactions
from assets.transactions.parsing import formats_from_config
from assets.transactions.relearn import stored_fingerprint
from assets.transactions.suggest import propose
from assets.transactions.unrecognized import shape_of

TZ = ZoneInfo("Asia/Kolkata")
KNOWN = [
    ("VK-HDFCBK", "Sent Rs.{a}\nFrom HDFC Bank A/C *1276\nTo {n}\nOn 05/11/26\nRef {r}\nNot You?\n"
     "Call 18002586161/SMS BLOCK UPI to 7308080808"),
    ("AD-ICICIB", "INR {a} spent using ICICI Bank Card XX3750 on 05-Nov-26 on {n}. Avl Limit: "
     "INR 1,20,000.00. If not you, call 1800 2662/SMS BLOCK 3750 to 9215676766"),
    ("AD-HDFCBK-S", "Rs.{a} debited from a/c **1276 on 05-11-26 to VPA shop{r}@okaxis(UPI Ref No "
     "{r}). Not you? Call on 18002586161 to report"),
]  # fmt: skip
WALLET = (
    "PayZapp: Rs.{a} paid to {n} from your wallet on 05-11-26. Wallet balance Rs.1,200.50. "
    "Txn AB{r} -HDFC Bank"
)
ODD = "Dear customer, your account saw some activity of Rs.{a} today. Ref {r}"
NAMES = ["CHAI POINT", "DOSA CORNER", "KAVERI STORES", "MEERA IYER", "RATNADEEP", "DMART"]


def build(path: Path, total: int, unrecognized: int, rng: random.Random) -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(total):
        amount = f"{rng.randint(10, 50_000)}.{rng.randint(0, 99):02d}"
        ref = str(rng.randint(10**11, 10**12 - 1))
        name = rng.choice(NAMES)
        if i % (total // unrecognized) == 0:
            body = (WALLET if rng.random() < 2 / 3 else ODD).format(a=amount, n=name, r=ref[:6])
            sender = "VM-HDFCBK"
        else:
            sender, template = rng.choice(KNOWN)
            body = template.format(a=amount, n=name, r=ref)
        rows.append((i + 1, f"G{i}", sender, start + dt.timedelta(minutes=7 * i), body))
    with duckdb.connect(str(path)) as con:
        ensure_tables(con)
        con.executemany(
            "INSERT INTO sms_messages (rowid, guid, sender, received_at, body,"
            " from_attributed_body) VALUES (?, ?, ?, ?, ?, false)",
            rows,
        )


def timed(run, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        begin = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - begin)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--unrecognized", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    body = WALLET.format(a="1.00", n="RAVI", r="123456")
    entry = propose(shape_of("VM-HDFCBK", body), body, "VM-HDFCBK").entry
    assert entry is not None
    formats = formats_from_config([entry])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.duckdb"
        build(path, args.messages, args.unrecognized, random.Random(7))
        begin = time.perf_counter()
        first = derive_transactions(path, DEFAULT_RULES, TZ)
        print(
            f"(a) first derive of {first.considered:,} messages: "
            f"{time.perf_counter() - begin:.3f} s, {first.unrecognized:,} unrecognized"
        )
        tick, _ = timed(lambda: derive_transactions(path, DEFAULT_RULES, TZ), args.repeat)
        print(
            f"(b) tick, nothing new, formats unchanged: median {tick * 1000:.1f} ms "
            f"of {args.repeat}"
        )
        # The same tick without the fingerprint check, to see what it adds.
        check = derive._retry_if_formats_changed
        derive._retry_if_formats_changed = lambda *_: 0  # type: ignore[assignment]
        bare, _ = timed(lambda: derive_transactions(path, DEFAULT_RULES, TZ), args.repeat)
        derive._retry_if_formats_changed = check
        print(f"    the same tick without the fingerprint check: median {bare * 1000:.1f} ms")
        with duckdb.connect(str(path)) as con:
            alone, _ = timed(lambda: stored_fingerprint(con), 200)
        print(
            f"    the fingerprint check alone on an open connection: median "
            f"{alone * 1000:.3f} ms of 200"
        )
        begin = time.perf_counter()
        changed = derive_transactions(path, DEFAULT_RULES, TZ, formats)
        print(
            f"(c) first run after the format is added: {time.perf_counter() - begin:.3f} s, "
            f"{changed.upgraded:,} upgraded in place"
        )
        tick, _ = timed(lambda: derive_transactions(path, DEFAULT_RULES, TZ, formats), args.repeat)
        print(f"    next tick, formats unchanged: median {tick * 1000:.1f} ms")

        def retry_all() -> int:
            with duckdb.connect(str(path), read_only=True) as con:
                rows = con.execute(
                    "SELECT s.guid, s.sender, s.body, epoch_us(s.received_at) FROM sms_messages s"
                    " JOIN transactions t ON t.message_guid = s.guid"
                    " WHERE t.status = 'unrecognized'"
                ).fetchall()
            return len(derive_rows(rows, DEFAULT_RULES, TZ, formats))

        cost, count = timed(retry_all, args.repeat)
        print(
            f"(d) re-trying all {count:,} remaining unrecognized rows (no write): median "
            f"{cost * 1000:.1f} ms (before the format: {args.unrecognized:,})"
        )


if __name__ == "__main__":
    main()
