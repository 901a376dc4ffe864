"""Which feeds are not fresh now: the incidents of the stale-feed sensor.

A feed's `status` as of now (`assets.common.feed_status.status_as_of`, the rule the feed server
and the dashboard apply) that is neither `ok` nor `no_data` is an incident keyed `feed:<name>`;
it clears when the feed is fresh again. Files without a `status` (the review's summary) are not
feeds with a freshness and are left out.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from assets.common.feed_status import STATUS_OK, status_as_of
from assets.notify.incidents import Problem

NOT_A_PROBLEM = (STATUS_OK, "no_data")


def stale_feed_problems(feeds_dir: Path, now: dt.datetime) -> dict[str, Problem]:
    """`feed:<name>` → what is wrong, for each feed in `feeds_dir` not fresh at `now`."""
    problems: dict[str, Problem] = {}
    for path in sorted(Path(feeds_dir).glob("*.json")):
        name = path.stem
        try:
            feed = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue  # replaced between the listing and the read
        except (OSError, ValueError) as exc:
            problems[f"feed:{name}"] = Problem(
                f"Feed {name} unreadable", f"{path} cannot be read: {exc}"
            )
            continue
        if not isinstance(feed, dict) or "status" not in feed:
            continue
        status, message = status_as_of(feed, now)
        if status in NOT_A_PROBLEM:
            continue
        problems[f"feed:{name}"] = Problem(
            f"Feed {name} is {status}", str(message or f"{path.name} says {status}")
        )
    return problems
