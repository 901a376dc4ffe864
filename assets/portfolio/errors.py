"""Why a holdings fetch failed: one small exception class per cause.

Every class carries the feed status it maps to, and its text is written for the owner (what went
wrong, then the fix). Texts are built here from known facts only, never from response bodies or
headers, so a secret can never leak into a marker, a log line or the Dagster UI through them.
"""

from __future__ import annotations

LOGIN_FIX = "run `homeclerk broker login` to sign in again"


class BrokerError(Exception):
    """Base of every holdings-fetch failure; `status` is the value the status marker records."""

    status = "source_error"


class BrokerConfigError(BrokerError):
    """A setting the adapter needs (API key, token file, CSV folder) is not set."""

    status = "source_error"


class TokenExpiredError(BrokerError):
    """The broker session is missing, expired or rejected (HTTP 403/401, TokenException)."""

    status = "token_expired"


class RateLimitedError(BrokerError):
    """The broker kept answering HTTP 429 after every retry."""

    status = "rate_limited"


class BrokerUnavailableError(BrokerError):
    """The broker answered 5xx, refused the connection, or reported an error we cannot fix."""

    status = "source_error"


class BrokerTimeoutError(BrokerError):
    """The broker did not answer within the timeout, on every try."""

    status = "timeout"


class MalformedResponseError(BrokerError):
    """The broker's answer was not the JSON shape the contract promises (bad, truncated, wrong)."""

    status = "malformed_response"


class EmptyHoldingsError(BrokerError):
    """No holdings came back although earlier snapshots had some: suspicious, so not published."""

    status = "empty_holdings"


class HoldingsFileMissingError(BrokerError):
    """The CSV adapter's folder has no holdings CSV to read."""

    status = "source_error"


class HoldingsFileFormatError(BrokerError):
    """A holdings CSV lacks a needed column or has a value that is not a number."""

    status = "malformed_response"


class NoSnapshotError(BrokerError):
    """The feed was asked for before any holdings were ever fetched."""

    status = "source_error"


class LoginError(Exception):
    """The browser login did not produce a session (denied, timed out, or exchange failed)."""
