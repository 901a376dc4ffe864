"""A small Kite Connect v3 client on httpx: timeouts, bounded retries, a client-side rate limit.

We talk HTTP ourselves instead of using the vendor SDK so every failure maps to one of our
exception classes (errors.py) and the base URL can point at a local fake broker in tests and the
demo. Nothing from a response body reaches an exception text unredacted.
"""

from __future__ import annotations

import contextlib
import functools
import json
import ssl
import threading
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from assets.portfolio.errors import (
    BrokerError,
    BrokerTimeoutError,
    BrokerUnavailableError,
    MalformedResponseError,
    RateLimitedError,
    TokenExpiredError,
)

if TYPE_CHECKING:
    # Imported where a client is built: the code server loads this module for the default URL.
    import httpx

DEFAULT_BASE_URL = "https://api.kite.trade"
KITE_VERSION = "3"
_BROKER_TEXT_LIMIT = 200  # enough of the broker's own message to diagnose, never a whole body


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Built once per process: httpx would load the CA bundle for every client (~60 ms each).
    import httpx

    return httpx.create_ssl_context(trust_env=False)


class RateLimiter:
    """At most `per_second` request starts a second (Kite allows about 10/s on portfolio calls)."""

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next_start = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next request may start."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._interval
        if start > now:
            time.sleep(start - now)


class KiteClient:
    """Authenticated (or, for the session exchange, anonymous) calls to one Kite base URL."""

    def __init__(
        self,
        api_key: str,
        access_token: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout_seconds: float = 10.0,
        max_tries: int = 3,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 8.0,
        requests_per_second: float = 10.0,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self._api_key = api_key
        self._access_token = access_token
        self._timeout = timeout_seconds
        self._max_tries = max(1, max_tries)
        self._backoff = backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._limiter = RateLimiter(requests_per_second)
        # Anything that must never be echoed back, even if the broker quotes it in an error.
        self._secrets = tuple(s for s in (api_key, access_token, *secrets) if s)
        headers = {"X-Kite-Version": KITE_VERSION}
        if access_token:
            headers["Authorization"] = f"token {api_key}:{access_token}"
        import httpx

        self._http = httpx.Client(
            base_url=base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds),
            follow_redirects=False,
            verify=_tls_context(),
            trust_env=False,  # a stray HTTPS_PROXY must not silently reroute a secret-bearing call
        )

    def __repr__(self) -> str:  # the default repr would be harmless, but be explicit: no token
        return f"KiteClient(base_url={str(self._http.base_url)!r})"

    def __enter__(self) -> KiteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def get(self, path: str) -> Any:
        """GET an endpoint and return the envelope's `data`; retried on 429/5xx/timeouts."""
        return self._request("GET", path, form=None, retry_timeouts=True)

    def post_form(self, path: str, form: Mapping[str, str]) -> Any:
        """POST a form. A timed-out POST is not retried: it may have been applied (a request
        token is single-use), and a second try would only fail confusingly."""
        return self._request("POST", path, form=form, retry_timeouts=False)

    def _request(
        self, method: str, path: str, form: Mapping[str, str] | None, retry_timeouts: bool
    ) -> Any:
        import httpx

        what = f"{method} {path}"
        for attempt in range(1, self._max_tries + 1):
            last_try = attempt == self._max_tries
            self._limiter.wait()
            try:
                response = self._http.request(method, path, data=form)
            except httpx.TimeoutException:
                error: BrokerError = BrokerTimeoutError(
                    f"the broker did not answer {what} within {self._timeout:g} s "
                    f"({attempt} {'try' if attempt == 1 else 'tries'}); the last good portfolio "
                    "is kept and the next scheduled run will try again"
                )
                if last_try or not retry_timeouts:
                    raise error from None
                self._pause(attempt, None)
                continue
            except httpx.RemoteProtocolError:
                raise MalformedResponseError(
                    f"the broker's answer to {what} was cut off before it was complete; the last "
                    "good portfolio is kept and the next scheduled run will try again"
                ) from None
            except httpx.TransportError as exc:
                # Connection refused, DNS, TLS: not in the retry set (429/5xx/timeouts only).
                raise BrokerUnavailableError(
                    f"could not reach the broker for {what} ({type(exc).__name__}); check the "
                    "network and the broker base URL"
                ) from None

            status = response.status_code
            if status == 429 or status >= 500:
                if last_try:
                    raise self._retry_exhausted(what, status, attempt)
                self._pause(attempt, response.headers.get("Retry-After"))
                continue
            return self._unwrap(what, response)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _pause(self, attempt: int, retry_after: str | None) -> None:
        delay = self._backoff * (2 ** (attempt - 1))
        if retry_after is not None:
            # An HTTP-date Retry-After does not parse as seconds: keep our own backoff then.
            with contextlib.suppress(ValueError):
                delay = max(delay, float(retry_after))
        time.sleep(min(delay, self._max_backoff))

    def _retry_exhausted(self, what: str, status: int, tries: int) -> BrokerError:
        if status == 429:
            return RateLimitedError(
                f"the broker rate-limited {what} (HTTP 429) on all {tries} tries; the last good "
                "portfolio is kept and the next scheduled run will try again. If this persists, "
                "another program may be using the same API key heavily"
            )
        return BrokerUnavailableError(
            f"the broker failed {what} with HTTP {status} on all {tries} tries (a problem on the "
            "broker's side); the last good portfolio is kept and the next scheduled run will try "
            "again"
        )

    def _unwrap(self, what: str, response: httpx.Response) -> Any:
        status = response.status_code
        try:
            # Decimal, not float: money must not pick up binary-fraction noise on the way in.
            payload = json.loads(response.content, parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if status in (401, 403):
                raise TokenExpiredError(f"the broker refused {what} (HTTP {status})") from None
            position = f" at line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else ""
            raise MalformedResponseError(
                f"the broker's answer to {what} (HTTP {status}, {len(response.content)} bytes) is "
                f"not valid JSON{position}: it may be cut off or an error page from a proxy; the "
                "last good portfolio is kept and the next scheduled run will try again"
            ) from None
        if not isinstance(payload, dict):
            raise MalformedResponseError(
                f"the broker's answer to {what} is JSON but not an object; the last good "
                "portfolio is kept"
            )
        if 200 <= status < 300 and payload.get("status") == "success":
            if "data" not in payload:
                raise MalformedResponseError(
                    f"the broker's answer to {what} has no `data` field; the last good portfolio "
                    "is kept"
                )
            return payload["data"]
        raise self._error_from_envelope(what, status, payload)

    def _error_from_envelope(self, what: str, status: int, payload: dict[str, Any]) -> BrokerError:
        error_type = str(payload.get("error_type") or "")
        said = self._redact(str(payload.get("message") or "no message"))
        if error_type == "TokenException" or (status in (401, 403) and not error_type):
            return TokenExpiredError(
                f"the broker session is no longer valid ({what}: HTTP {status}, "
                f"{error_type or 'no error type'}: {said})"
            )
        if status in (401, 403):
            return BrokerUnavailableError(
                f"the broker refused {what} (HTTP {status}, {error_type}: {said}); check that "
                "the Kite Connect app is enabled for holdings"
            )
        return BrokerUnavailableError(
            f"the broker reported an error for {what} (HTTP {status}, "
            f"{error_type or 'no error type'}: {said})"
        )

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = " ".join(text.split())
        if len(text) > _BROKER_TEXT_LIMIT:
            text = text[:_BROKER_TEXT_LIMIT] + "…"
        return text
