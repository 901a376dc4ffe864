"""Error classes build their messages from their facts (issue 9): each domain has one base, the
converted families keep their words exactly, and the facts stay readable on the exception."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from assets.books.errors import BooksError
from assets.portfolio.csv_adapter import parse_holdings_csv
from assets.portfolio.errors import (
    BrokerError,
    HoldingsFileFormatError,
    MalformedResponseError,
    TokenExpiredError,
)
from assets.portfolio.kite_adapter import parse_equity_holdings, parse_mf_holdings
from assets.portfolio.token_store import load_session
from assets.transactions.categories import CategoryConfigError, rules_from_config
from assets.transactions.parsing.format import FormatConfigError, formats_from_config
from pipeline.platform import launchd
from pipeline.platform.service_spec import service_spec
from tests.pipeline.service_support import StandIn, service_settings

KEPT = "the last good portfolio is kept"
LOGIN_FIX = "run `homeclerk broker login` to sign in again"
CATEGORY_EXAMPLE = (
    '{pattern = "(?i)swiggy|zomato", category = "Food:Delivery", direction = "debit"}'
)
UID = os.getuid()


def _equity(**fields: object) -> list[dict[str, object]]:
    row: dict[str, object] = {
        "tradingsymbol": "INFY",
        "exchange": "NSE",
        "quantity": 3,
        "average_price": 1400,
        "last_price": 1500,
    }
    row.update(fields)
    return [{key: value for key, value in row.items() if value is not None}]


# The words of every converted message, through the real code paths (these pass on the commit
# before the conversion too: that is the point).


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_equity(tradingsymbol=None), f"/portfolio/holdings item 0 has no `tradingsymbol`; {KEPT}"),
        (_equity(last_price=None), f"/portfolio/holdings INFY has no `last_price`; {KEPT}"),
        (_equity(quantity="three"), "/portfolio/holdings INFY `quantity` is not a number"),
        (_equity(quantity=True), "/portfolio/holdings INFY `quantity` is not a number"),
        (_equity(last_price="NaN"), "/portfolio/holdings INFY `last_price` is not a finite number"),
    ],
)
def test_kite_holding_field_messages(data: object, message: str) -> None:
    with pytest.raises(MalformedResponseError) as error:
        parse_equity_holdings(data)
    assert str(error.value) == message
    assert error.value.status == "malformed_response"


def test_kite_fund_field_message() -> None:
    with pytest.raises(MalformedResponseError) as error:
        parse_mf_holdings([{"tradingsymbol": "INF1", "quantity": "Infinity"}])
    assert str(error.value) == "/mf/holdings INF1 `quantity` is not a finite number"


def test_holdings_csv_messages(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    no_column = tmp_path / "cols.csv"
    no_column.write_text("Instrument,Qty.\nINFY,3\n")
    bad_number = tmp_path / "bad.csv"
    bad_number.write_text("Instrument,Qty.,Avg. cost,LTP\nINFY,three,1400,1500\n")
    cases = {
        empty: "holdings CSV empty.csv is empty (no header row)",
        folder: "cannot read holdings CSV folder.csv (IsADirectoryError)",
        no_column: "holdings CSV cols.csv has no 'Avg. cost', 'LTP' column (found: Instrument, "
        "Qty.); export the holdings again from the broker's console",
        bad_number: "holdings CSV bad.csv line 2: 'Qty.' is 'three', not a number",
    }
    for path, message in cases.items():
        with pytest.raises(HoldingsFileFormatError) as error:
            parse_holdings_csv(path)
        assert str(error.value) == message
        assert error.value.status == "malformed_response"


def test_token_messages_end_with_the_login_fix(tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{")
    expired = tmp_path / "expired.json"
    expired.write_text(
        json.dumps(
            {
                "access_token": "t",
                "login_time": "2026-11-20T08:59:00+05:30",
                "expires_at": "2026-11-21T06:00:00+05:30",
            }
        )
    )
    now = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
    cases = {
        missing: f"there is no broker session yet (no token file at {missing}); {LOGIN_FIX}",
        garbled: f"the broker token file {garbled} is unreadable (JSONDecodeError); {LOGIN_FIX}",
        expired: "the broker session from 2026-11-20 08:59 IST expired at 2026-11-21 06:00 IST "
        f"(Kite sessions end at about 06:00 IST every day); {LOGIN_FIX}",
    }
    for path, message in cases.items():
        with pytest.raises(TokenExpiredError) as error:
            load_session(path, now=now)
        assert str(error.value) == message
        assert error.value.status == "token_expired"


def test_config_entry_messages() -> None:
    with pytest.raises(CategoryConfigError) as category:
        rules_from_config([{"category": "Food"}, {"pattern": 1}])
    assert str(category.value) == (
        f'category rule 2: "pattern" must be a string. Example: {CATEGORY_EXAMPLE}'
    )
    with pytest.raises(FormatConfigError) as fmt:
        formats_from_config([{"name": "mine", "colour": "red"}])
    assert str(fmt.value).startswith(
        "sms.formats entry 1 ('mine'): unknown key(s) ['colour']. Example of a valid entry: {"
    )
    with pytest.raises(FormatConfigError) as unnamed:
        formats_from_config(["not a table"])
    assert str(unnamed.value).startswith(
        "sms.formats entry 1: expected a table, got str. Example of a valid entry: {"
    )


def test_launchctl_failure_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = service_settings(tmp_path)
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    standin.canned("bootout", rc=1, err="Boot-out failed: 1: Operation not permitted\n")
    spec = service_spec(settings, script=tmp_path / "homeclerk")
    (tmp_path / "homeclerk").write_text("#!/bin/sh\nexit 0\n")
    (tmp_path / "homeclerk").chmod(0o755)
    with pytest.raises(launchd.LaunchdError) as error:
        launchd.install(spec, settings.service.launch_agents_dir, UID)
    assert str(error.value) == (
        f"launchctl bootout gui/{UID}/io.homeclerk.test failed: 1: {launchd.explain(1)} "
        "(launchctl said: Boot-out failed: 1: Operation not permitted)"
    )


# The classes: one base per domain, the facts kept as attributes, the old bases still caught.


def test_one_base_per_domain_and_the_old_bases_still_catch() -> None:
    from assets.books.reader import MissingTableError
    from assets.portfolio.errors import LoginError, PortfolioError
    from assets.sms.chatdb import ChatDbUnreadableError
    from assets.sms.errors import SmsError
    from assets.transactions.errors import TransactionsError

    assert issubclass(BrokerError, PortfolioError) and issubclass(LoginError, PortfolioError)
    assert issubclass(ChatDbUnreadableError, SmsError)
    assert issubclass(ChatDbUnreadableError, RuntimeError)  # callers catch RuntimeError
    for cls in (CategoryConfigError, FormatConfigError):
        assert issubclass(cls, TransactionsError) and issubclass(cls, ValueError)
    assert issubclass(MissingTableError, BooksError) and issubclass(MissingTableError, RuntimeError)
    assert str(MissingTableError("transactions", "transactions")) == (
        "warehouse has no `transactions` table yet: materialize `transactions` first"
    )


def test_errors_keep_their_facts() -> None:
    from assets.portfolio.errors import (
        HoldingsFileUnreadableError,
        MissingFieldError,
        NotANumberError,
    )

    missing = MissingFieldError("/portfolio/holdings INFY", "isin")
    assert (missing.where, missing.key) == ("/portfolio/holdings INFY", "isin")
    assert isinstance(NotANumberError("w", "k", finite=True), MalformedResponseError)
    unreadable = HoldingsFileUnreadableError("h.csv", "PermissionError")
    assert isinstance(unreadable, HoldingsFileFormatError) and unreadable.file_name == "h.csv"
    expired = TokenExpiredError("the session is gone")
    assert expired.why == "the session is gone" and str(expired).endswith(LOGIN_FIX)
    category = CategoryConfigError(4, "bad")
    assert (category.index, category.problem) == (4, "bad")
    fmt = FormatConfigError(2, "bad", "mine")
    assert (fmt.index, fmt.problem, fmt.label) == (2, "bad", "mine")
    failed = launchd.LaunchctlFailedError(["print", "gui/501/x"], 5)
    assert isinstance(failed, launchd.LaunchdError)
    assert (failed.command, failed.returncode, failed.said) == (("print", "gui/501/x"), 5, "")
    assert str(failed) == f"launchctl print gui/501/x failed: 5: {launchd.explain(5)}"
