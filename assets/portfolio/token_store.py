"""The cached broker session: one small JSON file, mode 0600, written atomically.

Kite sessions end at about 06:00 IST the next day whatever time they were issued, so the file also
records the expected expiry: an expired session is reported without spending a broker call.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.common.atomic import write_json_atomic
from assets.portfolio.errors import TokenExpiredError
from assets.portfolio.trading_days import EXCHANGE_TIMEZONE

IST = ZoneInfo(EXCHANGE_TIMEZONE)
SESSION_EXPIRY_HOUR_IST = 6
TOKEN_FILE_MODE = 0o600


@dataclass(frozen=True)
class BrokerSession:
    """A Kite session: the access token, whose it is, and when it ends."""

    # repr=False: a session printed in a log or traceback must not show the token.
    access_token: str = field(repr=False)
    user_id: str
    login_time: dt.datetime  # timezone-aware
    expires_at: dt.datetime  # timezone-aware


def expected_expiry(login_time: dt.datetime) -> dt.datetime:
    """The first 06:00 IST strictly after the login."""
    local = login_time.astimezone(IST)
    cutoff = local.replace(hour=SESSION_EXPIRY_HOUR_IST, minute=0, second=0, microsecond=0)
    if cutoff <= local:
        cutoff += dt.timedelta(days=1)
    return cutoff


def parse_kite_time(text: str) -> dt.datetime:
    """Kite sends IST wall-clock strings without a zone, e.g. "2026-11-20 08:59:12"."""
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)


def save_session(token_file: Path, session: BrokerSession) -> None:
    """Write the session to `token_file` atomically, readable by the owner only."""
    payload = {
        "access_token": session.access_token,
        "user_id": session.user_id,
        "login_time": session.login_time.isoformat(),
        "expires_at": session.expires_at.isoformat(),
    }
    write_json_atomic(Path(token_file), payload, mode=TOKEN_FILE_MODE)


def load_session(token_file: Path, now: dt.datetime | None = None) -> BrokerSession:
    """The cached session, or TokenExpiredError (missing, unreadable or past its expiry)."""
    token_file = Path(token_file)
    try:
        raw = json.loads(token_file.read_text(encoding="utf-8"))
        session = BrokerSession(
            access_token=str(raw["access_token"]),
            user_id=str(raw.get("user_id", "")),
            login_time=dt.datetime.fromisoformat(raw["login_time"]),
            expires_at=dt.datetime.fromisoformat(raw["expires_at"]),
        )
    except FileNotFoundError:
        raise TokenExpiredError(
            f"there is no broker session yet (no token file at {token_file})"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TokenExpiredError(
            f"the broker token file {token_file} is unreadable ({type(exc).__name__})"
        ) from None
    now = now or dt.datetime.now(dt.UTC)
    if session.expires_at <= now:
        raise TokenExpiredError(
            f"the broker session from {session.login_time.astimezone(IST):%Y-%m-%d %H:%M} IST "
            f"expired at {session.expires_at.astimezone(IST):%Y-%m-%d %H:%M} IST (Kite sessions "
            "end at about 06:00 IST every day)"
        )
    return session
