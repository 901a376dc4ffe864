"""Alerts from wallets, apps, fintech cards and fund houses reach the books: each maps to an
account the owner names (a wallet has no digits), and their kinds post to the right side."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from beancount.core import data

from assets.books.accounts import INVESTMENT_ACCOUNT, TRANSFER_ACCOUNT, parse_account_mapping
from assets.books.checks import load_books
from assets.books.entries import build_ledger
from assets.books.generate import write_bank_books
from assets.transactions.categories import categorize
from assets.transactions.parsing import parse_message
from assets.transactions.stored import StoredTransaction
from pipeline.settings import load_settings
from tests.transactions.sms_corpus import load

from .helpers import TZ, write_main

TODAY = dt.date(2026, 9, 30)
IDS = (
    "ap-04-famx-paid",  # a wallet spend: no digits
    "ap-01-payzapp-topup",  # a wallet top-up: no digits
    "ap-11-navi-sip",  # a fund house: no digits
    "ap-17-cred-card-payment",  # a card bill paid through CRED: no digits
    "ap-08-onecard-fuel",  # a fintech credit card: digits
)


def _alerts() -> list[StoredTransaction]:
    lines = {line["id"]: line for line in load("sms-apps.jsonl")}
    alerts = []
    for n, case_id in enumerate(IDS, start=1):
        txn = parse_message(lines[case_id]["sender"], lines[case_id]["body"]).transaction
        assert txn is not None, case_id
        received = dt.datetime(2026, 9, n, 10, tzinfo=TZ)
        alerts.append(
            StoredTransaction.from_parsed(
                txn,
                message_guid=f"GUID-{n:04d}",
                received_at=received,
                category=categorize(txn),
                message_rowid=n,
            )
        )
    return alerts


def test_each_app_source_gets_a_fix_that_pasted_as_is_maps_it_and_clears_the_warning(
    tmp_path: Path,
) -> None:
    alerts = _alerts()
    before = build_ledger(alerts, parse_account_mapping([]), tz=TZ, today=TODAY)
    assert [(u.bank, u.tail, u.instrument) for u in before.unmapped] == [
        ("CRED", None, "credit_card"),
        ("FAMPAY", None, "wallet"),
        ("NAVIMF", None, "account"),
        ("ONECARD", "5172", "credit_card"),
        ("PAYZAPP", None, "wallet"),
    ]
    assert before.transactions == ()
    fix = "\n\n".join(u.toml_entry for u in before.unmapped)
    assert "????" not in fix and 'instrument = "wallet"' in fix

    # The owner appends the printed entries to homeclerk.toml exactly as printed.
    config = tmp_path / "homeclerk.toml"
    config.write_text("[books]\naccount_mapping = []\n\n" + fix + "\n")
    mapping = load_settings(config).accounts
    after = build_ledger(alerts, mapping, tz=TZ, today=TODAY)
    assert after.unmapped == ()
    assert len(after.transactions) == len(alerts)

    postings = {
        t.meta["sms_guid"]: {p.account: p.units.number for p in t.postings}
        for t in after.transactions
    }
    wallet = postings["GUID-0001"]
    assert set(wallet) == {"Assets:Wallet:Fampay", "Expenses:Uncategorized"}
    assert wallet["Assets:Wallet:Fampay"] < 0  # paid out of the wallet
    # A top-up and a card bill payment are moves between the owner's accounts; a SIP is an asset.
    assert set(postings["GUID-0002"]) == {"Assets:Wallet:Payzapp", TRANSFER_ACCOUNT}
    assert set(postings["GUID-0003"]) == {"Assets:Bank:Navimf:Savings", INVESTMENT_ACCOUNT}
    assert postings["GUID-0003"][INVESTMENT_ACCOUNT] > 0
    assert set(postings["GUID-0004"]) == {"Liabilities:CreditCard:Cred", TRANSFER_ACCOUNT}
    assert postings["GUID-0004"]["Liabilities:CreditCard:Cred"] > 0  # less owed on the card
    assert not any(a.startswith("Expenses") for a in postings["GUID-0003"])

    # Written out, the books load without an error (the generated opens cover every account).
    main = write_main(tmp_path / "books")
    write_bank_books(tmp_path / "books", alerts, mapping, tz=TZ, today=TODAY)
    books = load_books(main)
    assert books.errors == ()
    opened = {e.account for e in books.entries if isinstance(e, data.Open)}
    assert {"Assets:Wallet:Fampay", INVESTMENT_ACCOUNT, TRANSFER_ACCOUNT} <= opened
