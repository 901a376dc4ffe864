"""What the command groups share: settings from `--config`, argument types, ports, notes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from assets.common.warehouse import retry_while_locked
from pipeline.commands import command_for
from pipeline.settings import (
    CONFIG_ENV,
    Settings,
    SettingsError,
    load_settings,
    not_configured,
    warn_exposed_secrets,
)


def port(text: str) -> int:
    """A TCP port for argparse: 1-65535, or a usage error naming the option."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (a whole number 1-65535)")
    return port


def count(text: str) -> int:
    """A whole number ≥ 1 for argparse."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings `--config` names, else `$HOMECLERK_CONFIG` or ./homeclerk.toml; the path is
    passed on to child processes through the environment."""
    config = getattr(args, "config", None)
    if not config:
        settings = load_settings()
        warn_exposed_secrets(settings)
        return settings
    path = config.expanduser().resolve()
    if not path.is_file():
        # Name the option the owner typed, not the environment variable it is passed on as.
        raise SettingsError(
            "command line",
            "--config",
            f"is {config}, which is not a file",
            "homeclerk --config ~/homeclerk/homeclerk.toml doctor",
        )
    settings = load_settings(path)
    warn_exposed_secrets(settings)
    # Child processes (the Dagster code location) find the same file through the environment.
    os.environ[CONFIG_ENV] = str(path)
    return settings


def say_what_is_not_configured(settings: Settings) -> None:
    """One stderr line per part of the machine not set up yet, with what it means and the fix."""
    for note in not_configured(settings):
        print(f"not configured: {note}", file=sys.stderr)


def server_port(args: argparse.Namespace, settings: Settings, key: str) -> tuple[int, Any]:
    """The port `--port` gives, else the `[service]` setting, and how to choose another when it
    is busy (another --port, or the setting as lines that paste)."""
    from pipeline.service.single_instance import port_setting_fix

    if args.port is not None:
        return args.port, None
    return getattr(settings.service, key), port_setting_fix(settings, key)


T = TypeVar("T")


def again(args: argparse.Namespace, *words: str) -> str:
    """A homeclerk command to paste, with the `--config` the owner gave (see `commands`)."""
    return command_for(getattr(args, "config", None), *words)


def read_warehouse(
    settings: Settings, args: argparse.Namespace, read: Callable[[Path], T]
) -> T | None:
    """`read(warehouse)`, retried while a run holds it; None after saying in one line why not."""
    from assets.common.warehouse import WarehouseLockedError
    from assets.transactions.unrecognized import NoTransactionsError

    path = settings.warehouse
    if not path.exists():
        print(
            f"homeclerk: no warehouse at {path} yet: run `{again(args, 'serve')}` (or "
            f"`{again(args, 'materialize', 'sms_messages+')}`) once to read your messages into it",
            file=sys.stderr,
        )
        return None
    try:
        return retry_while_locked(lambda: read(path))
    except NoTransactionsError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
    except WarehouseLockedError:
        print(
            f"homeclerk: the warehouse {path} is busy (a run is writing to it, or a "
            "program keeps it open): try again in a minute, or stop that program",
            file=sys.stderr,
        )
    return None
