"""Wallets, payment apps, fintech cards and fund houses: real wordings (sms-apps.jsonl) read
with the right kind and instrument, by formats that run for their own senders only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.books.accounts import INVESTMENT_ACCOUNT, TRANSFER_ACCOUNT, counter_account
from assets.transactions.categories import DEFAULT_RULES, categorize, is_transfer
from assets.transactions.model import KINDS, Transaction
from assets.transactions.parsing import formats_from_config, issuer_for_sender, parse_message
from tests.transactions.sms_corpus import load

APPS = load("sms-apps.jsonl")
BY_ID = {line["id"]: line for line in APPS}
TRANSACTIONS = [pytest.param(line, id=line["id"]) for line in APPS if line["expected"]]


def read(case_id: str, sender: str | None = None, body: str | None = None) -> Transaction:
    line = BY_ID[case_id]
    txn = parse_message(sender or line["sender"], body or line["body"]).transaction
    assert txn is not None, case_id
    return txn


@pytest.mark.parametrize("line", TRANSACTIONS)
def test_every_app_alert_has_its_labelled_kind_and_instrument(line: dict) -> None:
    txn = parse_message(line["sender"], line["body"]).transaction
    assert txn is not None
    assert (txn.kind, txn.instrument) == (line["kind"], line["instrument"])
    assert txn.kind in KINDS
    assert txn.bank == issuer_for_sender(line["sender"])


def test_the_app_negatives_stay_negatives() -> None:
    negatives = [line for line in APPS if line["expected"] is None]
    assert len(negatives) >= 4
    for line in negatives:
        assert parse_message(line["sender"], line["body"]).transaction is None, line["id"]


# --- wallets ----------------------------------------------------------------------------------


def test_wallet_payments_are_wallet_spends_and_money_from_a_person_stays_a_transfer() -> None:
    paid, received = read("ap-04-famx-paid"), read("ap-02-famx-received")
    assert (paid.instrument, paid.direction, paid.kind) == ("wallet", "debit", "wallet_spend")
    assert (received.direction, received.kind, received.counterparty) == (
        "credit",
        "transfer",
        "Meera",
    )
    assert paid.balance == Decimal("3530.6") and paid.account_tail is None


def test_money_added_to_a_wallet_from_nobody_named_is_a_top_up_and_a_transfer() -> None:
    topup = read("ap-01-payzapp-topup")
    assert (topup.bank, topup.instrument, topup.kind) == ("PAYZAPP", "wallet", "wallet_topup")
    assert categorize(topup) == "Transfers:WalletTopUp" and is_transfer(categorize(topup))
    assert counter_account(topup.direction, categorize(topup), topup.kind) == TRANSFER_ACCOUNT


def test_a_wallet_fee_and_a_wallet_refund_keep_their_kinds() -> None:
    assert read("ap-07-fampay-fee").kind == "fee"
    refund = read(
        "ap-05-fampay-received",
        body="You received Rs.250.0 from Amazon refund with txn ID FMPIB3703930999. "
        "Your FamPay a/c balance is Rs.3721.86",
    )
    assert (refund.instrument, refund.kind) == ("wallet", "refund")


def test_meal_card_and_gift_card_spends_are_wallet_spends() -> None:
    meal = read("ap-12-pluxee-meal")
    assert (meal.instrument, meal.kind, meal.counterparty) == (
        "wallet",
        "wallet_spend",
        "NEW SHAKTHI",
    )
    gift = parse_message(
        "AX-PHONPE-S",
        "You've paid Rs.350 via PhonePe gift card to Sharma Stores  on May 3, 2026 at 1:02:11 PM."
        " Not you? Call us on 022-68727374. Remaining balance Rs.150.",
    ).transaction
    assert gift is not None
    assert (gift.bank, gift.instrument, gift.kind, gift.amount) == (
        "PHONEPE",
        "wallet",
        "wallet_spend",
        Decimal("350"),
    )


def test_an_owner_format_for_a_wallet_gives_wallet_kinds() -> None:
    formats = formats_from_config(
        [
            {
                "sender": "MYWLLT",
                "pattern": r"Rs (?P<amount>[\d.]+) paid to (?P<counterparty>\w+) from wallet",
                "direction": "debit",
                "instrument": "wallet",
            }
        ]
    )
    txn = parse_message("VM-MYWLLT-S", "Rs 80.00 paid to CANTEEN from wallet", formats).transaction
    assert txn is not None and (txn.instrument, txn.kind) == ("wallet", "wallet_spend")


# --- cards ------------------------------------------------------------------------------------


def test_fintech_card_spends_are_credit_card_purchases() -> None:
    for case_id in ("ap-08-onecard-fuel", "ap-13-scapia-rewards", "ap-16-slice-credt"):
        txn = read(case_id)
        assert (txn.instrument, txn.direction, txn.kind) == ("credit_card", "debit", "purchase")
    assert read("ap-08-onecard-fuel").counterparty == "Veer Petroleum, Surat"


def test_a_failed_scapia_card_txn_is_not_read() -> None:
    body = (
        "Your txn of ₹2,351.00 at Amazon on your Scapia Federal Visa credit card has failed. "
        "Not you? Call XXXXXXXXXX. - Federal Bank"
    )
    assert parse_message("TX-FEDSCP-S", body).transaction is None


def test_card_bill_payments_are_transfers_on_both_sides() -> None:
    paid, credited = read("ap-18-kotak811-card-bill"), read("ap-17-cred-card-payment")
    assert (paid.direction, paid.kind, paid.counterparty) == (
        "debit",
        "card_bill_payment",
        "BoB Credit Card",
    )
    assert (credited.direction, credited.kind, credited.instrument) == (
        "credit",
        "card_bill_payment",
        "credit_card",
    )
    for txn in (paid, credited):
        assert categorize(txn) == "Transfers:CreditCardPayment"
        assert counter_account(txn.direction, categorize(txn), txn.kind) == TRANSFER_ACCOUNT


def test_paying_a_utility_bill_with_a_card_is_no_card_bill_payment() -> None:
    txn = parse_message(
        "VM-HDFCBK-S",
        "Rs.500.00 debited from A/c XX1276 on 02-05-26 for Electricity bill payment. "
        "Ref 512345678901. Avl Bal Rs.12,000.00",
    ).transaction
    assert txn is not None and txn.kind == "bill"


# --- fund houses ------------------------------------------------------------------------------


def test_sip_confirmations_and_payments_to_a_fund_house_are_investments() -> None:
    for case_id in ("ap-11-navi-sip", "ap-10-fi-autopay-sip"):
        txn = read(case_id)
        assert (txn.direction, txn.kind) == ("debit", "investment")
        assert categorize(txn) == "Transfers:Investments"
        assert counter_account(txn.direction, categorize(txn), txn.kind) == INVESTMENT_ACCOUNT
    assert read("ap-11-navi-sip").counterparty == "Navi Nifty Next 50 Index Fund DG"


def test_a_charge_for_a_sip_is_no_investment_and_a_sip_by_mandate_is_one() -> None:
    charge = parse_message(
        "VM-HDFCBK-S",
        "Rs.295.00 debited from A/c XX1276 on 05-07-26 towards SIP mandate bounce charges. "
        "Avl Bal Rs.2,000.00",
    ).transaction
    assert charge is not None and charge.kind != "investment"
    assert categorize(charge) != "Transfers:Investments"
    sip = parse_message(
        "VM-HDFCBK-S",
        "Rs.2,000.00 debited from A/c XX1276 on 05-07-26 towards SIP mandate of HDFC Mutual "
        "Fund. Avl Bal Rs.4,295.00",
    ).transaction
    assert sip is not None and (sip.kind, sip.channel) == ("investment", "other")


def test_an_auto_payment_to_anyone_else_is_no_investment() -> None:
    body = BY_ID["ap-10-fi-autopay-sip"]["body"].replace("Ppfas Management Ltd", "Anand Rentals")
    txn = read("ap-10-fi-autopay-sip", body=body)
    assert (txn.kind, txn.counterparty) == ("transfer", "Anand Rentals")
    assert not is_transfer(categorize(txn, DEFAULT_RULES))


# --- senders ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case_id", "other_sender"),
    [
        ("ap-04-famx-paid", "VM-HDFCBK-S"),
        ("ap-01-payzapp-topup", "VM-ICICIB-S"),
        ("ap-11-navi-sip", "AD-SBIINB-S"),
        ("ap-17-cred-card-payment", "VM-AXISBK-S"),
    ],
)
def test_an_app_format_runs_for_its_own_senders_only(case_id: str, other_sender: str) -> None:
    # The generic layer may read the same wording from another sender (a wallet's balance
    # stands for its account digits), but never as the app's: its format did not run.
    txn = parse_message(other_sender, BY_ID[case_id]["body"]).transaction
    assert txn is None or txn.bank == issuer_for_sender(other_sender)
    assert issuer_for_sender(BY_ID[case_id]["sender"]) not in (
        None,
        issuer_for_sender(other_sender),
    )
