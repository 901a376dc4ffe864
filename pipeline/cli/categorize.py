"""`homeclerk categorize`: list the uncategorized spending by payee, or file one payee."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.cli.common import again, count, read_warehouse, settings_for
from pipeline.commands import command_for
from pipeline.settings import CONFIG_NAME, Settings


def add_parsers(sub: Any) -> None:
    """`homeclerk categorize [PAYEE ACCOUNT]`."""
    categorize = sub.add_parser(
        "categorize", help="uncategorized spending by payee; file a payee under an account"
    )
    categorize.add_argument("payee", nargs="?", help="a payee as the list shows it")
    categorize.add_argument("account", nargs="?", help="e.g. Expenses:Food:Delivery")
    categorize.add_argument("--json", action="store_true", help="the groups as one JSON object")
    categorize.add_argument("--limit", type=count, default=20, help="payees to show (20)")
    categorize.set_defaults(handler=_categorize)


def _categorize(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    if args.payee is None:
        return _list(args, settings)
    if args.account is None:
        print(
            "homeclerk: give the account to file the payee under: "
            f"{again(args, 'categorize', args.payee, 'Expenses:Food:Delivery')}",
            file=sys.stderr,
        )
        return 2
    return _write(args, settings)


def _list(args: argparse.Namespace, settings: Settings) -> int:
    import json
    from zoneinfo import ZoneInfo

    from assets.transactions.categories import rules_from_config
    from assets.transactions.uncategorized import load_uncategorized

    rules = rules_from_config(settings.category_rules)
    tz = ZoneInfo(settings.timezone)
    groups = read_warehouse(settings, args, lambda path: load_uncategorized(path, rules, tz))
    if groups is None:
        return 2
    shown = groups[: args.limit]
    if args.json:
        document = {
            "uncategorized": sum(g.count for g in groups),
            "payees": len(groups),
            "groups": [g.summary() for g in shown],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    if not groups:
        print("no uncategorized spending in the warehouse")
        return 0
    print(
        f"{sum(g.count for g in groups)} uncategorized debit(s) to {len(groups)} payee(s), "
        "most spent first (examples masked):"
    )
    for g in shown:
        print(f"\n{g.payee}  {g.count} debit(s), {g.total:,} {g.currency}, last {g.last_seen}")
        if g.suggested_by == "rules":
            print(f"  filed as {g.suggested} by your rules from the next `transactions` run")
        elif g.suggested is not None:
            sure = f"{g.confidence:.0%} sure" if g.confidence is not None else ""
            print(f"  suggested: {g.suggested} (learned from your filed spending, {sure})")
        if g.example:
            print("  example: " + g.example.replace("\n", " / "))
    if len(groups) > len(shown):
        print(f"\n… and {len(groups) - len(shown)} more payee(s): --limit {len(groups)} shows all")
    first = next((g for g in shown if g.suggested_by != "rules"), None)
    if first is not None:
        account = first.suggested or "Expenses:Food:Delivery"
        print(
            "\nFile a payee under your own account (this writes a rule into homeclerk.toml), e.g.: "
            + again(args, "categorize", first.payee, account)
        )
    return 0


def _write(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.rule_filing import FilingError, file_payee

    payee, account = args.payee.strip(), args.account.strip()
    try:
        filed = file_payee(settings, payee, account)
    except FilingError as exc:
        if exc.kind == "account":
            fix = again(args, "categorize", payee, exc.fixed or "Expenses:Food:Delivery")
            print(f"homeclerk: {exc}; for example: {fix}", file=sys.stderr)
            return 2
        if exc.kind == "no_config":
            where = settings.base_dir / CONFIG_NAME
            print(
                f"homeclerk: no {CONFIG_NAME} to write the rule into: homeclerk reads {where} "
                f"(or --config FILE, or $HOMECLERK_CONFIG). Create it (an empty file will do, or "
                f"a copy of homeclerk.example.toml) and run again: touch {_quote(where)} && "
                + command_for(where, "categorize", payee, account),
                file=sys.stderr,
            )
            return 2
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1 if exc.kind == "invalid" else 2
    if filed.busy:
        print(
            f"note: the warehouse {settings.warehouse} is busy: the rule matches the name "
            f"{payee!r} only; run this command again when it is free to add the spellings "
            "stored for it",
            file=sys.stderr,
        )
    print(f"wrote to {filed.path}, first in [[categories.rules]]:")
    for key, value in filed.rule.items():
        print(f"  {key} = {value!r}")
    parties = filed.parties
    matched = f"by its name and {len(parties)} stored spelling(s)" if parties else "by its name"
    print(
        f"{payee} (matched {matched}) is filed as {account} from the next run of "
        "`transactions`, which re-files the stored rows (the expenses feed and the books "
        "follow); to run it now: "
        f"{again(args, 'materialize', 'transactions+')}"
    )
    return 0


def _quote(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))
