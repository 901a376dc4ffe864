"""`homeclerk notify test`: one message through every configured channel, now."""

from __future__ import annotations

import argparse
import secrets
import socket
import sys
from typing import Any

from pipeline.cli.common import settings_for


def add_parsers(sub: Any) -> None:
    """`homeclerk notify …`."""
    notify = sub.add_parser("notify", help="notifications (ntfy, e-mail)").add_subparsers(
        title="notify commands"
    )
    notify.add_parser(
        "test",
        help="send one message through every configured channel; exit 1 naming each that failed",
    ).set_defaults(handler=_notify_test)


def _notify_test(args: argparse.Namespace) -> int:
    from assets.common.clock import now_utc
    from assets.notify.channels import DeliveryError, Message
    from assets.notify.resources import resources_from_settings
    from pipeline.settings import load_env_file, setting_fix

    settings = settings_for(args)
    load_env_file(settings)  # NTFY_TOKEN, SMTP_PASSWORD
    notifier = resources_from_settings(settings)["notifier"]
    channels = notifier.channels()
    if not channels:
        # A fresh topic name: anyone who knows a public ntfy topic can read it, so not a guess.
        url = f'"https://ntfy.sh/homeclerk-{secrets.token_hex(8)}"'
        print(
            "homeclerk: no notification channel is configured ([notify] ntfy_url or smtp_host). "
            "For ntfy (subscribe to the topic in the ntfy app), "
            + setting_fix(settings, "notify.ntfy_url", url)
            + "\nthen run this again. For e-mail, set smtp_host, smtp_user and email_to under "
            "[notify] (see homeclerk.example.toml) and SMTP_PASSWORD in .env.",
            file=sys.stderr,
        )
        return 1
    moment = now_utc()
    message = Message(
        "homeclerk: test message",
        f"Sent by `homeclerk notify test` on {socket.gethostname()} at "
        f"{moment.astimezone(notifier.tz):%Y-%m-%d %H:%M %Z}. If you read this, notifications "
        "reach you here.",
    )
    failed = 0
    for channel in channels:
        try:
            channel.send(message)
        except DeliveryError as exc:
            failed += 1
            print(f"{channel.name}: FAILED: {exc}", file=sys.stderr)
        else:
            where = notifier.ntfy_url if channel.name == "ntfy" else ", ".join(notifier.email_to)
            print(f"{channel.name}: delivered to {where}")
    return 1 if failed else 0
