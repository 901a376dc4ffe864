"""Is the cached broker session still good? One cheap `GET /user/profile` answers it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from assets.portfolio.errors import BrokerError
from assets.portfolio.kite_client import DEFAULT_BASE_URL, KiteClient
from assets.portfolio.token_store import IST, load_session

PROFILE_PATH = "/user/profile"


class TokenStatus(NamedTuple):
    """The broker session's state, in words, with the fix when it is not ok."""

    status: str  # "ok", or a BrokerError status such as "token_expired"
    message: str  # plain words, with the fix when not ok
    user_id: str | None = None


def check_token(
    api_key: str,
    token_file: Path,
    base_url: str = DEFAULT_BASE_URL,
    timeout_seconds: float = 10.0,
    now: dt.datetime | None = None,
) -> TokenStatus:
    """Never raises for a broker problem: the answer is the status, for a check or the doctor."""
    try:
        session = load_session(token_file, now=now)
        with KiteClient(
            api_key, session.access_token, base_url=base_url, timeout_seconds=timeout_seconds
        ) as client:
            profile = client.get(PROFILE_PATH)
    except BrokerError as error:
        return TokenStatus(error.status, str(error))
    user_id = str(profile.get("user_id", "")) if isinstance(profile, dict) else ""
    return TokenStatus(
        "ok",
        f"the broker session for {user_id or session.user_id} is valid until about "
        f"{session.expires_at.astimezone(IST):%Y-%m-%d %H:%M} IST",
        user_id or session.user_id,
    )
