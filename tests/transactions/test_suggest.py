"""A proposed `[[sms.formats]]` entry: built from a shape, checked by the parser, valid TOML."""

from __future__ import annotations

import tomllib
from decimal import Decimal

from assets.transactions.parsing import formats_from_config, parse_message
from assets.transactions.suggest import check, masked_fields, propose, reading_ok, to_toml
from assets.transactions.unrecognized import shape_of

SENDER = "VM-HDFCBK"
WALLET = (
    "PayZapp: Rs.{amount} paid to {name} using PayZapp wallet on {day}-11-26. Bal "
    "Rs.{balance}. Txn {ref} -HDFC Bank"
)
MESSAGES = [
    WALLET.format(amount="450.00", name="CHAI POINT", day="05", balance="1,200.50", ref="AB12CD34"),
    WALLET.format(amount="1,234.00", name="DOSA CORNER", day="17", balance="99.00", ref="QQ98XY76"),
]


def _suggest(body: str, sender: str = SENDER, direction: str | None = None):  # type: ignore[no-untyped-def]
    return propose(shape_of(sender, body), body, sender, direction)


def test_every_message_of_the_shape_is_unrecognized_before_and_read_after() -> None:
    assert all(parse_message(SENDER, body).reason == "unrecognized" for body in MESSAGES)
    suggestion = _suggest(MESSAGES[1])
    assert suggestion.problems == []
    entry = suggestion.entry
    assert entry is not None
    assert (entry["sender"], entry["direction"], entry["instrument"]) == (
        "HDFCBK",
        "debit",
        "wallet",  # "PayZapp wallet": mapped by bank + instrument, its alerts name no number
    )
    readings = check(entry, [(str(i), SENDER, body) for i, body in enumerate(MESSAGES)])
    assert all(reading_ok(r) for r in readings)
    first, second = (r.result.transaction for r in readings)
    assert first is not None and second is not None
    assert (first.amount, first.counterparty, first.balance) == (
        Decimal("450.00"), "CHAI POINT", Decimal("1200.50")
    )  # fmt: skip
    assert (second.amount, second.counterparty, str(second.date)) == (
        Decimal("1234.00"), "DOSA CORNER", "2026-11-17"
    )  # fmt: skip
    assert first.reference == "AB12CD34" and second.bank == "HDFC"
    shown = masked_fields(readings[0])
    assert shown["reference"] == "########" and "AB12CD34" not in str(shown)


def test_the_toml_parses_back_to_the_entry_and_the_format_loader_accepts_it() -> None:
    entry = _suggest(MESSAGES[0]).entry
    assert entry is not None
    text = to_toml(entry)
    assert text.startswith("[[sms.formats]]\n")
    back = tomllib.loads(text)["sms"]["formats"]
    assert back == [entry]
    (fmt,) = formats_from_config(back)
    assert fmt.header == "HDFCBK" and fmt.regex.search(MESSAGES[1])


def test_a_quote_in_the_wording_gives_a_basic_string_that_still_round_trips() -> None:
    body = "Here's your update: Rs 80.00 spent at TEA STALL on 05-11-26 using wallet. -XYZ Bank"
    entry = _suggest(body, "AD-XYZBNK-S").entry
    assert entry is not None and "'" in entry["pattern"]
    text = to_toml(entry)
    assert 'pattern = "' in text
    assert tomllib.loads(text)["sms"]["formats"] == [entry]
    readings = check(entry, [("g", "AD-XYZBNK-S", body)])
    txn = readings[0].result.transaction
    assert txn is not None and (txn.counterparty, txn.direction) == ("TEA STALL", "debit")


def test_a_credit_wording_and_a_vpa_counterparty() -> None:
    body = "Rs.2,500.00 received in wallet from rahul.k@okicici on 05-11-26. Txn QW12ER34 -XYZ Bank"
    entry = _suggest(body, "AD-XYZBNK-S").entry
    assert entry is not None and (entry["direction"], entry["channel"]) == ("credit", "upi")
    txn = check(entry, [("g", "AD-XYZBNK-S", body)])[0].result.transaction
    assert txn is not None and txn.counterparty == "rahul.k@okicici"


def test_no_amount_or_no_direction_gives_no_proposal_and_says_why() -> None:
    nothing = _suggest("Your wallet was updated on 05-11-26. -XYZ Bank", "AD-XYZBNK-S")
    assert nothing.entry is None
    assert any(p.startswith("no amount") for p in nothing.problems)

    vague = "Wallet activity of Rs 80.00 at TEA STALL on 05-11-26. -XYZ Bank"
    unsure = _suggest(vague, "AD-XYZBNK-S")
    assert unsure.entry is None and any("--direction" in p for p in unsure.problems)
    told = _suggest(vague, "AD-XYZBNK-S", direction="debit")
    assert told.entry is not None and told.entry["direction"] == "debit"
    readings = check(told.entry, [("g", "AD-XYZBNK-S", vague)])
    assert reading_ok(readings[0])


def test_only_a_balance_is_no_proposal_and_mixed_words_are_noted() -> None:
    balance = "Wallet bal Rs 80.00 debited nothing on 05-11-26. -XYZ Bank"
    assert _suggest(balance, "AD-XYZBNK-S").entry is None
    both = "Rs 80.00 debited from wallet; TEA STALL credited on 05-11-26. -XYZ Bank"
    suggestion = _suggest(both, "AD-XYZBNK-S")
    assert suggestion.entry is not None and suggestion.entry["direction"] == "debit"
    assert any("'debited'" in note for note in suggestion.notes)


def test_a_reading_with_another_amount_than_the_body_prints_is_not_ok() -> None:
    entry = _suggest(MESSAGES[0]).entry
    assert entry is not None
    # The owner edits the pattern so it reads the balance as the amount: the check notices.
    wrong = dict(
        entry,
        pattern=entry["pattern"]
        .replace("(?P<amount>", "(?:")
        .replace("(?P<balance>", "(?P<amount>"),
    )
    readings = check(wrong, [("g", SENDER, MESSAGES[0])])
    assert readings[0].result.transaction is not None and not reading_ok(readings[0])


def test_a_format_that_would_change_what_the_parser_reads_today_is_counted() -> None:
    from assets.transactions.suggest import changed_readings

    read_today = (
        "Sent Rs.450.00\nFrom HDFC Bank A/C *1276\nTo MEERA IYER\nOn 24/08/25\n"
        "Ref 458167896224\nNot You?\nCall 18002586161/SMS BLOCK UPI to 7308080808"
    )
    assert parse_message(SENDER, read_today).transaction is not None
    wallet = _suggest(MESSAGES[0]).entry
    assert wallet is not None and changed_readings(wallet, [(SENDER, read_today)]) == 0
    # A crude format for that same wording (the direction given, the name swallowing the rest).
    greedy = dict(wallet, pattern=r"Sent\s+Rs\.(?P<amount>[\d.,]+)(?P<counterparty>.+)")
    assert changed_readings(greedy, [(SENDER, read_today), (SENDER, MESSAGES[0])]) == 1
