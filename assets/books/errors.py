"""One small exception class per way the books can be misconfigured."""

from __future__ import annotations


class BooksError(Exception):
    """Base class for books errors."""


class InvalidAccountMappingError(BooksError):
    """An account_mapping entry in homeclerk.toml is malformed."""

    def __init__(self, entry: object, why: str) -> None:
        super().__init__(f"invalid [books] account_mapping entry {entry!r}: {why}")


class LedgerNotFoundError(BooksError):
    """The owner's main ledger file does not exist."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"ledger {path} does not exist: copy ledger/main.beancount from the project into "
            "your books folder (the [books] books_dir setting) and edit it"
        )
