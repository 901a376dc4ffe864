"""`homeclerk materialize`, `review`, `backup` and `restore`: runs from a shell, and restores."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.cli.common import (
    settings_for,
)
from pipeline.commands import command_for


def add_parsers(sub: Any) -> None:
    """`homeclerk materialize`, `review`, `backup` and `restore`."""
    mat = sub.add_parser(
        "materialize",
        help="materialize assets from a shell, waiting for the warehouse instead of failing",
    )
    mat.add_argument("selection", help="asset selection: sms_messages+, *expenses_feed, key:books")
    mat.add_argument("--partition", help="partition key (e.g. a week's start date)")
    mat.add_argument(
        "--verbose", action="store_true", help="also print a failed step's stack trace"
    )
    mat.set_defaults(handler=_materialize)

    review = sub.add_parser("review", help="write (or backfill) weekly reviews, one run")
    which = review.add_mutually_exclusive_group(required=True)
    which.add_argument("--week", help="one ISO week, e.g. 2026-W45")
    which.add_argument("--from", dest="first", help="first ISO week of a range (with --to)")
    review.add_argument("--to", dest="last", help="last ISO week of the range")
    review.set_defaults(handler=_review)
    backup = sub.add_parser("backup", help="take a snapshot now (warehouse, instance, books …)")
    backup.add_argument("--to", type=Path, help="backup folder (default: [backup] dir)")
    backup.add_argument(
        "--prune",
        action="store_true",
        help="let retention delete snapshots taken by hand too (never one younger than a day)",
    )
    backup.set_defaults(handler=_backup)
    restore = sub.add_parser("restore", help="rebuild a data + books folder from a snapshot")
    restore.add_argument("snapshot", type=Path, help="a snapshot folder (…/20260101T033000Z)")
    restore.add_argument("--to", type=Path, required=True, help="a new or empty folder")
    restore.set_defaults(handler=_restore)


def _materialize(args: argparse.Namespace) -> int:
    from pipeline.materialize import SelectionError, materialize
    from pipeline.service.instance import use_instance
    from pipeline.settings import load_env_file

    settings = settings_for(args)
    load_env_file(settings)
    use_instance(settings)
    try:
        return materialize(
            settings,
            args.selection,
            args.partition,
            out=lambda line: print(line, flush=True),
            verbose=args.verbose,
        )
    except SelectionError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2


def _review(args: argparse.Namespace) -> int:
    from assets.common.clock import now_utc
    from assets.review.first_week import partitions_start
    from assets.review.week import outside_partitions, parse_iso_week, weeks_between
    from pipeline.materialize import materialize
    from pipeline.service.instance import use_instance
    from pipeline.settings import load_env_file

    try:
        if args.week:
            if args.last:
                raise ValueError("--to goes with --from, not with --week")
            weeks = [parse_iso_week(args.week)]
        else:
            if not args.last:
                raise ValueError("--from needs --to (the last week of the range)")
            weeks = weeks_between(parse_iso_week(args.first), parse_iso_week(args.last))
    except ValueError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2
    settings = settings_for(args)
    # Dagster's weekly partitions end at the week in progress by the wall clock, as here, and
    # start where the definitions do (the first week with data).
    now = now_utc()
    first = partitions_start(settings.data_dir / "reviews", settings.warehouse, settings.tz, now)
    outside = outside_partitions(weeks, first, now, settings.tz)
    if outside:
        print(f"homeclerk: {outside}", file=sys.stderr)
        return 2
    load_env_file(settings)
    use_instance(settings)
    say = lambda line: print(line, flush=True)  # noqa: E731
    if len(weeks) == 1:
        return materialize(settings, "weekly_review", weeks[0].key, out=say)
    return materialize(
        settings, "weekly_review", out=say, partition_range=(weeks[0].key, weeks[-1].key)
    )


def _backup(args: argparse.Namespace) -> int:
    """A snapshot now, as a run of the `backup` asset: it waits for the warehouse pool like
    `materialize` (a run the daemon launched in that moment would otherwise find the warehouse
    locked), and the daemon keeps new warehouse runs queued while it copies."""
    from pipeline.materialize import materialize

    settings = settings_for(args)
    request = {
        "trigger": "manual",
        "to": str(args.to.expanduser().resolve()) if args.to else "",
        "prune": bool(args.prune),
    }
    report: dict[str, Any] = {}

    def keep_report(result: Any) -> None:
        for materialization in result.asset_materializations_for_node("backup"):
            report.update({k: v.value for k, v in materialization.metadata.items()})

    code = materialize(
        settings,
        "backup",
        out=lambda line: print(line, file=sys.stderr),
        op_config={"backup": request},
        on_success=keep_report,
    )
    if code != 0:
        return code
    print(report.get("report", ""))
    if "remote" in report:
        ok = bool(report.get("remote_ok"))
        print(
            report["remote"] if ok else f"homeclerk: warning: {report['remote']}",
            file=sys.stdout if ok else sys.stderr,
        )
    return 0


def _restore(args: argparse.Namespace) -> int:
    from assets.backup.restore import restore_snapshot
    from assets.backup.snapshot import BackupError

    try:
        result = restore_snapshot(args.snapshot, args.to)
    except BackupError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    closed = _close_restored_runs(result.data_dir / "dagster")
    print(f"restored {result.files} files into {result.folder}")
    if closed:
        print(f"  runs in progress in the snapshot (the backup's own included): {closed} canceled")
    print(f"  data:   {result.data_dir}")
    print(f"  books:  {result.books_dir}")
    print(f"  config: {result.config}")
    for path in result.foreign_paths:
        print(
            f"homeclerk: warning: {result.data_dir / 'dagster' / 'dagster.yaml'} names {path}, "
            "outside the restored folder: point it inside or delete the file (homeclerk "
            "writes it again)",
            file=sys.stderr,
        )
    print(f"Use it: {command_for(result.config, 'doctor')}")
    return 0


def _close_restored_runs(home: Path) -> int:
    """Cancel the runs the snapshot caught in flight (see `runs.close_restored_runs`)."""
    if not (home / "dagster.yaml").is_file():
        return 0
    from dagster import DagsterInstance

    from pipeline.service.runs import close_restored_runs

    try:
        with DagsterInstance.from_config(str(home)) as instance:
            return len(close_restored_runs(instance))
    except Exception as exc:  # a restore is whole without this; say so and go on
        print(f"homeclerk: warning: runs in the snapshot not checked ({exc})", file=sys.stderr)
        return 0
