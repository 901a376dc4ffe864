"""One small exception class per way the books can be misconfigured."""

from __future__ import annotations

ACCOUNT_MAPPING_EXAMPLE = '{ bank = "HDFC", tail = "1276", account = "Assets:Bank:HDFC:Savings" }'


class BooksError(Exception):
    """Base class for books errors."""


class InvalidAccountMappingError(BooksError):
    """An account_mapping entry in homeclerk.toml is malformed.

    `index` is the entry's position, `field` the bad key (None when the entry as a whole is
    wrong) and `example` a right value for it: the settings loader reports all three against
    the file."""

    def __init__(
        self,
        entry: object,
        why: str,
        *,
        index: int = 0,
        field: str | None = None,
        example: str = ACCOUNT_MAPPING_EXAMPLE,
    ) -> None:
        self.entry, self.why, self.index, self.field, self.example = (
            entry,
            why,
            index,
            field,
            example,
        )
        super().__init__(f"invalid [books] account_mapping entry {entry!r}: {why}")


class LedgerNotFoundError(BooksError):
    """The owner's main ledger file does not exist."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"ledger {path} does not exist: copy ledger/main.beancount from the project into "
            "your books folder (the [books] books_dir setting) and edit it"
        )
