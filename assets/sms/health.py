"""Health of the SMS source, as plain computations: is it suspiciously quiet, what was unreadable.

Quiet rule: the source is quiet when the time since the newest bank SMS exceeds
max(3 days, 10 × the 95th-percentile gap between consecutive bank SMS of the last 180 days).
The percentile ignores the owner's rare long silences (holidays) but tracks their normal rhythm;
the 3-day floor keeps an owner who gets SMS hourly from being warned after a quiet weekend.
With fewer than 10 gaps there is no rhythm to learn, so only the floor applies.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from assets.common.warehouse import connect

QUIET_FLOOR = dt.timedelta(days=3)
QUIET_FACTOR = 10
HISTORY = dt.timedelta(days=180)
MIN_GAPS = 10


class QuietVerdict(NamedTuple):
    """Whether the bank SMS have gone quiet for longer than usual, with the figures."""

    quiet: bool
    newest: dt.datetime | None
    silence: dt.timedelta | None  # now - newest
    threshold: dt.timedelta
    p95_gap: dt.timedelta | None
    gaps: int

    def describe(self) -> str:
        """The verdict in words, for the check's description."""
        if self.newest is None:
            return "no bank SMS has been ingested yet: check `[messages] senders`"
        usual = f"95th-percentile gap {_human(self.p95_gap)}" if self.p95_gap else "no history"
        return (
            f"newest bank SMS {self.newest.isoformat()}, {_human(self.silence)} ago; "
            f"threshold {_human(self.threshold)} ({usual}, {self.gaps} gaps)"
        )


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of non-empty `values`."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def quiet_verdict(received: Sequence[dt.datetime], now: dt.datetime) -> QuietVerdict:
    """Apply the quiet rule to the receive times of bank SMS (any order)."""
    if not received:
        return QuietVerdict(True, None, None, QUIET_FLOOR, None, 0)
    times = sorted(received)
    newest = times[-1]
    recent = [t for t in times if t >= newest - HISTORY]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(recent)]
    threshold = QUIET_FLOOR
    p95: dt.timedelta | None = None
    if len(gaps) >= MIN_GAPS:
        p95 = dt.timedelta(seconds=percentile(gaps, 0.95))
        threshold = max(QUIET_FLOOR, QUIET_FACTOR * p95)
    silence = now - newest
    return QuietVerdict(silence > threshold, newest, silence, threshold, p95, len(gaps))


def read_receive_times(warehouse_path: Path | str) -> list[dt.datetime]:
    """When the recent bank SMS arrived, oldest first (the window quiet_verdict needs)."""
    with connect(Path(warehouse_path), read_only=True) as con:
        rows = con.execute(
            "SELECT received_at FROM sms_messages"
            " WHERE received_at >= (SELECT MAX(received_at) FROM sms_messages) - ?"
            " ORDER BY received_at",
            [HISTORY],
        ).fetchall()
    return [row[0] for row in rows]


def problem_messages(warehouse_path: Path | str, limit: int = 50) -> tuple[int, list[str]]:
    """How many stored messages have a `problem` (not valid UTF-8, or unprocessable), and the
    GUIDs of the newest `limit`: never their bodies."""
    with connect(Path(warehouse_path), read_only=True) as con:
        total = con.execute(
            "SELECT COUNT(*) FROM sms_messages WHERE problem IS NOT NULL"
        ).fetchall()[0][0]
        rows = con.execute(
            "SELECT guid, problem FROM sms_messages WHERE problem IS NOT NULL"
            " ORDER BY received_at DESC LIMIT ?",
            [limit],
        ).fetchall()
    return int(total), [f"{guid} ({problem})" for guid, problem in rows]


def _human(delta: dt.timedelta | None) -> str:
    if delta is None:
        return "-"
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"
