"""What a forwarder app POSTs to the SMS webhook → one spool message (docs/webhook.md).

Three shapes are read, told apart by their keys:

- plain: `{"from", "body", "received_at", "id"?}`; `received_at` is ISO 8601 (with an offset;
  without one, the configured timezone) or Unix seconds or milliseconds;
- "SMS Gateway for Android" (capcom6/android-sms-gateway), its `sms:received` webhook event:
  `{"event": "sms:received", "payload": {"messageId", "message", "phoneNumber", "receivedAt"}}`;
  its other events (`system:ping`, `sms:sent` …) carry no incoming SMS and are ignored;
- "Incoming SMS to URL forwarder" (bogkonstantin/android_income_sms_gateway_webhook), whose
  payload is a template the user fills in the app; its sample template gives
  `{"from", "text", "sentStamp", "receivedStamp", "sim"}` with Unix-ms stamps (quoted or not).

A message's `id` is the one the payload gives, else a hash of its sender, time and text: an app
that sends the same SMS again (its retry after a lost answer) sends the same id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any
from zoneinfo import ZoneInfo

MAX_SENDER = 100
MAX_ID = 200
# Unix times above this are milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
_MS_FROM = 100_000_000_000


class PayloadError(ValueError):
    """A body that is not an SMS the webhook reads; the message is one line for the client."""


class Ignored(Exception):
    """A well-formed event that carries no incoming SMS (answered 200, nothing stored)."""


def _text(value: Any, name: str, limit: int | None = None) -> str:
    if not isinstance(value, str) or (limit is not None and not value.strip()):
        raise PayloadError(f"`{name}` must be a non-empty string")
    if limit is not None and len(value) > limit:
        raise PayloadError(f"`{name}` is longer than {limit} characters")
    return value


def received_ms(value: Any, name: str, zone: ZoneInfo) -> int:
    """A time as Unix milliseconds: ISO 8601 text, or Unix seconds or ms (number or digits)."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if number != number or abs(number) > 1e16:
            raise PayloadError(f"`{name}` {value!r} is not a time")
        return int(number if abs(number) >= _MS_FROM else number * 1000)
    if isinstance(value, str) and value.strip():
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise PayloadError(
                f"`{name}` {value[:40]!r} is not ISO 8601 (2026-12-06T14:05:09+05:30) "
                "or Unix seconds/milliseconds"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return int(moment.timestamp() * 1000)
    raise PayloadError(
        f"`{name}` is missing: give the time the SMS was received (ISO 8601 or Unix ms)"
    )


def content_id(sender: str, at_ms: int, body: str) -> str:
    """The id of a message its payload names none for: a hash of sender, time and text."""
    digest = hashlib.blake2b(
        f"{sender}\x1f{at_ms}\x1f{body}".encode("utf-8", "surrogatepass"), digest_size=12
    )
    return "h:" + digest.hexdigest()


def _message(
    sender: Any, body: Any, at: Any, given_id: Any, names: tuple[str, ...], zone: ZoneInfo
) -> dict[str, Any]:
    sender = _text(sender, names[0], MAX_SENDER).strip()
    body = _text(body, names[1])
    at_ms = received_ms(at, names[2], zone)
    if given_id is None or given_id == "":
        message_id = content_id(sender, at_ms, body)
    else:
        if isinstance(given_id, int) and not isinstance(given_id, bool):
            given_id = str(given_id)
        message_id = "i:" + _text(given_id, names[3], MAX_ID).strip()
    return {"id": message_id, "from": sender, "body": body, "received_at": at_ms}


def parse_payload(data: bytes, zone: ZoneInfo) -> dict[str, Any]:
    """The spool message in a request body; PayloadError (why, one line) or Ignored."""
    try:
        payload = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("the body is not JSON (send Content-Type: application/json)") from None
    if not isinstance(payload, dict):
        raise PayloadError("the body must be a JSON object")
    if "event" in payload:  # SMS Gateway for Android
        event = payload.get("event")
        if event != "sms:received":
            raise Ignored(f"event {str(event)[:40]!r} carries no incoming SMS")
        inner = payload.get("payload")
        if not isinstance(inner, dict):
            raise PayloadError("`payload` of an sms:received event must be an object")
        return _message(
            inner.get("phoneNumber"),
            inner.get("message"),
            inner.get("receivedAt"),
            inner.get("messageId"),
            ("payload.phoneNumber", "payload.message", "payload.receivedAt", "payload.messageId"),
            zone,
        )
    if "text" in payload and "body" not in payload:  # Incoming SMS to URL forwarder
        at = payload.get("receivedStamp") or payload.get("sentStamp")
        if at in (None, ""):
            raise PayloadError(
                '`receivedStamp` is missing: add "receivedStamp": "%receivedStamp%" to the '
                "app's payload template"
            )
        return _message(
            payload.get("from"),
            payload.get("text"),
            at,
            payload.get("id"),
            ("from", "text", "receivedStamp", "id"),
            zone,
        )
    return _message(
        payload.get("from"),
        payload.get("body"),
        payload.get("received_at"),
        payload.get("id"),
        ("from", "body", "received_at", "id"),
        zone,
    )
