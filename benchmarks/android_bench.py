"""Android backup benchmark: a 1,000,000-message "SMS Backup & Restore" file (10 % from banks,
emoji in some personal messages) ingested into a fresh warehouse; target ≤ 5 s and ≤ 300 MB peak.

    python benchmarks/android_bench.py [--dir FOLDER] [--messages N] [--bank-share F]

The file is written once and cached in FOLDER (default: a folder in the system temp dir). The
ingest runs in a child process so its peak resident memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.demo.android_writer import HEADER, BackupSms, sms_line

BANKS = ["VM-HDFCBK", "AD-ICICIT-S", "JD-SBIUPI", "VK-AXISBK-T", "BP-KOTAKB"]
BANK_BODY = (
    "Rs.{a}.00 debited from A/c XX1276 on {d} to VPA shop{n}@okaxis (UPI Ref No 4{r:011d}). "
    "Not you? Call 18002586161"
)


def write_file(path: Path, count: int, bank_share: float) -> None:
    rng = random.Random(7)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.write(HEADER + f'<smses count="{count}" type="full">\n')
        for i in range(count):
            when = start + dt.timedelta(seconds=30 * i)
            if rng.random() < bank_share:
                body = BANK_BODY.format(a=rng.randint(10, 9999), d=f"{when:%d-%m-%y}", n=i, r=i)
                sms = BackupSms(rng.choice(BANKS), when, body)
            else:
                body = "see you at " + str(rng.randint(1, 12)) + (" 😎" if i % 7 == 0 else "")
                sms = BackupSms(
                    f"+9198{rng.randint(10**7, 10**8 - 1)}", when, body, rng.choice((1, 2))
                )
            out.write(sms_line(sms))
        out.write("</smses>\n")
    partial.replace(path)


def child(backup: Path, folder: Path) -> None:
    from assets.sms.android_ingest import ingest_android_inbox
    from assets.transactions.settings import DEFAULT_BANK_SENDERS

    inbox = folder / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    (inbox / backup.name).symlink_to(backup)
    warehouse = folder / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    begin, cpu = time.perf_counter(), time.process_time()
    stats = ingest_android_inbox(inbox, warehouse, DEFAULT_BANK_SENDERS)
    took, cpu = time.perf_counter() - begin, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"ingest: {took:.2f} s ({cpu:.2f} CPU s), {stats.read:,} bank SMS read, "
        f"{stats.stored:,} stored; peak RSS {peak:.0f} MB (targets: ≤ 5 s, ≤ 300 MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "hc-android")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--bank-share", type=float, default=0.1)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.dir)
        return
    backup = args.dir / f"sms-{args.messages}-{args.bank_share}.xml"
    if not backup.exists():
        print(f"writing {backup} …", file=sys.stderr, flush=True)
        write_file(backup, args.messages, args.bank_share)
    size = backup.stat().st_size / 1e6
    print(f"backup: {args.messages:,} messages, {size:.0f} MB")
    subprocess.run(
        [sys.executable, __file__, "--dir", str(args.dir), "--child", str(backup)], check=True
    )


if __name__ == "__main__":
    main()
