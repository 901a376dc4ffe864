"""Fava's categorize page: the uncategorized payees, filed with one pick, the books refreshed.

The generated books load it (`custom "fava-extension" "pipeline.fava_ext"` in
`generated/fava.beancount`), so any Fava that `homeclerk serve` or `homeclerk fava` starts shows
a "Categorize" page. It lists what `homeclerk categorize` lists (assets/transactions/
uncategorized.py), each payee with a picker of the ledger's open Expenses accounts. A pick
writes the same rule the command writes (pipeline/rule_filing.py: comments kept, checked by the
settings reader, atomic) and asks the Dagster UI for a `recategorize_job` run (transactions
re-filed → expenses feed → books), which Fava's journal shows once it has run.

Writes are guarded twice: Fava runs behind homeclerk's Host and cross-site check
(pipeline/service/hostcheck.py), and the form carries a secret this process makes at start and
renders only into this page, so a POST from another site (no browser lets it read the page) or
without the token gets 403 and writes nothing.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, redirect, request

if TYPE_CHECKING:
    from assets.transactions.uncategorized import PayeeGroup
    from pipeline.settings import Settings

# Made once per process and only ever put into this page: a site that cannot read the page (the
# browser's same-origin rule) cannot send it.
_TOKEN = secrets.token_urlsafe(32)
TOKEN_FIELD = "homeclerk_token"
UNCATEGORIZED_ACCOUNT = "Expenses:Uncategorized"
SOURCE_TAGS = {"homeclerk/source": "fava-categorize", "user": "Fava: categorize page"}
# How long the page waits for a run to let go of the warehouse before it says it is busy.
BUSY_WAIT_SECONDS = 2.0
# The query parameters of the page's notice after a pick (never Fava's own `account`, `time`…).
NOTICE_PREFIX = "categorized_"
# The page lists the payees most spent on (one pick re-files a payee's every debit); the count
# says how many there are. More rows only make the page slower to load and read.
MAX_ROWS = 50
_RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# warehouse → (its files' stamps and the rules, the groups listed from them)
_LISTED: dict[Path, tuple[tuple[Any, ...], list[PayeeGroup]]] = {}


@dataclass
class CategorizePage:
    """What the template shows."""

    groups: list[PayeeGroup] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    payees: int = 0
    debits: int = 0
    problem: str | None = None  # why there is no list (settings, warehouse missing or busy)
    token: str = ""
    seconds: float = 0.0


class HomeclerkCategorize(FavaExtensionBase):
    """The "Categorize" page of Fava."""

    report_title = "Categorize"

    def page(self) -> CategorizePage:
        """The payees to file and the accounts to file them under (called by the template)."""
        started = time.perf_counter()
        page = CategorizePage(token=_TOKEN, accounts=self.expense_accounts())
        try:
            settings = _settings()
            page.groups, page.payees, page.debits = _groups(settings)
        except _PageProblem as exc:
            page.problem = str(exc)
        page.seconds = time.perf_counter() - started
        return page

    def expense_accounts(self) -> list[str]:
        """Every Expenses account the ledger opens and has not closed, sorted."""
        entries = self.ledger.all_entries_by_type
        closed = {c.account for c in entries.Close}
        return sorted(
            {
                o.account
                for o in entries.Open
                if o.account.startswith("Expenses:")
                and o.account != UNCATEGORIZED_ACCOUNT
                and o.account not in closed
            }
        )

    def notice(self) -> dict[str, str]:
        """What the last pick did, from the redirect's query (the template escapes it). The
        run's link is made here from the settings, never taken from the query: a crafted link
        to this page must not put a `javascript:` address on it."""
        keys = ("filed", "account", "run", "run_error", "error")
        prefixed = {k: request.args.get(NOTICE_PREFIX + k) for k in keys}
        notice = {k: v for k, v in prefixed.items() if v}
        run = notice.get("run", "")
        if run and not _RUN_ID.fullmatch(run):
            del notice["run"]
        elif run:
            try:
                port = _settings().service.ui_port
            except _PageProblem:
                port = None
            notice["ui"] = f"http://127.0.0.1:{port}/runs/{run}" if port else ""
        return notice

    @extension_endpoint("file", ["POST"])
    def file(self) -> Response:
        """Write the rule for one payee and ask for the refresh; back to the page (303)."""
        refusal = _refusal()
        if refusal is not None:
            return refusal
        payee = request.form.get("payee", "")
        account = request.form.get("account", "")
        back = request.path.rsplit("/", 1)[0] + "/"
        try:
            settings = _settings()
        except _PageProblem as exc:
            return _back(back, error=str(exc))
        if account not in self.expense_accounts():
            return _back(back, error=f"{account!r} is not an open Expenses account of the ledger")
        from pipeline.rule_filing import FilingError, file_payee

        try:
            file_payee(settings, payee, account)
        except FilingError as exc:
            return _back(back, error=str(exc))
        return _back(back, filed=payee, account=account, **_refresh(settings))


class _PageProblem(Exception):
    """Why the page cannot list or write: one line with the fix."""


def _settings() -> Settings:
    from pipeline.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        raise _PageProblem(f"homeclerk cannot read its settings: {exc}") from None


def _groups(settings: Settings) -> tuple[list[PayeeGroup], int, int]:
    """The payees to show (most spent first), how many payees and debits there are in all."""
    from assets.common.warehouse import WarehouseLockedError, retry_while_locked
    from assets.transactions.categories import rules_from_config
    from assets.transactions.errors import TransactionsError
    from assets.transactions.uncategorized import load_uncategorized

    rules = rules_from_config(settings.category_rules)
    key = (_file_stamp(settings.warehouse), _file_stamp(_wal(settings.warehouse)), tuple(rules))
    cached = _LISTED.get(settings.warehouse)
    if cached is not None and cached[0] == key:
        groups = cached[1]
        return groups[:MAX_ROWS], len(groups), sum(g.count for g in groups)
    try:
        groups = retry_while_locked(
            lambda: load_uncategorized(settings.warehouse, rules, settings.tz, examples=MAX_ROWS),
            BUSY_WAIT_SECONDS,
        )
    except FileNotFoundError:
        raise _PageProblem(
            f"no warehouse at {settings.warehouse} yet: nothing has been read. Start the service "
            "(`homeclerk serve`) or run `homeclerk demo` to see this page with demo data"
        ) from None
    except WarehouseLockedError:
        raise _PageProblem(
            "a run is writing the warehouse right now: reload this page in a moment"
        ) from None
    except TransactionsError as exc:
        raise _PageProblem(str(exc)) from None
    # The same files and rules give the same list: a reload skips the warehouse (a run that
    # writes it, or a new rule, changes the key).
    _LISTED[settings.warehouse] = (key, groups)
    return groups[:MAX_ROWS], len(groups), sum(g.count for g in groups)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _refresh(settings: Settings) -> dict[str, str]:
    """Ask the Dagster UI for the refresh run: {"run": id} or {"run_error": why}."""
    from assets.books.jobs import RECATEGORIZE_JOB
    from pipeline.commands import command_for
    from pipeline.service.launch import LOCATION_NAME, LaunchError, launch_job

    port = settings.service.ui_port
    try:
        run_id = launch_job(port, LOCATION_NAME, RECATEGORIZE_JOB, SOURCE_TAGS)
    except LaunchError as exc:
        run_now = command_for(settings.config_file, "materialize", "transactions+")
        return {"run_error": f"{exc}. The rule is written; to refresh the books now: {run_now}"}
    return {"run": run_id}


def _back(url: str, **query: str) -> Response:
    # Prefixed: Fava reads `account`, `time` and `filter` as its own filters.
    prefixed = {NOTICE_PREFIX + k: v for k, v in query.items()}
    response: Any = redirect(f"{url}?{urlencode(prefixed)}", code=303)
    return response


def _refusal() -> Response | None:
    """403 for a POST from another site or without this page's token; None to go on."""
    origin = request.headers.get("Origin")
    if origin is not None:
        cross = origin.strip().lower() == "null" or urlsplit(origin).netloc != request.host
    else:
        site = (request.headers.get("Sec-Fetch-Site") or "").lower()
        cross = site in ("cross-site", "same-site")
    sent = request.form.get(TOKEN_FIELD, "")
    if cross or not hmac.compare_digest(sent.encode(), _TOKEN.encode()):
        why = "it came from another site" if cross else "it did not carry this page's token"
        return Response(
            f"Forbidden: nothing was written ({why}). Pick the account on Fava's Categorize "
            "page itself.\n",
            status=403,
            mimetype="text/plain",
        )
    return None
