"""Filing one payee under an account: the rule written into the owner's homeclerk.toml.

What `homeclerk categorize "PAYEE" ACCOUNT` and Fava's categorize page both do: the rule matches
the payee's name and every raw text stored for it (`rule_writer.payee_pattern`), goes first in
`[[categories.rules]]` (comments, order and formatting kept by `rule_writer.with_rule`), and the
new file is read by the settings reader before it replaces the old one, atomically, with the same
mode. The next run of `transactions` re-files the stored rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from pipeline.settings import Settings, SettingsError, settings_from_text


class Filed(NamedTuple):
    """A rule written: where, what, and which stored spellings it matches."""

    path: Path
    rule: dict[str, str]
    parties: tuple[str, ...]  # the raw texts stored for the payee that the rule matches
    busy: bool  # the warehouse stayed busy: the rule matches the payee's name only


class FilingError(Exception):
    """The rule was not written; `kind` says why, `fixed` is a valid account to offer."""

    def __init__(self, kind: str, message: str, fixed: str | None = None) -> None:
        super().__init__(message)
        self.kind, self.fixed = kind, fixed


def file_payee(settings: Settings, payee: str, account: str) -> Filed:
    """Write the rule filing `payee` under `account` into the settings' homeclerk.toml.

    Raises FilingError: kind `payee` (empty), `account` (not an Expenses:/Income: account;
    `fixed` is one that is), `no_config` (no homeclerk.toml to write into), `invalid` (the file
    cannot take the rule; it is unchanged).
    """
    from assets.common.atomic import write_text_atomic
    from assets.transactions.categories import rules_from_config
    from assets.transactions.errors import TransactionsError
    from assets.transactions.rule_writer import (
        AccountError,
        payee_pattern,
        split_account,
        with_rule,
    )

    payee, account = payee.strip(), account.strip()
    if not payee:
        raise FilingError("payee", "the payee is empty: give it as the list shows it")
    try:
        category, direction = split_account(account)
    except AccountError as exc:
        raise FilingError("account", str(exc), exc.fixed) from None
    path = settings.config_file
    if path is None:
        raise FilingError("no_config", "no homeclerk.toml to write the rule into")
    parties = counterparties(settings, payee)
    rule = {
        "pattern": payee_pattern(payee, parties or ()),
        "category": category,
        "direction": direction,
    }
    text = path.read_text(encoding="utf-8")
    try:
        new_text = with_rule(text, rule)
        # Never write a file the settings reader refuses: read the new text first.
        written = settings_from_text(new_text, path)
        rules_from_config(written.category_rules)
    except (SettingsError, TransactionsError, ValueError) as exc:
        raise FilingError(
            "invalid", f"{path} is unchanged: the rule could not be added: {exc}"
        ) from None
    write_text_atomic(path, new_text, mode=path.stat().st_mode & 0o777)
    return Filed(path, rule, tuple(parties or ()), parties is None)


def counterparties(settings: Settings, payee: str) -> list[str] | None:
    """The raw texts stored transactions named this payee with ([] when nothing is stored);
    None when the warehouse stays busy."""
    from assets.common.warehouse import (
        WarehouseLockedError,
        connect,
        has_table,
        retry_while_locked,
    )

    if not settings.warehouse.exists():
        return []

    def read() -> list[str]:
        with connect(settings.warehouse, read_only=True) as con:
            if not has_table(con, "transactions"):
                return []
            rows = con.execute(
                "SELECT DISTINCT counterparty FROM transactions"
                " WHERE status = 'transaction' AND counterparty IS NOT NULL"
                " AND lower(payee) = lower(?) ORDER BY 1",
                [payee],
            ).fetchall()
        return [r[0] for r in rows]

    try:
        return retry_while_locked(read)
    except WarehouseLockedError:
        return None
