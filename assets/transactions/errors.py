"""The base of the transactions domain's errors (user category rules, user SMS formats)."""

from __future__ import annotations


class TransactionsError(Exception):
    """Base class for transactions errors."""
