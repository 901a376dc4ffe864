"""How many skipped sensor ticks were purged, by quarter hour, so a count over a week stays right.

The service deletes skipped sensor ticks soon after they are made (one every few seconds would
otherwise grow the instance by tens of MB a day); before deleting them it adds them here. The
tally is one JSON object `{"<bucket start, epoch seconds>": count}`: quarter-hour buckets line up
with every zone's midnight (UTC offsets are whole quarter hours), so a week counted in the owner's
zone takes whole buckets. Plain data in, plain data out: the caller stores the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

# The key the tally is stored under in the Dagster instance's key-value store.
TALLY_KEY = "homeclerk/purged_skipped_sensor_ticks"
BUCKET_SECONDS = 900
# Buckets older than this are dropped: a weekly review reads at most the last 8 days.
KEEP_SECONDS = 15 * 24 * 3600


def _load(raw: str | None) -> dict[int, int]:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
        return {int(k): int(v) for k, v in data.items()}
    except (ValueError, TypeError, AttributeError):
        return {}  # a damaged tally restarts at zero rather than stopping the purge


def add_ticks(raw: str | None, timestamps: Iterable[float], now: float) -> str:
    """The tally `raw` plus one tick at each of `timestamps`, without buckets older than 15 days."""
    tally = _load(raw)
    for ts in timestamps:
        bucket = int(ts // BUCKET_SECONDS) * BUCKET_SECONDS
        tally[bucket] = tally.get(bucket, 0) + 1
    oldest = now - KEEP_SECONDS
    kept = {k: v for k, v in sorted(tally.items()) if k >= oldest}
    return json.dumps({str(k): v for k, v in kept.items()}, separators=(",", ":"))


def count_between(raw: str | None, start: float, end: float) -> int:
    """Purged ticks whose bucket starts in [start, end) (exact when both are on quarter hours)."""
    return sum(v for k, v in _load(raw).items() if start <= k < end)
