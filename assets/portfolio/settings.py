"""`[broker]`: which broker adapter, where it is reached, where its token and CSVs are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assets.common.settings_reader import Section, SettingsReader, SharedPaths


@dataclass(frozen=True)
class BrokerSettings:
    """`[broker]`: the Kite Connect API or holdings CSV exports, and how they are read."""

    adapter: str = "kite"
    base_url: str = "https://api.kite.trade"
    login_url: str = "https://kite.zerodha.com/connect/login"
    csv_folder: Path = Path("broker-csv")
    token_file: Path = Path("secrets/kite-token.json")
    timeout_seconds: float = 10.0
    callback_port: int = 5010
    include_mutual_funds: bool = True
    # Set for one run when you really sold everything; otherwise an empty holdings list after
    # a non-empty one is treated as a broker glitch and not published.
    accept_empty_holdings: bool = False


def read_broker(reader: SettingsReader, shared: SharedPaths) -> BrokerSettings:
    """Read `[broker]`; the CSV folder and the token default to places under the data folder."""
    return BrokerSettings(
        adapter=reader.choice("broker.adapter", "kite", ("kite", "csv")),
        base_url=reader.string(
            "broker.base_url", BrokerSettings.base_url, '"https://api.kite.trade"'
        ),
        login_url=reader.string(
            "broker.login_url", BrokerSettings.login_url, '"https://kite.zerodha.com/connect/login"'
        ),
        csv_folder=reader.path(
            "broker.csv_folder",
            str(shared.data_dir / "broker-csv"),
            example='"~/Downloads/holdings"',
        ),
        token_file=reader.path(
            "broker.token_file",
            str(shared.data_dir / "secrets" / "kite-token.json"),
            example='"~/.config/homeclerk/kite-token.json"',
        ),
        timeout_seconds=reader.number("broker.timeout_seconds", 10.0, example="10"),
        callback_port=reader.port("broker.callback_port", 5010),
        include_mutual_funds=reader.boolean("broker.include_mutual_funds", True),
        accept_empty_holdings=reader.boolean("broker.accept_empty_holdings", False),
    )


SECTION = Section("broker", read_broker)
