"""After the owner adds a format, the next derive reads the messages it could not read before."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from assets.sms.ingest import ingest_new_messages
from assets.transactions import relearn
from assets.transactions.categories import DEFAULT_RULES
from assets.transactions.derive import derive_transactions
from assets.transactions.parsing import formats_from_config
from assets.transactions.parsing.core import disable_issuer_formats
from assets.transactions.parsing.issuers import FORMATS_BY_ISSUER, GENERIC_FORMATS, ISSUER_BY_HEADER
from assets.transactions.relearn import builtin_fingerprint, formats_fingerprint
from assets.transactions.suggest import propose
from assets.transactions.unrecognized import shape_of
from tests.sms.helpers import UPI_DEBIT, ChatDb

TZ = ZoneInfo("Asia/Kolkata")
WALLET = (
    "PayZapp: Rs.{amount} paid to {name} using PayZapp wallet on 05-11-26. Bal "
    "Rs.1,200.50. Txn AB12CD34 -HDFC Bank"
)
ODD = "Dear customer, your account saw some activity of Rs.12.00 today."


def _rows(warehouse: Path) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT s.body, t.status, t.amount, t.counterparty, t.message_rowid FROM transactions t"
            " JOIN sms_messages s ON s.guid = t.message_guid"
        ).fetchall()
    return {body: rest for body, *rest in rows}


def _entry() -> dict[str, str]:
    body = WALLET.format(amount="1.00", name="RAVI")
    entry = propose(shape_of("VM-HDFCBK", body), body, "VM-HDFCBK").entry
    assert entry is not None
    return entry


def test_unrecognized_rows_are_upgraded_in_place_once_the_formats_change(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    bodies = [WALLET.format(amount="450.00", name="CHAI POINT"),
              WALLET.format(amount="20.00", name="DOSA CORNER")]  # fmt: skip
    chat_db.add(
        [
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="10.00")),
            *(chat_db.message("VM-HDFCBK", body) for body in bodies),
            chat_db.message("VM-HDFCBK", ODD),
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat_db.path, warehouse, ["HDFCBK"])
    first = derive_transactions(warehouse, DEFAULT_RULES, TZ)
    assert (first.transactions, first.unrecognized, first.upgraded) == (1, 3, 0)
    before = _rows(warehouse)

    formats = formats_from_config([_entry()])
    second = derive_transactions(warehouse, DEFAULT_RULES, TZ, formats)
    assert (second.considered, second.upgraded) == (0, 2)
    after = _rows(warehouse)
    assert len(after) == 4
    assert after[bodies[0]][:3] == ["transaction", Decimal("450.00"), "CHAI POINT"]
    assert after[bodies[1]][:3] == ["transaction", Decimal("20.00"), "DOSA CORNER"]
    assert after[bodies[0]][3] == before[bodies[0]][3]  # the same message row, upgraded
    assert after[ODD][0] == "unrecognized"  # another shape stays as it was

    # Same formats: nothing is re-read; a new message of the shape is read as it arrives.
    third = derive_transactions(warehouse, DEFAULT_RULES, TZ, formats)
    assert (third.considered, third.upgraded) == (0, 0)
    chat_db.add([chat_db.message("VM-HDFCBK", WALLET.format(amount="5.00", name="TEA"))])
    ingest_new_messages(chat_db.path, warehouse, ["HDFCBK"])
    fourth = derive_transactions(warehouse, DEFAULT_RULES, TZ, formats)
    assert (fourth.considered, fourth.transactions, fourth.upgraded) == (1, 1, 0)

    # Formats removed: rows already read stay read (nothing is lost or re-guessed).
    fifth = derive_transactions(warehouse, DEFAULT_RULES, TZ, [])
    assert fifth.upgraded == 0 and _rows(warehouse)[bodies[0]][0] == "transaction"


def test_the_fingerprint_follows_what_decides_the_reading() -> None:
    entry = _entry()
    base = formats_fingerprint(formats_from_config([entry]))
    assert base == formats_fingerprint(formats_from_config([dict(entry)]))
    assert base != formats_fingerprint(None) == formats_fingerprint([])
    for key, value in (("direction", "credit"), ("channel", "card"), ("sender", "XYZBNK"),
                       ("pattern", entry["pattern"] + "x"), ("bank", "HDFC")):  # fmt: skip
        assert formats_fingerprint(formats_from_config([dict(entry, **{key: value})])) != base


def test_a_changed_format_does_not_re_read_all_messages_every_run(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    # Only the unrecognized rows are tried again, and only when the formats changed: a run
    # with unchanged formats considers nothing.
    chat_db.add(
        [chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount=f"{i}.00")) for i in range(1, 30)]
    )
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat_db.path, warehouse, ["HDFCBK"])
    derive_transactions(warehouse, DEFAULT_RULES, TZ)
    again = derive_transactions(warehouse, DEFAULT_RULES, TZ, formats_from_config([_entry()]))
    assert (again.considered, again.upgraded, again.transactions) == (0, 0, 0)


def test_the_builtin_fingerprint_follows_the_issuers_formats_and_headers() -> None:
    base = builtin_fingerprint(FORMATS_BY_ISSUER, ISSUER_BY_HEADER, GENERIC_FORMATS)
    assert base == relearn.BUILTIN_FINGERPRINT
    fewer = {k: v for k, v in FORMATS_BY_ISSUER.items() if k != "FAMPAY"}
    assert builtin_fingerprint(fewer, ISSUER_BY_HEADER, GENERIC_FORMATS) != base
    rerouted = dict(ISSUER_BY_HEADER, TRIOTK="HDFC")
    assert builtin_fingerprint(FORMATS_BY_ISSUER, rerouted, GENERIC_FORMATS) != base
    assert builtin_fingerprint(FORMATS_BY_ISSUER, ISSUER_BY_HEADER, GENERIC_FORMATS[1:]) != base


def test_a_new_issuer_module_reads_the_alerts_an_older_homeclerk_left_unrecognized(
    chat_db: ChatDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wording only FamPay's formats read (the generic layer reads its payments by the wallet
    # balance they print; a fee names none).
    body = "You were charged Rs. 39.0 for your new higher deposit limits on FamPay."
    chat_db.add([chat_db.message("JM-TRIOTK-S", body)])
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat_db.path, warehouse, ["TRIOTK"])
    # An older homeclerk: no FamPay formats, and the built-in fingerprint of its day.
    with monkeypatch.context() as older:
        older.setattr(relearn, "BUILTIN_FINGERPRINT", "an older parser")
        disable_issuer_formats(["FAMPAY"])
        try:
            first = derive_transactions(warehouse, DEFAULT_RULES, TZ)
        finally:
            disable_issuer_formats([])
    assert (first.transactions, first.unrecognized) == (0, 1)

    upgraded = derive_transactions(warehouse, DEFAULT_RULES, TZ)
    assert upgraded.upgraded == 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "SELECT status, amount, counterparty, instrument, kind FROM transactions"
        ).fetchone()
    assert row == ("transaction", Decimal("39.0"), None, "wallet", "fee")
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).upgraded == 0  # once, not each run
