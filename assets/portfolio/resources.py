"""The broker resource the portfolio assets take: which adapter, where, and with which key.

The API key and secret arrive through Dagster `EnvVar`s, so they are resolved at run time and never
appear in run config, the UI or logs. The folder for feeds and the warehouse come from the shared
`Feeds` and `Warehouse` resources.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from dagster import ConfigurableResource, EnvVar

from assets.common.settings_reader import SharedSettings
from assets.portfolio.adapter import BrokerAdapter
from assets.portfolio.csv_adapter import CsvAdapter
from assets.portfolio.kite_adapter import KiteAdapter
from assets.portfolio.kite_client import DEFAULT_BASE_URL
from assets.portfolio.token_check import TokenStatus, check_token


class BrokerResource(ConfigurableResource):
    """Where holdings come from (Kite API or CSV folder) and the broker's settings."""

    adapter: Literal["kite", "csv"] = "kite"
    base_url: str = DEFAULT_BASE_URL
    api_key: str = ""  # pass EnvVar("KITE_API_KEY")
    api_secret: str = ""  # pass EnvVar("KITE_API_SECRET"); only the login uses it
    token_file: str = ""
    csv_folder: str = ""
    timeout_seconds: float = 10.0
    include_mutual_funds: bool = True
    # Set for one run when the owner really sold everything; otherwise an empty list after a
    # non-empty one is treated as a broker glitch and not published.
    accept_empty_holdings: bool = False

    def not_configured(self) -> str | None:
        """Plain words when the adapter cannot work at all on this machine, else None."""
        if self.adapter == "kite" and not self.api_key:
            return (
                "broker not configured: KITE_API_KEY is not set (no .env?): put KITE_API_KEY "
                "and KITE_API_SECRET in .env (mode 0600) and run `homeclerk broker login`, or "
                'set `adapter = "csv"` under [broker] in homeclerk.toml'
            )
        return None

    def build_adapter(self, now: Callable[[], dt.datetime] | None = None) -> BrokerAdapter:
        """The configured adapter; `now` (the run's clock) stamps what it fetches."""
        # Missing settings surface from fetch_holdings as BrokerErrors, so they reach the marker.
        if self.adapter == "csv":
            return CsvAdapter(Path(self.csv_folder) if self.csv_folder else None)
        return KiteAdapter(
            self.api_key,
            Path(self.token_file) if self.token_file else None,
            base_url=self.base_url,
            timeout_seconds=self.timeout_seconds,
            include_mf=self.include_mutual_funds,
            **({"now": now} if now is not None else {}),
        )

    def token_status(self) -> TokenStatus:
        """Whether the saved broker session works, asked from the broker."""
        return check_token(self.api_key, Path(self.token_file), self.base_url, self.timeout_seconds)


def resources_from_settings(settings: SharedSettings) -> dict[str, Any]:
    """`broker`: `[broker]`, with the Kite keys from the environment (`.env`)."""
    broker = settings.section("broker")
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
        return {
            "broker": BrokerResource(
                api_key=_secret("KITE_API_KEY"), api_secret=_secret("KITE_API_SECRET"), **common
            )
        }
    return {"broker": BrokerResource(**common)}


def _secret(name: str) -> Any:
    return EnvVar(name) if os.environ.get(name) else ""
