"""The "status as of now" rule every feed reader applies (assets/common/feed_status.py)."""

from __future__ import annotations

import datetime as dt

from assets.common.feed_status import feed_as_of, status_as_of

AFTER = "2027-05-03T10:05:00+00:00"
AT = dt.datetime(2027, 5, 3, 10, 5, tzinfo=dt.UTC)
FEED = {"status": "ok", "message": None, "stale_after": AFTER, "stale_reason": "no sample"}


def test_ok_until_stale_after_then_stale_with_the_reason() -> None:
    assert status_as_of(FEED, AT - dt.timedelta(seconds=1)) == ("ok", None)
    assert status_as_of(FEED, AT) == ("ok", None)  # "has passed": strictly after
    assert status_as_of(FEED, AT + dt.timedelta(seconds=1)) == ("stale", "no sample")
    # Any zone: the instant counts, not the wall clock.
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    assert status_as_of(FEED, (AT + dt.timedelta(minutes=1)).astimezone(ist))[0] == "stale"


def test_a_status_decided_at_write_time_stays() -> None:
    for status in ("no_data", "stale", "token_expired"):
        feed = {**FEED, "status": status, "message": f"why {status}"}
        assert status_as_of(feed, AT + dt.timedelta(days=9)) == (status, f"why {status}")


def test_without_stale_after_nothing_changes_and_unreadable_is_stale() -> None:
    assert status_as_of({**FEED, "stale_after": None}, AT + dt.timedelta(days=9)) == ("ok", None)
    status, message = status_as_of({**FEED, "stale_after": "soon"}, AT)
    assert status == "stale" and "'soon'" in message


def test_feed_as_of_copies_and_leaves_the_rest() -> None:
    served = feed_as_of({**FEED, "totals": {"x": 1}}, AT + dt.timedelta(hours=1))
    assert served["status"] == "stale" and served["message"] == "no sample"
    assert served["totals"] == {"x": 1}
    assert FEED["status"] == "ok"  # the input is not modified
