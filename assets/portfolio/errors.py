"""Why a holdings fetch failed: one small exception class per cause.

Every class carries the feed status it maps to, and its text is written for the owner (what went
wrong, then the fix). Texts are built here from known facts only, never from response bodies or
headers, so a secret can never leak into a marker, a log line or the Dagster UI through them.
"""

from __future__ import annotations

LOGIN_FIX = "run `homeclerk broker login` to sign in again"


class PortfolioError(Exception):
    """Base of every portfolio-domain error (holdings fetch and broker login)."""


class BrokerError(PortfolioError):
    """Base of every holdings-fetch failure; `status` is the value the status marker records."""

    status = "source_error"


class BrokerConfigError(BrokerError):
    """A setting the adapter needs (API key, token file, CSV folder) is not set."""

    status = "source_error"


class TokenExpiredError(BrokerError):
    """The broker session is missing, expired or rejected (HTTP 403/401, TokenException).

    `why` says what is wrong with the session; the message always ends with the login fix."""

    status = "token_expired"

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(f"{why}; {LOGIN_FIX}")


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


class MissingFieldError(MalformedResponseError):
    """A holding (or the response) lacks the field `key`; `where` names the holding."""

    def __init__(self, where: str, key: str) -> None:
        self.where, self.key = where, key
        super().__init__(f"{where} has no `{key}`; the last good portfolio is kept")


class NotANumberError(MalformedResponseError):
    """The field `key` of `where` is not a number (or, with `finite`, not a finite one)."""

    def __init__(self, where: str, key: str, *, finite: bool = False) -> None:
        self.where, self.key = where, key
        kind = "a finite number" if finite else "a number"
        super().__init__(f"{where} `{key}` is not {kind}")


class EmptyHoldingsError(BrokerError):
    """No holdings came back although earlier snapshots had some: suspicious, so not published."""

    status = "empty_holdings"


class HoldingsFileMissingError(BrokerError):
    """The CSV adapter's folder has no holdings CSV to read."""

    status = "source_error"


class HoldingsFileFormatError(BrokerError):
    """A holdings CSV lacks a needed column or has a value that is not a number.

    `file_name` is the CSV's name and `problem` what is wrong in it, read after the name."""

    status = "malformed_response"

    def __init__(self, file_name: str, problem: str) -> None:
        self.file_name, self.problem = file_name, problem
        super().__init__(f"holdings CSV {file_name} {problem}")


class HoldingsFileUnreadableError(HoldingsFileFormatError):
    """A holdings CSV cannot be read at all; `reason` is the exception's class name."""

    def __init__(self, file_name: str, reason: str) -> None:
        self.file_name, self.problem = file_name, f"cannot be read ({reason})"
        # The sentence reads better with the verb first, so skip the parent's template.
        BrokerError.__init__(self, f"cannot read holdings CSV {file_name} ({reason})")


class NoSnapshotError(BrokerError):
    """The feed was asked for before any holdings were ever fetched."""

    status = "source_error"


class LoginError(PortfolioError):
    """The browser login did not produce a session (denied, timed out, or exchange failed)."""
