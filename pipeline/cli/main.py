"""The `homeclerk` command: its parser, made of each command group's parsers, and `main`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.cli import (
    broker,
    categorize,
    demo,
    doctor,
    notify,
    platform,
    power,
    runs,
    servers,
    sms,
    statements,
)
from pipeline.cli.descriptions import DESCRIPTIONS
from pipeline.permissions import apply_private_umask
from pipeline.settings import (
    CONFIG_ENV,
    SettingsError,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command in `argv`; its exit code (2 for a usage or settings error, 130 on Ctrl-C)."""
    apply_private_umask()  # what any command (and each process it starts) writes is private
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except SettingsError as exc:
        print(f"homeclerk: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Read by a pager or `head` that stopped reading: not an error of ours. Point stdout at
        # devnull so the interpreter's flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports it


def _global_options(suppress: bool) -> argparse.ArgumentParser:
    """The options every command takes, before or after its name (`homeclerk doctor --config x`).

    On the subcommands the default is SUPPRESS, so a value given before the subcommand is not
    overwritten by the subparser's default.
    """
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS if suppress else None,
        help=f"homeclerk.toml to use (default: ${CONFIG_ENV} or ./homeclerk.toml)",
    )
    return options


class _SubParsers(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subparsers that all accept the global options too."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("parents", [_global_options(suppress=True)])
        words = f"{self._prog_prefix} {name}".split()[1:]  # after "homeclerk"
        kwargs.setdefault("description", DESCRIPTIONS.get(" ".join(words)))
        return super().add_parser(name, **kwargs)


class _Parser(argparse.ArgumentParser):
    """Subcommands at every level (`broker status`) get the global options: argparse makes
    them with the parent's class, so registering here reaches them all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _SubParsers)


def build_parser() -> argparse.ArgumentParser:
    """homeclerk's argument parser (the README's command table is generated from it)."""
    parser = _Parser(
        prog="homeclerk",
        description="The clerk of a home server: bank SMS, broker, battery → feeds and books.",
        parents=[_global_options(suppress=False)],
    )
    sub = parser.add_subparsers(title="commands")
    # In this order in `homeclerk --help`.
    demo.add_parsers(sub)
    servers.add_ui_and_serve(sub)
    doctor.add_parsers(sub)
    platform.add_parsers(sub)
    runs.add_parsers(sub)
    servers.add_fava(sub)
    broker.add_parsers(sub)
    sms.add_parsers(sub)
    categorize.add_parsers(sub)
    statements.add_parsers(sub)
    power.add_parsers(sub)
    notify.add_parsers(sub)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
