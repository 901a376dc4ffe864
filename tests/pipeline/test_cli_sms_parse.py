"""`homeclerk sms parse` says why a message gave no transaction, and names bank and category."""

from __future__ import annotations

import json
from pathlib import Path

from tests.pipeline.test_cli import homeclerk

SPEND = (
    "Sent Rs.450.00\nFrom HDFC Bank A/C *1276\nTo MEERA IYER\nOn 24/08/25\n"
    "Ref 458167896224\nNot You?\nCall 18002586161/SMS BLOCK UPI to 7308080808"
)
DECLINED = (
    "Your transaction of Rs.2,000.00 at AMAZON on HDFC Bank Card x4410 was declined due to "
    "insufficient balance."
)


def _parse(cwd: Path, *records: dict) -> list[dict]:
    stdin = "".join(json.dumps(r) + "\n" for r in records)
    result = homeclerk("sms", "parse", stdin=stdin, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_sms_parse_gives_bank_category_from_the_owners_rules_and_reasons(tmp_path: Path) -> None:
    (tmp_path / "homeclerk.toml").write_text(
        '[[categories.rules]]\npattern = "MEERA IYER"\ncategory = "Housing:Rent"\n'
    )
    spend, declined = _parse(
        tmp_path,
        {"id": 1, "sender": "VK-HDFCBK", "body": SPEND},
        {"id": 2, "sender": "VM-HDFCBK", "body": DECLINED},
    )
    assert spend["reason"] is None
    assert (spend["transaction"]["bank"], spend["transaction"]["category"]) == (
        "HDFC",
        "Housing:Rent",
    )
    assert (declined["transaction"], declined["reason"]) == (None, "declined")

    (tmp_path / "plain").mkdir()  # no settings file: the default rules
    (plain,) = _parse(tmp_path / "plain", {"id": 1, "sender": "VK-HDFCBK", "body": SPEND})
    assert plain["transaction"]["category"] != "Housing:Rent"


def test_sms_parse_gives_the_readable_payee_beside_the_raw_counterparty(tmp_path: Path) -> None:
    (tmp_path / "homeclerk.toml").write_text(
        '[[payees]]\nname = "Meera (rent)"\nmatch = ["MEERA IYER"]\n'
    )
    swiggy = (
        "Rs.250.00 debited from a/c **1234 on 05-10-26 to VPA swiggy.stores@axb "
        "(UPI Ref No 123456789012). Not you? Call 18002586161"
    )
    owner, shipped, declined = _parse(
        tmp_path,
        {"id": 1, "sender": "VK-HDFCBK", "body": SPEND},
        {"id": 2, "sender": "VM-HDFCBK", "body": swiggy},
        {"id": 3, "sender": "VM-HDFCBK", "body": DECLINED},
    )
    assert (owner["transaction"]["counterparty"], owner["transaction"]["payee"]) == (
        "MEERA IYER",
        "Meera (rent)",
    )
    assert shipped["transaction"]["counterparty"] == "swiggy.stores@axb"
    assert shipped["transaction"]["payee"] == "Swiggy"
    assert (shipped["transaction"]["kind"], shipped["transaction"]["currency"]) == (
        "transfer",
        "INR",
    )
    assert declined["transaction"] is None and declined["reason"] == "declined"


def test_sms_parse_shows_two_alerts_of_one_payment_linked(tmp_path: Path) -> None:
    from tests.transactions.link_shapes import FEDERAL_DEBIT, FEDERAL_RECEIVED

    received, debit, other = _parse(
        tmp_path,
        {"id": "r", "sender": FEDERAL_RECEIVED[0], "body": FEDERAL_RECEIVED[1]},
        {"id": "d", "sender": FEDERAL_DEBIT[0], "body": FEDERAL_DEBIT[1]},
        {"id": "s", "sender": "VK-HDFCBK", "body": SPEND},
    )
    # The bank's debit alert (balance, reference) is kept; the other names it.
    assert debit["also_alerted_by"] == ["r"] and received["linked_to"] == "d"
    assert "linked_to" not in debit and "also_alerted_by" not in other | received
    # Received further apart than the owner's window: two payments.
    (tmp_path / "homeclerk.toml").write_text("[sms]\nlink_window_minutes = 5\n")
    apart = _parse(
        tmp_path,
        {"id": "r", **dict(zip(("sender", "body"), FEDERAL_RECEIVED, strict=True)),
         "received_at": "2026-03-18T11:34:00+05:30"},
        {"id": "d", **dict(zip(("sender", "body"), FEDERAL_DEBIT, strict=True)),
         "received_at": "2026-03-18T11:40:00+05:30"},
    )  # fmt: skip
    assert [set(line) & {"linked_to", "also_alerted_by"} for line in apart] == [set(), set()]


def test_sms_parse_shows_the_rupee_figure_a_bank_states_for_a_foreign_spend(
    tmp_path: Path,
) -> None:
    stated = (
        "INR 1,083.45 spent on your HDFC Bank Credit Card XX1234 for USD 12.99 at NETFLIX.COM"
        " on 03-02-26. Avl Lmt: INR 49,000.00"
    )
    unstated = "Spent USD 4.00 on HDFC Bank Credit Card XX1234 at OPENAI on 03-02-26."
    foreign, bare, rupees = _parse(
        tmp_path,
        {"id": 1, "sender": "VM-HDFCBK", "body": stated},
        {"id": 2, "sender": "VM-HDFCBK", "body": unstated},
        {"id": 3, "sender": "VK-HDFCBK", "body": SPEND},
    )
    txn = foreign["transaction"]
    # The spend keeps its own amount and currency; the bank's rupee figure stands beside it.
    assert (txn["amount"], txn["currency"], txn["inr_amount"]) == (12.99, "USD", 1083.45)
    assert (bare["transaction"]["currency"], bare["transaction"]["inr_amount"]) == ("USD", None)
    assert rupees["transaction"]["inr_amount"] is None
