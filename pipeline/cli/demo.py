"""`homeclerk demo`: the demo data set, every asset materialized on it."""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
from pathlib import Path
from typing import Any

from pipeline.commands import command_for


def add_parsers(sub: Any) -> None:
    """`homeclerk demo`."""
    demo = sub.add_parser("demo", help="build a demo data set and materialize every asset")
    demo.add_argument("--dir", type=Path, default=Path("demo"), help="demo folder (./demo)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    demo.add_argument(
        "--end-date", type=dt.date.fromisoformat, help="last day of the demo (default: today)"
    )
    demo.add_argument(
        "--source",
        choices=("messages", "android"),
        default="messages",
        help="where the demo's SMS come from: a chat.db (messages) or an Android backup",
    )
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from pipeline.demo.build import DemoFolderError
    from pipeline.demo.run import run_demo

    try:
        report = run_demo(args.dir, seed=args.seed, end=args.end_date, source=args.source)
    except DemoFolderError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2
    print()
    as_of = report.as_of.isoformat(timespec="seconds")
    if not report.success:
        print(f"homeclerk demo FAILED (data as of {as_of}):")
        for line in report.failed_steps:
            print(f"  failed:   {line}")
    elif report.warnings:
        print(f"homeclerk demo finished: every asset materialized (data as of {as_of}); warnings:")
    else:
        print(
            "homeclerk demo finished: every asset materialized, every check passed "
            f"(data as of {as_of})"
        )
    for line in report.warnings:
        print(f"  warning:  {line}")
    if any("parse_coverage" in line for line in report.warnings):
        teach = command_for(report.config, "sms", "unrecognized")
        print(f"  teach it: {teach}  (then `sms suggest SHAPE_ID`)")
    print(f"  folder:   {report.folder}")
    where = "android:  " if args.source == "android" else "chat.db:  "
    print(f"  {where}{report.messages} messages, {report.bank_alerts} bank transaction alerts")
    for path in report.outputs:
        print(f"  output:   {path}")
    if report.latest_review:
        print(f"  review:   {report.latest_review} (and its .md; earlier weeks beside it)")
    print(f"  config:   {report.config}")
    command = command_for(report.config)
    print("Open the Dagster UI on this demo:")
    print(f"  {command} ui    # then http://127.0.0.1:3000")
    print("Read the books in Fava:")
    print(f"  {command} fava  # then http://127.0.0.1:5000")
    print("Or run everything as the always-on service (UI, Fava, feeds on 127.0.0.1:5080):")
    print(f"  {command} serve")
    if report.statements:
        print("Import a bank statement (the demo imported these; again, they add nothing):")
        print(f"  {command} import {' '.join(shlex.quote(str(p)) for p in report.statements)}")
        if report.inbox:
            print(f"  or drop the file into {report.inbox} (the service imports it)")
        print(f"  then: {command} reconcile")
    return 0 if report.success else 1
