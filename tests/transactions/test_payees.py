"""Readable payees: the shipped alias table, the owner's [[payees]], and the cleaned raw text."""

from __future__ import annotations

import json

import pytest

from assets.transactions.payees import (
    PayeeConfigError,
    PayeeResolver,
    aliases_from_config,
    clean_counterparty,
    payee_adder,
    shipped_aliases,
)

DIVYA = {"name": "Divya Menon", "match": ["divya.m@okhdfc", "DIVYA MENON"]}


@pytest.mark.parametrize(
    ("raw", "payee"),
    [
        ("swiggy.stores@axb", "Swiggy"),
        ("swiggy@icici", "Swiggy"),
        ("SWIGGY BANGALORE", "Swiggy"),
        ("www.swiggy.in", "Swiggy"),
        ("swiggyinstamart@icici", "Swiggy"),
        ("ZOMATO LTD", "Zomato"),
        ("zomato-order@ptybl", "Zomato"),
        ("AMAZON PAY INDIA", "Amazon Pay"),
        ("Amazon Seller Services Pvt Ltd", "Amazon"),
        ("FLIPKART INTERNET PVT LTD", "Flipkart"),
        ("UBER INDIA SYSTEMS", "Uber"),
        ("OLA CABS", "Ola"),
        ("IRCTC E-TICKETING", "IRCTC"),
        ("BIG BASKET", "BigBasket"),
        ("blinkit.payu@hdfcbank", "Blinkit"),
        ("Zepto Marketplace", "Zepto"),
        ("MYNTRA DESIGNS", "Myntra"),
        ("AIRTEL PREPAID", "Airtel"),
        ("jio@sbi", "Jio"),
        ("BESCOM BANGALORE", "BESCOM"),
        ("NETFLIX.COM", "Netflix"),
        ("Spotify India", "Spotify"),
        ("INDIAN OIL PETROL PUMP", "Indian Oil"),
        ("BHARAT PETROLEUM", "Bharat Petroleum"),
        ("paytmqr2810050501011abcd@paytm", "Paytm merchant"),
        ("Q123456789@ybl", "PhonePe merchant"),
        ("gpay-11234567@okbizaxis", "Google Pay merchant"),
    ],
)
def test_shipped_aliases_name_common_merchants_by_handle_and_by_words(raw: str, payee: str) -> None:
    assert PayeeResolver()(raw) == payee


def test_a_handle_prefix_needs_a_word_boundary() -> None:
    # "swiggyx" is someone else's handle, not Swiggy's; "ola.ramesh" is a person, not Ola.
    resolve = PayeeResolver()
    assert resolve("swiggyx@ybl") == "swiggyx@ybl"
    assert resolve("VPA ola.ramesh@okicici") == "ola.ramesh@okicici"


def test_every_shipped_entry_is_reachable_by_its_own_words() -> None:
    # A later entry shadowed by an earlier one would never be used.
    resolve = PayeeResolver()
    for alias in shipped_aliases():
        for phrase in alias.phrases:
            assert resolve(" ".join(phrase).upper()) == alias.name, (alias.name, phrase)


def test_owner_entries_win_over_shipped_ones_and_match_whole_vpas_and_names() -> None:
    owner = aliases_from_config([DIVYA, {"name": "Corner Swiggy Kitchen", "match": ["SWIGGY"]}])
    resolve = PayeeResolver(owner)
    assert resolve("Divya.M@OKHDFC") == "Divya Menon"
    assert resolve("NEFT-DIVYA MENON-HDFC0001234") == "Divya Menon"
    assert resolve("swiggy.stores@axb") == "Swiggy"  # the owner's entry names words, not handles
    assert resolve("SWIGGY BANGALORE") == "Corner Swiggy Kitchen"
    # A different address of a Divya is not hers.
    assert resolve("divya.m2@okhdfc") == "divya.m2@okhdfc"


