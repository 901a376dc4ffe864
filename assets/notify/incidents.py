"""Incidents and the outbox: one message when something goes wrong, a reminder while it stays
wrong, one when it clears; and the queue those messages wait in until they are delivered.

The state is plain data (a dict, saved as JSON by `assets.notify.store`):

- `incidents`: key → {title, body, link, opened_at, noticed_at}: what is wrong now. A key names
  the thing (`feed:power`, `backup`, `run:everything_job`), so a source that reports the same
  problem every minute opens it once.
- `outbox`: messages not yet delivered to every channel, each with the channels it reached, its
  failed attempts and when to try again (a failed delivery waits `retry_delay(attempts)`).
- `announced`: key → when, for one-off messages (the Sunday review), so each goes out once.

Every function takes `now` (aware); nothing here reads the clock or the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from assets.notify.channels import Channel, DeliveryError, Message
from assets.notify.quiet import QuietHours, quiet_until

OPEN, REMIND, CLEAR, NOTE = "open", "remind", "clear", "note"
FIRST_RETRY = dt.timedelta(minutes=1)
LAST_RETRY = dt.timedelta(hours=1)
# A message no channel took in this long is dropped (said in the log): a week-old "the feed is
# stale" helps no one, and the state file must not grow without end.
GIVE_UP_AFTER = dt.timedelta(days=2)
ANNOUNCED_KEPT = dt.timedelta(days=60)

State = MutableMapping[str, Any]


@dataclass(frozen=True)
class Problem:
    """Something wrong now, as a source reports it: what to say, and where to look."""

    title: str
    body: str
    link: str = ""
    urgent: bool = False


def empty_state() -> dict[str, Any]:
    """The state of a machine that never sent anything."""
    return {"incidents": {}, "outbox": [], "announced": {}, "sequence": 0}


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _enqueue(state: State, kind: str, key: str, problem: Problem, now: dt.datetime) -> None:
    state["sequence"] = int(state.get("sequence", 0)) + 1
    state.setdefault("outbox", []).append(
        {
            "id": state["sequence"],
            "kind": kind,
            "key": key,
            "title": problem.title,
            "body": problem.body,
            "link": problem.link,
            "urgent": problem.urgent,
            "created_at": _iso(now),
            "done": [],
            "attempts": 0,
            "next_at": _iso(now),
            "last_error": "",
        }
    )


def open_incident(state: State, key: str, problem: Problem, now: dt.datetime) -> bool:
    """Open the incident `key` with one message; False (nothing sent) when it is open already."""
    incidents = state.setdefault("incidents", {})
    if key in incidents:
        return False
    incidents[key] = {
        "title": problem.title,
        "body": problem.body,
        "link": problem.link,
        "opened_at": _iso(now),
        "noticed_at": _iso(now),
    }
    _enqueue(state, OPEN, key, problem, now)
    return True


def clear_incident(state: State, key: str, now: dt.datetime, body: str = "") -> bool:
    """Close the incident `key` with one message; False when it was not open.

    When none of its messages reached anyone yet (quiet hours, a channel down), they are
    withdrawn and nothing is said: a problem that came and went unseen needs no two messages.
    """
    incident = state.setdefault("incidents", {}).pop(key, None)
    if incident is None:
        return False
    outbox = state.setdefault("outbox", [])
    mine = [m for m in outbox if m["key"] == key and m["kind"] in (OPEN, REMIND)]
    if mine and not any(m["done"] for m in mine):
        state["outbox"] = [m for m in outbox if m not in mine]
        return True
    opened = _instant(incident["opened_at"])
    text = body or f"Cleared after {_duration(now - opened)}: {incident['body']}"
    _enqueue(state, CLEAR, key, Problem(f"Resolved: {incident['title']}", text), now)
    return True


def sync_incidents(
    state: State, prefix: str, problems: Mapping[str, Problem], now: dt.datetime
) -> list[str]:
    """Make the open incidents under `prefix` those of `problems` (keys start with `prefix`):
    open the new ones, clear the ones no longer reported. Returns one line per change."""
    lines = []
    for key, problem in problems.items():
        if open_incident(state, key, problem, now):
            lines.append(f"opened {key}: {problem.title}")
    for key in [k for k in state.get("incidents", {}) if k.startswith(prefix)]:
        if key not in problems and clear_incident(state, key, now):
            lines.append(f"cleared {key}")
    return lines


def announce(state: State, key: str, problem: Problem, now: dt.datetime) -> bool:
    """Queue a one-off message once per `key` (the Sunday review of a week); False when it was."""
    announced = state.setdefault("announced", {})
    if key in announced:
        return False
    announced[key] = _iso(now)
    _enqueue(state, NOTE, key, problem, now)
    return True


def remind(state: State, now: dt.datetime, after: dt.timedelta) -> list[str]:
    """Queue a reminder for each incident open and unmentioned for `after`; the keys reminded."""
    reminded = []
    for key, incident in state.get("incidents", {}).items():
        if now - _instant(incident["noticed_at"]) < after:
            continue
        incident["noticed_at"] = _iso(now)
        opened = _instant(incident["opened_at"])
        problem = Problem(
            f"Still wrong: {incident['title']}",
            f"Open for {_duration(now - opened)}: {incident['body']}",
            incident.get("link", ""),
        )
        _enqueue(state, REMIND, key, problem, now)
        reminded.append(key)
    # Announcements are remembered a while (a backfill must not re-send a year of reviews).
    announced = state.get("announced", {})
    for key in [k for k, at in announced.items() if now - _instant(at) > ANNOUNCED_KEPT]:
        del announced[key]
    return reminded


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a message waits after `attempts` failed deliveries: 1 min, 2, 4, … up to 1 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LAST_RETRY)


def deliver(
    state: State,
    channels: Iterable[Channel],
    now: dt.datetime,
    quiet: QuietHours | None = None,
    tz: ZoneInfo | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> int:
    """Send what the outbox holds through every channel it has not reached; returns how many
    messages were delivered everywhere. Quiet hours hold everything until they end; a channel
    that fails is logged and retried later (`retry_delay`); a message never raises out of here.
    """
    channels = list(channels)
    outbox = state.setdefault("outbox", [])
    if not outbox:
        return 0
    if not channels:
        return 0  # nothing configured: the messages stay, `homeclerk notify test` says how
    until = quiet_until(quiet, now, tz or ZoneInfo("UTC"))
    if until is not None:
        log(f"quiet hours: {len(outbox)} message(s) held until {until:%Y-%m-%d %H:%M} UTC")
        return 0
    delivered, kept = 0, []
    for message in outbox:
        if _instant(message["next_at"]) > now:
            kept.append(message)
            continue
        failures = []
        for channel in channels:
            if channel.name in message["done"]:
                continue
            try:
                channel.send(_as_message(message))
            except DeliveryError as exc:
                failures.append(f"{channel.name}: {exc}")
            except Exception as exc:  # a channel's bug must not stop the other channels
                failures.append(f"{channel.name}: {type(exc).__name__}: {exc}")
            else:
                message["done"].append(channel.name)
        if not failures:
            delivered += 1
            log(f"sent {message['kind']} {message['key']}: {message['title']}")
            continue
        message["attempts"] += 1
        message["last_error"] = "; ".join(failures)
        if now - _instant(message["created_at"]) > GIVE_UP_AFTER:
            log(
                f"gave up on {message['kind']} {message['key']} after {message['attempts']} "
                f"tries: {message['last_error']}"
            )
            continue
        wait = retry_delay(message["attempts"])
        message["next_at"] = _iso(now + wait)
        for failure in failures:
            log(
                f"not delivered ({message['kind']} {message['key']}), retry in "
                f"{_duration(wait)}: {failure}"
            )
        kept.append(message)
    state["outbox"] = kept
    return delivered


def _as_message(entry: Mapping[str, Any]) -> Message:
    return Message(entry["title"], entry["body"], entry.get("link", ""), entry.get("urgent", False))


def _duration(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"
