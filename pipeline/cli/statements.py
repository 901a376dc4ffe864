"""`homeclerk import FILE…` and `homeclerk reconcile`: bank statements against the SMS books."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from pipeline.cli.common import again, read_warehouse, retry_while_locked, settings_for
from pipeline.settings import Settings


def add_parsers(sub: Any) -> None:
    """`homeclerk import FILE…` and `homeclerk reconcile [--account A] [--month M] [--json]`."""
    importing = sub.add_parser(
        "import", help="import bank statements: what matched, what is new, what is flagged"
    )
    importing.add_argument("files", nargs="+", type=Path, metavar="FILE", help="statement files")
    importing.set_defaults(handler=_import)
    reconcile = sub.add_parser(
        "reconcile", help="per account and month: the SMS against the bank's statements"
    )
    reconcile.add_argument("--account", help="only this ledger account (or its last part)")
    reconcile.add_argument("--month", type=_month, help="only this month, YYYY-MM")
    reconcile.add_argument("--json", action="store_true", help="a JSON list of objects")
    reconcile.set_defaults(handler=_reconcile)


def _month(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a month: give it as YYYY-MM (2026-11)")
    return text


def _import(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from assets.books.statement_import import import_statements
    from assets.common.warehouse import WarehouseLockedError

    settings = settings_for(args)
    books = settings.section("books")
    tz = ZoneInfo(settings.timezone)
    now = dt.datetime.now(dt.UTC)
    try:
        results = retry_while_locked(
            lambda: import_statements(
                args.files,
                settings.warehouse,
                books.accounts,
                tz,
                now=now,
                formats=books.statement_formats,
            ),
            seconds=30.0,
        )
    except WarehouseLockedError:
        retry = again(args, "import", *map(str, args.files))
        print(
            f"homeclerk: the warehouse {settings.warehouse} is busy (a run is writing to it): "
            f"nothing imported; try again in a minute ({retry})",
            file=sys.stderr,
        )
        return 1
    failed = 0
    for path, (outcome, problem) in zip(args.files, results, strict=True):
        if outcome is None:
            failed += 1
            print(f"homeclerk: {problem}", file=sys.stderr)
            if problem is not None and problem.fix:
                print(f"  then: {again(args, 'import', str(path))}", file=sys.stderr)
            continue
        print(f"{path} ({outcome.layout}):")
        for account in outcome.accounts:
            print(
                f"  {account.account} {account.first}..{account.last}: {account.lines} line(s)"
                f" ({account.added} stored now, {account.already} imported before)"
            )
            print(f"    matched an SMS transaction: {account.matched}")
            print(f"    new from the statement (no SMS): {account.new}")
            print(f"    SMS not on the statement: {len(account.flagged)}")
            for line in account.flagged:
                print(f"      - {line}")
        for error in outcome.row_errors:
            print(f"  row not read: {error}")
    if failed < len(results):
        print(
            "The books include the new lines from the next books run; to run it now: "
            + again(args, "materialize", "ledger_entries+")
        )
    return 1 if failed else 0


def _reconcile(args: argparse.Namespace) -> int:
    import json
    from zoneinfo import ZoneInfo

    from assets.books.gaps import owner_entries
    from assets.books.reconcile_report import read_month_rows

    settings = settings_for(args)
    tz = ZoneInfo(settings.timezone)
    mapping = settings.section("books").accounts
    hand = owner_entries(settings.books_dir)
    running = _books_running(settings)
    rows = read_warehouse(
        settings, args, lambda path: read_month_rows(path, mapping, tz, hand, running)
    )
    if rows is None:
        return 2
    if args.account:
        rows = [
            r for r in rows if r.account == args.account or r.account.endswith(f":{args.account}")
        ]
    if args.month:
        rows = [r for r in rows if r.month == args.month]
    if args.json:
        print(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("nothing to reconcile for that account and month (no SMS, no statement line)")
        return 0
    for r in rows:
        print(
            f"{r.account} {r.month}: {r.sms} SMS, {r.statement_lines} statement line(s); "
            f"matched {r.matched}, new from the statement {r.new_from_statement}, "
            f"not on the statement {r.not_on_statement}; gaps open {r.gaps_open}, "
            f"closed {r.gaps_closed}"
        )
        if r.statement_closing is not None:
            print(
                f"  statement opening {_money(r.statement_opening)} closing "
                f"{_money(r.statement_closing)}; books opening {_money(r.books_opening)} "
                f"closing {_money(r.books_closing)}"
            )
    return 0


def _money(value: Any) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _books_running(settings: Settings) -> Any:
    """The books' running balances, or None when there are no books to load yet."""
    main = settings.books_dir / "main.beancount"
    if not main.exists():
        return None
    from assets.books.checks import load_books
    from assets.books.reconcile_report import running_balances

    return running_balances(load_books(main).entries)
