"""`homeclerk broker login` and `broker status`: the broker session."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from pipeline.cli.common import (
    settings_for,
)


def add_parsers(sub: Any) -> None:
    """`homeclerk broker …`."""
    broker = sub.add_parser("broker", help="broker session").add_subparsers(title="broker commands")
    login = broker.add_parser("login", help="sign in to Kite and cache today's session token")
    login.add_argument("--no-browser", action="store_true", help="only print the link")
    login.add_argument("--wait", type=float, default=300, help="seconds to wait for the sign-in")
    login.set_defaults(handler=_broker_login)
    status = broker.add_parser("status", help="is the cached broker session still valid?")
    status.set_defaults(handler=_broker_status)


def _broker_login(args: argparse.Namespace) -> int:
    from assets.portfolio.errors import BrokerError, LoginError
    from assets.portfolio.login import run_login
    from pipeline.settings import load_env_file

    settings = settings_for(args)
    load_env_file(settings)
    try:
        run_login(
            os.environ.get("KITE_API_KEY", ""),
            os.environ.get("KITE_API_SECRET", ""),
            settings.broker.token_file,
            base_url=settings.broker.base_url,
            login_url=settings.broker.login_url,
            open_browser=not args.no_browser,
            port=settings.broker.callback_port,
            wait_seconds=args.wait,
        )
    except (BrokerError, LoginError) as exc:
        print(f"homeclerk: broker login failed: {exc}", file=sys.stderr)
        return 1
    return 0


def _broker_status(args: argparse.Namespace) -> int:
    from assets.portfolio.token_check import check_token
    from pipeline.settings import load_env_file

    settings = settings_for(args)
    load_env_file(settings)
    if not settings.broker.token_file.exists():
        print(
            "not logged in: run `homeclerk broker login` "
            f"(no session at {settings.broker.token_file})"
        )
        return 1
    result = check_token(
        os.environ.get("KITE_API_KEY", ""),
        settings.broker.token_file,
        settings.broker.base_url,
        settings.broker.timeout_seconds,
    )
    print(f"{result.status}: {result.message}")
    return 0 if result.status == "ok" else 1
