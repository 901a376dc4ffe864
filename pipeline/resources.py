"""Resource wiring: settings in, the resources each domain's assets take out."""

from __future__ import annotations

import os
from typing import Any

from dagster import EnvVar

from assets.backup.resources import BackupResource
from assets.books.resources import BooksResource
from assets.common.resources import Clock, Feeds, Warehouse
from assets.portfolio.resources import BrokerResource
from assets.power.resources import PowerSource
from assets.review.resources import Reviews
from assets.sms.resources import MessagesSource
from assets.transactions.resources import ParsingConfig
from pipeline.commands import installed_command, with_config
from pipeline.settings import Settings


def build_resources(settings: Settings) -> dict[str, Any]:
    """Each resource key the domains' assets take, built from the settings."""
    return {
        # The real time; a run pins it through run config (`homeclerk demo` does).
        "clock": Clock(),
        "warehouse": Warehouse(path=str(settings.warehouse)),
        "messages": MessagesSource(
            chat_db=str(settings.chat_db), bank_headers=list(settings.bank_senders)
        ),
        "parsing": ParsingConfig(
            category_rules=[dict(r) for r in settings.category_rules],
            formats=[dict(f) for f in settings.sms_formats],
            payees=[dict(p) for p in settings.payees],
            timezone=settings.timezone,
            max_plausible_amount=settings.max_plausible_amount,
            command=homeclerk_command(settings),
        ),
        "feeds": Feeds(
            folder=str(settings.feeds_dir),
            timezone=settings.timezone,
            file_mode=settings.feeds_mode,
        ),
        "broker": _broker(settings),
        "books_config": BooksResource(
            books_dir=str(settings.books_dir),
            account_mapping=settings.accounts.as_config(),
            timezone=settings.timezone,
            broker_value_tolerance=settings.broker.value_tolerance,
        ),
        # Weekly reviews are private (see Reviews); feeds/review.json has the feeds mode.
        "reviews": Reviews(folder=str(settings.data_dir / "reviews")),
        "backup_config": _backup(settings),
        "power": PowerSource(
            source=settings.power.source,
            folder=str(settings.data_dir / "power"),
            sysfs_root=str(settings.power.sysfs_root),
            pmset_command=list(settings.power.pmset_command),
            low_charge_percent=settings.power.low_charge_percent,
            min_max_capacity_percent=settings.power.min_max_capacity_percent,
        ),
    }


def homeclerk_command(settings: Settings) -> str:
    """How to run homeclerk on these settings from any shell, for the commands checks print
    (a code server's argv is Dagster's, not homeclerk's: the script beside this Python)."""
    return with_config(installed_command(), settings.config_file)


def _backup(settings: Settings) -> BackupResource:
    """Paths only: the secrets files are named so they can be left out (or in), never read here."""
    backup = settings.backup
    return BackupResource(
        backup_dir=str(backup.dir),
        data_dir=str(settings.data_dir),
        books_dir=str(settings.books_dir),
        config_file=str(settings.config_file) if settings.config_file else None,
        env_file=str(settings.env_file) if settings.env_file else None,
        token_file=str(settings.broker.token_file),
        include_secrets=backup.include_secrets,
        keep_daily=backup.keep_daily,
        keep_weekly=backup.keep_weekly,
        keep_monthly=backup.keep_monthly,
        remote=backup.remote,
        remote_tool=backup.remote_tool,
        timezone=settings.timezone,
    )


def _broker(settings: Settings) -> BrokerResource:
    broker = settings.broker
    common: dict[str, Any] = {
        "adapter": broker.adapter,
        "base_url": broker.base_url,
        "token_file": str(broker.token_file),
        "csv_folder": str(broker.csv_folder),
        "timeout_seconds": broker.timeout_seconds,
        "include_mutual_funds": broker.include_mutual_funds,
        "accept_empty_holdings": broker.accept_empty_holdings,
    }
    if broker.adapter == "kite":
        # Secrets are resolved by Dagster at run time: never in run config, the UI or logs.
        # An unset variable is left empty rather than an EnvVar: Dagster would refuse every run
        # (the SMS path too) with a config error; empty, broker_holdings fails in plain words.
        return BrokerResource(
            api_key=_secret("KITE_API_KEY"), api_secret=_secret("KITE_API_SECRET"), **common
        )
    return BrokerResource(**common)


def _secret(name: str) -> Any:
    return EnvVar(name) if os.environ.get(name) else ""
