"""Shared test data: distinctive fake credentials (so their absence can be asserted) and paths."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from assets.portfolio.token_store import BrokerSession, expected_expiry, save_session

# Made-up credentials, distinctive enough that any leak shows up in a substring search.
API_KEY = "kitekey7Q2XW9"
API_SECRET = "kitesecret4LM8ZP"
ACCESS_TOKEN = "accesstok3N5VR1JH"
SECRETS = (API_KEY, API_SECRET, ACCESS_TOKEN)


@dataclass(frozen=True)
class Paths:
    feeds: Path
    warehouse: Path
    token_file: Path

    @property
    def feed(self) -> Path:
        return self.feeds / "portfolio.json"

    @property
    def marker(self) -> Path:
        return self.feeds / "portfolio.status.json"

    def marker_json(self) -> dict:
        return json.loads(self.marker.read_text("utf-8"))


def write_session(token_file: Path, login_time: dt.datetime | None = None) -> BrokerSession:
    login_time = login_time or dt.datetime.now(dt.UTC)
    session = BrokerSession(
        access_token=ACCESS_TOKEN,
        user_id="XY1234",
        login_time=login_time,
        expires_at=expected_expiry(login_time),
    )
    save_session(token_file, session)
    return session


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, "a credential leaked into user-visible text"
