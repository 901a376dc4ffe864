"""The bulk-ingest checkpoint is used, not only defined: its effect is visible in the file.

A first ingest at or above `BULK_ROWS` is checkpointed without DICT_FSST, so the stored string
segments are not DICT_FSST; a small ingest is checkpointed by the close with the defaults.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from assets.sms import ingest

from .helpers import UPI_DEBIT, ChatDb

HEADERS = ["HDFCBK"]
ROWS = 300


def _body_compression(warehouse: Path) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = con.execute(
            "SELECT DISTINCT compression FROM pragma_storage_info('sms_messages')"
            " WHERE column_name = 'body' AND segment_type = 'VARCHAR'"
        ).fetchall()
    finally:
        con.close()
    return {row[0] for row in found}


def _ingest(chat_db: ChatDb, warehouse: Path) -> int:
    chat_db.add(
        [chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount=f"{n}.00")) for n in range(ROWS)]
    )
    return ingest.ingest_new_messages(chat_db.path, warehouse, HEADERS).stored


def test_a_first_ingest_above_bulk_rows_is_stored_without_dict_fsst(
    chat_db: ChatDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "BULK_ROWS", ROWS // 2)  # the same path as 20,000 rows, smaller
    warehouse = tmp_path / "w.duckdb"
    assert _ingest(chat_db, warehouse) == ROWS
    found = _body_compression(warehouse)
    assert found and "DICT_FSST" not in found


def test_an_ingest_below_bulk_rows_keeps_the_default_compression(
    chat_db: ChatDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The contrast that makes the test above meaningful: these bodies do get DICT_FSST by default.
    monkeypatch.setattr(ingest, "BULK_ROWS", ROWS * 2)
    warehouse = tmp_path / "w.duckdb"
    assert _ingest(chat_db, warehouse) == ROWS
    assert _body_compression(warehouse) == {"DICT_FSST"}
