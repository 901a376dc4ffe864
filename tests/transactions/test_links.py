"""links.py: which alerts are of one payment, one shape per test, and what is never linked."""

from __future__ import annotations

import datetime as dt

import pytest

from assets.transactions.links import counted_once, link_payments, links_of, same_payment
from tests.transactions.link_shapes import (
    AMAZON_APP,
    AMAZON_BANK,
    CARD_PAYMENT_RECEIVED,
    CRED_APP,
    CRED_BANK,
    CRED_CREDITED,
    CRED_OWN_HEADER,
    FEDERAL_DEBIT,
    FEDERAL_RECEIVED,
    HDFC_CARD_SPEND,
    HDFC_EMANDATE,
    PHONEPE_APP,
    PHONEPE_BANK,
    SBI_CARD_SPEND,
    SBI_EMANDATE,
    WINDOW,
    alert,
    card_spend,
)

PAIRS = {
    "cred_bill_payment": (CRED_BANK, CRED_APP),
    "amazon_pay_linked_account": (AMAZON_BANK, AMAZON_APP),
    "phonepe_linked_account": (PHONEPE_BANK, PHONEPE_APP),
    "federal_has_received": (FEDERAL_DEBIT, FEDERAL_RECEIVED),
    "debit_card_and_e_mandate": (SBI_CARD_SPEND, SBI_EMANDATE),
    "credit_card_and_e_mandate": (HDFC_CARD_SPEND, HDFC_EMANDATE),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("app_first", [False, True])
def test_each_pair_shape_is_one_payment_kept_as_the_banks_alert(name: str, app_first: bool) -> None:
    bank_msg, other_msg = PAIRS[name]
    bank = alert(bank_msg, 3 if app_first else 0, "bank")
    other = alert(other_msg, 0 if app_first else 2, "other")
    assert same_payment(bank, other, WINDOW) and same_payment(other, bank, WINDOW)
    (kept, others), *rest = link_payments([other, bank], WINDOW)
    assert rest == []
    # The bank's own alert states the most (digits, balance or reference): it is the one kept.
    assert (kept.message_guid, [o.message_guid for o in others]) == ("bank", ["other"])
    assert counted_once([bank, other], WINDOW) == [bank._replace(also_alerted_by=("other",))]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_a_pair_further_apart_than_the_window_is_two_payments(name: str) -> None:
    bank_msg, other_msg = PAIRS[name]
    bank, other = alert(bank_msg, 0, "bank"), alert(other_msg, 10.5, "other")
    assert not same_payment(bank, other, WINDOW)
    assert links_of([bank, other], WINDOW) == []
    assert links_of([bank, other], dt.timedelta(minutes=11)) != []


def test_a_card_bill_paid_from_the_bank_stays_two_legs() -> None:
    # The bank's debit and the card's "payment received" are one transfer's two legs: each
    # moves its own account, so neither is a copy of the other. CRED's confirmation is a copy.
    debit = alert(CRED_BANK, 0, "bank")
    received = alert(CARD_PAYMENT_RECEIVED, 1, "card")
    confirmation = alert(CRED_APP, 2, "cred")
    assert not same_payment(debit, received, WINDOW)
    groups = link_payments([debit, received, confirmation], WINDOW)
    assert sorted((k.message_guid, [o.message_guid for o in os]) for k, os in groups) == [
        ("bank", ["cred"]),
        ("card", []),
    ]


@pytest.mark.parametrize("confirmation", [CRED_OWN_HEADER, CRED_CREDITED])
def test_an_apps_confirmation_of_a_card_bill_is_a_copy_of_the_cards_receipt(
    confirmation: tuple[str, str],
) -> None:
    # Read from CRED's own header, the confirmation is the payment arriving on the card: a copy
    # of the card's "payment received", which states more (digits, available limit) and is kept.
    debit = alert(CRED_BANK, 0, "bank")
    cred = alert(confirmation, 1, "cred")
    received = alert(CARD_PAYMENT_RECEIVED, 2, "card")
    assert (cred.direction, cred.kind, cred.instrument) == (
        "credit",
        "card_bill_payment",
        "credit_card",
    )
    groups = link_payments([debit, cred, received], WINDOW)
    assert sorted((k.message_guid, [o.message_guid for o in os]) for k, os in groups) == [
        ("bank", []),
        ("card", ["cred"]),
    ]


def test_a_card_bills_receipt_and_another_issuers_credit_are_two_payments() -> None:
    received = alert(CARD_PAYMENT_RECEIVED, 1, "card")
    amount = "36,437.91"
    others = {
        # A credit into an account, and a refund onto a credit card, of the same amount.
        "salary": ("VM-ICICIB-S", f"Rs {amount} credited to A/c XX1691 by NEFT from ACME CORP"),
        "refund": (
            "VM-SBICRD-S",
            f"Refund of Rs {amount} from AMAZON credited to your SBI Credit Card XX1691",
        ),
    }
    for guid, message in others.items():
        other = alert(message, 0, guid)
        assert not same_payment(other, received, WINDOW), guid
        assert not same_payment(received, other, WINDOW), guid


def test_bills_paid_onto_two_cards_are_two_payments() -> None:
    received = alert(CARD_PAYMENT_RECEIVED, 1, "card")
    other_card = (CRED_OWN_HEADER[0], CRED_OWN_HEADER[1].replace("XX1691", "XX2222"))
    assert not same_payment(alert(other_card, 0, "cred"), received, WINDOW)


def test_equal_spends_at_two_merchants_on_one_card_are_two_payments() -> None:
    first = alert(card_spend("649", "NETFLIX", 7), 0, "a")
    second = alert(card_spend("649", "SPOTIFY", 40), 1, "b")
    assert not same_payment(first, second, WINDOW)
    assert links_of([first, second], WINDOW) == []


def test_equal_spends_at_one_merchant_in_one_shape_are_two_payments() -> None:
    # A bank sends one alert per payment: two alerts of one wording are two coffees.
    first = alert(card_spend("180", "BLUE TOKAI", 7), 0, "a")
    second = alert(card_spend("180", "BLUE TOKAI", 50), 1, "b")
    assert not same_payment(first, second, WINDOW)


def test_equal_spends_at_two_branches_of_one_shop_in_one_shape_are_two_payments() -> None:
    # One template, the merchant printed as each charged: the spellings differ, the payee
    # words overlap, and it is still one alert per payment.
    first = alert(card_spend("420.00", "KAVERI STORES", 7), 0, "a")
    second = alert(card_spend("420.00", "KAVERI STORES HSR", 50), 7, "b")
    assert not same_payment(first, second, WINDOW)


def test_two_banks_paying_one_merchant_the_same_amount_are_two_payments() -> None:
    upi = alert(PHONEPE_BANK, 0, "hdfc")
    card = alert(card_spend("500.00", "SWIGGY"), 1, "card")
    # Same issuer id (HDFC) but another account: the card's digits are not the account's.
    assert not same_payment(upi, card, WINDOW)
    icici = alert(
        (
            "AX-ICICIT",
            "ICICI Bank Acct XX114 debited for Rs 500.00 on 18-Mar-26; SWIGGY credited. "
            "UPI:599010381411. Call 18002662 for dispute. SMS BLOCK 114 to 9215676766.",
        ),
        1,
        "icici",
    )
    assert not same_payment(upi, icici, WINDOW)


def test_different_references_are_different_payments() -> None:
    first = alert(FEDERAL_DEBIT, 0, "a")
    other_ref = FEDERAL_DEBIT[1].replace("FDRLM7165241187", "FDRLM7165249999")
    second = alert((FEDERAL_DEBIT[0], other_ref.replace("Bal Rs 85678.82.", "")), 1, "b")
    assert not same_payment(first, second, WINDOW)


def test_a_confirmation_that_fits_two_equal_payments_joins_only_one() -> None:
    # Two real ₹500 Swiggy payments from one account (two references), one PhonePe confirmation.
    first = alert(PHONEPE_BANK, 0, "first")
    second_body = PHONEPE_BANK[1].replace("612345678901", "612345670000")
    second = alert((PHONEPE_BANK[0], second_body), 1, "second")
    confirmation = alert(PHONEPE_APP, 2, "app")
    groups = link_payments([first, second, confirmation], WINDOW)
    assert len(groups) == 2
    assert sum(len(others) for _, others in groups) == 1


def test_a_spend_and_its_reversal_are_two_movements() -> None:
    spend = alert(
        (
            "VM-HDFCBK",
            "Spent Rs.2331.11 On HDFC Bank Card 6628 At INOX LEISURE On 2026-03-18:11:30:07."
            "Not You? To Block+Reissue Call 18002586161/SMS BLOCK CC 6628 to 7308080808",
        ),
        0,
        "spend",
    )
    reversal = alert(
        (
            "VK-HDFCBK",
            "Transaction Reversed!On HDFC Bank CREDIT Card xx6628 Amt: Rs.2331.11 By INOX "
            "LEISURE On 2026-03-18:11:35:28",
        ),
        5,
        "reversal",
    )
    assert (spend.direction, reversal.direction) == ("debit", "credit")
    assert not same_payment(spend, reversal, WINDOW)
    assert len(link_payments([spend, reversal], WINDOW)) == 2


def test_a_second_payment_after_a_linked_pair_stays_its_own() -> None:
    # A ₹500 Swiggy payment and PhonePe's confirmation of it, then a second ₹500 payment (its
    # own reference): the second fits the confirmation but not the first payment.
    first = alert(PHONEPE_BANK, 0, "first")
    confirmation = alert(PHONEPE_APP, 1, "app")
    second_body = PHONEPE_BANK[1].replace("612345678901", "612345670000")
    second = alert((PHONEPE_BANK[0], second_body), 2, "second")
    groups = link_payments([first, confirmation, second], WINDOW)
    assert sorted((k.message_guid, [o.message_guid for o in os]) for k, os in groups) == [
        ("first", ["app"]),
        ("second", []),
    ]


def test_the_checks_every_link_passes_first() -> None:
    bank = alert(FEDERAL_DEBIT, 0, "bank")
    copy = alert(FEDERAL_RECEIVED, 1, "copy")
    assert same_payment(bank, copy, WINDOW)
    assert not same_payment(bank, bank, WINDOW), "an alert is no copy of itself"
    assert not same_payment(bank, copy._replace(amount=copy.amount + 1), WINDOW)
    assert not same_payment(bank, copy._replace(currency="USD"), WINDOW)
    # The window holds at its end.
    assert same_payment(bank, copy._replace(received_at=bank.received_at + WINDOW), WINDOW)


def test_one_issuers_alerts_of_one_reference_agree_on_the_account() -> None:
    # Same reference from one bank: the same account, or one alert names none; two accounts of
    # the owner's at one bank are two payments, whatever the reference says.
    bank = alert(FEDERAL_DEBIT, 0, "bank")
    copy = alert(FEDERAL_RECEIVED, 1, "copy")
    assert bank.reference and bank.reference == copy.reference and bank.bank == copy.bank
    assert same_payment(bank, copy._replace(account_tail=None), WINDOW)
    assert not same_payment(bank, copy._replace(account_tail="9999"), WINDOW)


def test_one_issuers_two_wordings_without_a_reference_link_when_one_names_no_account() -> None:
    spend = alert(HDFC_CARD_SPEND, 0, "spend")
    notice = alert(HDFC_EMANDATE, 1, "notice")
    assert spend.reference is None or notice.reference is None
    assert same_payment(spend, notice._replace(account_tail=None), WINDOW)
    assert not same_payment(spend, notice._replace(account_tail="1111"), WINDOW)