def test_without_an_alias_the_raw_text_is_cleaned_up() -> None:
    assert clean_counterparty("Ramesh99@OKAXIS") == "ramesh99@okaxis"
    assert clean_counterparty("RAMESH  KIRANA STORE.") == "Ramesh Kirana Store"
    assert clean_counterparty("Meera's Cafe") == "Meera's Cafe"  # mixed case kept
    assert clean_counterparty("HDFC BANK CREDIT CARD") == "HDFC Bank Credit Card"
    assert clean_counterparty("NIMBUS SOFTLABS PVT LTD") == "Nimbus Softlabs Pvt Ltd"
    assert clean_counterparty("ICICI CARD PAYMENT-") == "ICICI Card Payment"
    assert clean_counterparty("  ") is None
    assert clean_counterparty(None) is None
    assert PayeeResolver()(None) is None


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"match": ["x@okhdfc"]}, "name is None"),
        ({"name": "X"}, "match must be a list"),
        ("X SHOP", "payees[1]: must be a table."),
        ({"name": "X", "match": []}, ": match must be a list of UPI addresses or names."),
        ({"name": "X", "match": [3]}, ": match has 3, not a non-empty string."),
        ({"name": "X", "match": ["  "]}, ": match has '  ', not a non-empty string."),
        ({"name": "X", "match": ["divya@"]}, "not a UPI address"),
        ({"name": "X", "match": ["--"]}, "no letters or digits"),
        ({"name": "X", "match": ["a"], "category": "Food"}, "unknown key 'category'"),
    ],
)
def test_a_bad_owner_entry_names_the_entry_the_problem_and_an_example(
    entry: dict, problem: str
) -> None:
    with pytest.raises(PayeeConfigError) as raised:
        aliases_from_config([DIVYA, entry])
    assert raised.value.index == 1
    assert str(raised.value).startswith("payees[1]: ")
    assert problem in str(raised.value)
    assert 'match = ["divya.m@okhdfc"' in str(raised.value)


def test_every_shipped_handle_prefix_is_reachable() -> None:
    resolve = PayeeResolver()
    for alias in shipped_aliases():
        for prefix in alias.vpa_prefixes:
            assert resolve(f"{prefix}@okaxis") == alias.name, (alias.name, prefix)
            assert resolve(f"{prefix}.pay@ybl") == alias.name, (alias.name, prefix)


def test_a_single_match_may_be_written_as_a_string() -> None:
    [alias] = aliases_from_config([{"name": "Corner Shop", "match": "CORNER SHOP"}])
    assert alias.phrases == (("corner", "shop"),)


def test_sms_parse_lines_get_the_payee_right_after_the_counterparty() -> None:
    add = payee_adder(PayeeResolver(aliases_from_config([DIVYA])))
    line = json.dumps(
        {
            "sender": "VM-HDFCBK",
            "transaction": {"amount": "500.00", "counterparty": "DIVYA MENON", "note": "₹"},
        },
        ensure_ascii=False,
    )
    out = add(line)
    assert out == (
        '{"sender": "VM-HDFCBK", "transaction": {"amount": "500.00", '
        '"counterparty": "DIVYA MENON", "payee": "Divya Menon", "note": "₹"}}'
    )
    unread = json.dumps({"sender": "VM-HDFCBK", "transaction": None, "reason": "otp"})
    assert add(unread) == unread


def test_a_resolver_without_shipped_aliases_only_cleans_up() -> None:
    assert PayeeResolver()("swiggy.stores@axb") == "Swiggy"
    assert PayeeResolver(shipped=())("swiggy.stores@axb") == "swiggy.stores@axb"


def test_capitals_are_titled_but_not_cut_and_words_without_vowels_stay() -> None:
    assert clean_counterparty("XEROX POINT") == "Xerox Point"  # an X at the start stays
    assert clean_counterparty("TXN CHARGES") == "TXN Charges"  # no vowel: an initialism
