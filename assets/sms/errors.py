"""The base of the SMS domain's errors (reading chat.db)."""

from __future__ import annotations


class SmsError(Exception):
    """Base class for SMS errors."""
