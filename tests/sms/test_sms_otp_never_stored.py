"""OTP codes in many wordings, as `text` and as `attributedBody`-only rows, reach nothing under
the data folder: not the warehouse, not Dagster's event log, run storage or compute logs."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import duckdb
from dagster import DagsterInstance, materialize
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import UPI_DEBIT, ChatDb
from .test_sms_definitions import ALL, resources

WORDINGS = [
    "Do not share this OTP {c} with anyone. HDFC Bank will never call you for it.",
    "{c} is your one-time PIN for ICICI iMobile. Do not share it.",
    "Your secure code for the purchase at AMAZON is {c}",
    "Secret code {c} for your SBI Card request",
    "Use {c} to authenticate your Axis Mobile login",
    "Enter {c} to approve the payment of Rs 500.00 to FLIPKART",
    "{c} is the verification code for your Kotak net banking",
    "OTP for txn of INR 1,499.00 at SWIGGY on card XX1234 is {c}. Valid for 5 mins",
    "Dear customer, your passcode is {c}. Never share it with anyone",
    "Rs 1,200.00 will be debited from A/c XX1234 for NETFLIX: confirm with {c}",
    "Your authentication code: {c}",
    "Never disclose {c} to anyone. It approves a new device for HDFC NetBanking",
    "Sent Rs.10.00 to verify your UPI ID? No. Your UPI PIN reset code is {c}",
]
PREFIXES = ["", "Dear Customer, ", "ALERT: "]
SUFFIXES = ["", " -HDFC Bank", " T&C apply."]
# Controls prove the scan sees what is stored: an alert's reference in the warehouse, and an
# unrecognized message's marker in the event log (parse_coverage examples).
REFERENCE = "458167896224"
MARKER = "QZXJWV"
CONTROL = f"Dear customer, something new {MARKER} happened"
ALERT = UPI_DEBIT.format(amount="5.00")
# A code that is also a number of the real alert (its account tail, say) is not a leak.
ALERT_NUMBERS = frozenset(re.findall(r"\d+", ALERT))

otp_message = st.tuples(
    st.sampled_from(WORDINGS),
    st.sampled_from(PREFIXES),
    st.sampled_from(SUFFIXES),
    st.text("0123456789", min_size=4, max_size=8).filter(lambda c: c not in ALERT_NUMBERS),
    st.sampled_from(["VM-HDFCBK", "AD-HDFCBK-S", "JD-HDFCBK"]),
    st.booleans(),  # attributedBody only
)


def _leaks(data: Path, needles: list[str]) -> list[tuple[str, str]]:
    """(file, needle) for every needle found in any file under `data`, as bytes."""
    found = []
    for path in data.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            found += [(str(path), n) for n in needles if n.encode() in content]
    return found


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(otp_message, min_size=8, max_size=16))
def test_otp_codes_appear_nowhere_under_the_data_folder(batch: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        chat_db = ChatDb(root / "Messages" / "chat.db")
        now = dt.datetime.now(dt.UTC)
        messages, needles, codes = [], [], []
        for wording, prefix, suffix, code, sender, blob_only in batch:
            body = prefix + wording.format(c=code) + suffix
            messages.append(chat_db.message(sender, body, blob_only=blob_only, when=now))
            # The code with the text right before and right after it: any copy of the body, or
            # of a slice of it around the code, holds one of them; timestamps and ids in Dagster's
            # storage do not (a bare 4-digit code would match those by chance).
            at = body.index(code)
            around = [body[max(0, at - 6) : at + len(code)], body[at : at + len(code) + 6]]
            # A code that starts or ends the body has no text on that side: that slice is the
            # bare code, which a timestamp in Dagster's SQLite files matches by chance.
            needles += [n for n in around if n != code]
            codes.append(code)
        messages += [
            chat_db.message("VK-HDFCBK", ALERT, when=now),
            chat_db.message("VM-HDFCBK", CONTROL, when=now),
        ]
        chat_db.add(messages)
        data = root / "data"
        (data / "dagster").mkdir(parents=True)
        warehouse = data / "warehouse.duckdb"
        with DagsterInstance.local_temp(tempdir=str(data / "dagster")) as instance:
            result = materialize(
                ALL, resources=resources(chat_db.path, warehouse), instance=instance
            )
            assert result.success
        stored = _warehouse_text(warehouse)
        assert REFERENCE in stored  # the scan sees stored bodies
        # Every wording sets the code apart from letters too: a letter beside it is a hash's or
        # an id's ("…4b8148ea…"), not a copy of the code.
        for code in codes:
            assert re.search(rf"(?<![0-9A-Za-z]){code}(?![0-9A-Za-z])", stored) is None, code
        assert _leaks(data, [MARKER]), "the scan must see the event log"
        assert _leaks(data, needles) == []


def _warehouse_text(warehouse: Path) -> str:
    """Every text value of every table, one per line."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = []
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            for row in con.execute(f'SELECT * FROM "{table}"').fetchall():
                out += [str(v) for v in row if isinstance(v, str)]
        return "\n".join(out)
    finally:
        con.close()
