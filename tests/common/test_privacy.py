from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.common.privacy import hide_codes, is_otp, mask_numbers
from assets.transactions.parsing import parse_message

OTPS = [
    "385434 is OTP for txn of INR 7732.62 at GOIBIBO on HDFC Bank card ending 3235. "
    "Valid till 14:00. Do not share OTP for security reasons",
    "319325 is the OTP for transaction of INR 648.82 on your ICICI Bank Credit Card XX1998 at "
    "WESTSIDE. OTPs are SECRET. DO NOT share OTP with anyone",
    "OTP for online purchase of Rs. 2191.74 at TITAN EYE PLUS thru State Bank Debit Card ending "
    "6724 is 839229. Do not share this with anyone.",
    "OTP for transaction of INR 5753.32 at GOIBIBO on Axis Bank card XX4878 is 511207. "
    "Valid for 5 mins. Never share your OTP - Axis Bank",
    "680047 is OTP for your PNB ONE login. Valid for 5 min. Never share OTP with anyone. -PNB",
    "Your verification code is 4821",
    "123456 is your one time password for net banking",
    "Use One-Time Password 99887766 to authorise the beneficiary",
    # A "do not share" sentence holding the code used to be cut out before the OTP test.
    "Do not share this OTP 815274 with anyone. HDFC Bank will never call you for it.",
    "Never share OTP 40921 given for your card ending 1234 with anyone",
    # No OTP keyword at all.
    "Your one-time PIN for the ICICI iMobile app is 5521. Do not share it.",
    "Your secure code for the purchase at AMAZON is 660213",
    "Secret code 8810 for your SBI Card request",
    "Use 735291 to authenticate your Axis Mobile login",
    "Enter 44120918 to approve the payment of Rs 500.00 to FLIPKART",
    "Dear customer, 31337 is the code to confirm your new payee. Don't share it -Kotak",
    "Rs 1,200.00 to be debited from A/c XX1234 for AMAZON: approve with 902114",
]

NOT_OTPS = [
    "Rs.1213.11 debited from a/c **1071 on 01-12-25 to VPA ritu.shar@oksbi(UPI Ref No "
    "638560945993). Never share your OTP. Not you? Call on 18002586161 to report",
    "Rs 500.00 spent on Card XX1234 at AMAZON on 02-03-26. Do not share OTP, PIN or CVV with "
    "anyone. Ref 612345678901",
    "INR 2,000.00 credited to A/c XX9876 on 05-03-26. Bank never asks for your OTP. Ref 123456",
    "Dear Customer, your request for a cheque book has been registered.",
    "",
    # Completed alerts that end in the usual warning, with a reference or a helpline digit group.
    "Rs 500.00 debited from A/c XX1234 on 02-03-26 to AMAZON. Ref 123456. Never share your "
    "OTP/PIN with anyone",
    "INR 2,500.00 credited to A/c XX9876 by NEFT ref 88123456. Do not share your OTP, PIN or "
    "CVV with anyone - Axis Bank",
    "Spent Rs.499.00 From HDFC Bank Card x2949 At SWIGGY On 2026-03-01:18:43:49 Not You? Call "
    "18002586161/SMS BLOCK DC 2949 to 7308080808. Never share your card PIN",
]


@pytest.mark.parametrize("body", OTPS)
def test_otp_messages_are_recognised(body: str) -> None:
    assert is_otp(body)


# Completed-transaction wording (past-tense verb and an amount) that still hands over a live
# code: only its validity ("valid for 10 min") says the number is one to use, not a reference.
CODES_WITH_A_VALIDITY = [
    "Rs 2,500.00 debited from your card XX1234 at AMAZON. Authorisation 482913 valid for 10 min",
    "Rs 899.00 debited from A/c XX1234 at MYNTRA. Authorization 482913 valid upto 5 minutes",
    "Rs 650.00 paid from card XX1234 to ZOMATO. Authorisation 482913 valid up to 10 mins",
    "INR 1,499.00 spent on card XX1234 at SWIGGY. Authorisation 482913 valid till 14:05",
    "Rs 300.00 sent from A/c XX1234 to KIRANA. Authorisation 48291 valid only once",
]


@pytest.mark.parametrize("body", CODES_WITH_A_VALIDITY)
def test_a_code_with_a_validity_is_an_otp_even_in_a_completed_alert(body: str) -> None:
    assert is_otp(body)
    # The same alert without the validity is an alert that happens to quote a number.
    assert not is_otp(re.sub(r" valid .*$", "", body))


@pytest.mark.parametrize("body", NOT_OTPS)
def test_alerts_that_only_warn_about_otps_are_kept(body: str) -> None:
    assert not is_otp(body)


@pytest.mark.parametrize(
    ("body", "masked"),
    [
        ("debited from A/c no. XX205146 on SHOPPERS", "debited from A/c no. XX5146 on SHOPPERS"),
        ("A/c no. 1234567890 debited", "A/c no. XX7890 debited"),
        ("Your A/C XXXXX75395 has a debit", "Your A/C XXXXX5395 has a debit"),
        ("Card 4111 1111 1111 1234 used", "Card XXXX1234 used"),
        ("card number 4111111111111234 blocked", "card number XXXX1234 blocked"),
        ("Acct: 50100012345678 credited", "Acct: XX5678 credited"),
        ("sent from **9876543", "sent from **6543"),
        ("card x123456 was used", "card x3456 was used"),
    ],
)
def test_long_account_and_card_numbers_keep_only_the_last_four(body: str, masked: str) -> None:
    assert mask_numbers(body) == masked


UNTOUCHED = [
    "Rs 12345 debited from A/c XX1234 on 12-05-2025 Ref 123456789012 call 18002586161",
    "Sent Rs.6443.28\nFrom HDFC Bank A/C *1276\nTo JOSEPH THOMAS\nOn 24/08/25\nRef 458167896224",
    "INR 1,23,456.00 credited to a/c no(s) SBA2439 by NEFT UTR HDFCN52025030512345678",
    "Rs.2553.91 debited to VPA 9443169606@axl(UPI Ref No 436271568166). SMS BLOCK to 7308080808",
    "Card ending 3235 used for Rs 10000.00 on 2026-03-01",
]


@pytest.mark.parametrize("body", UNTOUCHED)
def test_amounts_dates_references_and_helplines_are_untouched(body: str) -> None:
    assert mask_numbers(body) == body


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 .,:-/RsINR₹onrefUTRABDEFGHJKLMNOPQSVWYZ\n", max_size=120))
def test_text_without_keywords_or_masks_is_never_changed(body: str) -> None:
    assert mask_numbers(body) == body


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"(A/c|Acct|Account|Card|XX|\*\*) ?[0-9]{5,18}", fullmatch=True))
def test_masked_output_never_shows_more_than_four_digits_of_the_number(body: str) -> None:
    assert re.search(r"\d{5,}", mask_numbers(body)) is None


@pytest.mark.parametrize(
    ("body", "tail"),
    [
        ("Your A/C XXXXX75395 has a debit by transfer of Rs 7200.62", "5395"),
        ("INR 318.49 debited from A/c no. XX619266 on STAR BAZAAR", "9266"),
        ("Rs 100 credited to Account 50100012345678 by UPI", "5678"),
    ],
)
def test_account_tail_stays_readable_after_masking(body: str, tail: str) -> None:
    assert re.search(rf"[X*]{tail}\b", mask_numbers(body))


@pytest.mark.parametrize("body", OTPS)
def test_the_parser_never_makes_a_transaction_of_an_otp(body: str) -> None:
    assert parse_message("VM-HDFCBK", body).transaction is None


@pytest.mark.parametrize(
    "body",
    [
        "Your secure code for the purchase at AMAZON is 660213",
        "Secret code 8810 for your SBI Card request",
        "Dear customer, 31337 is the code to confirm your new payee. Don't share it -Kotak",
    ],
)
def test_the_parser_names_otps_in_any_wording(body: str) -> None:
    assert parse_message("VM-HDFCBK", body).reason == "otp"


def test_a_code_word_without_otp_wording_is_no_otp() -> None:
    # "pass" opens the gate, and 654321 stands alone, but nothing calls it a code: kept.
    assert not is_otp("Your passbook 654321 is ready for collection at the branch")


def test_a_skipped_candidate_does_not_stop_the_masking_after_it() -> None:
    # The "x" of "Tax" is inside a word: passed over, and the account after it still masked.
    assert mask_numbers("Tax paid. A/c 12345678 debited") == "Tax paid. A/c XX5678 debited"


def test_every_account_number_in_a_body_is_masked() -> None:
    body = "A/c 11111111, a/c 22222222 and a/c 33333333 linked"
    assert mask_numbers(body) == "A/c XX1111, a/c XX2222 and a/c XX3333 linked"


def test_hide_codes_hides_standalone_codes_and_nothing_else() -> None:
    text = "Use 815274 now. Ref 123456789012, Rs 1,234.50 on 12-03-2026, card XX1234, 0527"
    assert hide_codes(text) == (
        "Use ###### now. Ref 123456789012, Rs 1,234.50 on 12-03-2026, card XX1234, ####"
    )


def test_a_keyword_look_alike_does_not_stop_the_masking_after_it() -> None:
    # "acc" of "accepted" is no account keyword: passed over, the real one after it masked.
    body = "Request accepted. A/c 12345678 debited"
    assert mask_numbers(body) == "Request accepted. A/c XX5678 debited"


# A card spend abroad reported "Approved", its card digits standing unmasked beside it (made-up
# bodies of the IndusInd shape in tests/data/sms/sms-grammar.jsonl, g-12): a completed spend.
APPROVED_SPENDS = [
    "Dear Customer, The transaction on your IndusInd Bank Credit Card ending 4375 for USD 16.50"
    " on 02/12/26 10:41 at NETFLIX.COM is Approved. Available Limit INR 1,23,456.78. Please"
    " call 18602677777 for further queries.",
    "Transaction of USD 16.50 on your IndusInd Bank Credit Card 4375 XXXX XXXX 1234 at"
    " NETFLIX.COM on 02-12-2026 is Approved. Available Limit INR 1,23,456.78",
    "Transaction of 16.50 EUR on your Credit Card ending 4375 at SPOTIFY is approved.",
]
# The same words around a code to use are still OTPs: approving is asked for, or the code is
# presented, or the amount names no currency.
APPROVE_REQUESTS = [
    "Transaction of USD 16.50 at NETFLIX.COM on card ending 4375 is approved only after you"
    " enter OTP 482913",
    "482913 is the OTP for transaction of USD 16.50 at NETFLIX.COM on card ending 4375. The"
    " transaction is approved once verified.",
    "Transaction on card ending 4375 at NETFLIX.COM is approved. Code 482913 valid for 5 min",
    "Transaction on card ending 4375 is approved, authorisation code 482913",
    # No amount at all: nothing says money moved, so the number may be a code (dropped).
    "Your transaction at NETFLIX.COM on card ending 4375 is approved. Approval no 482913",
]


@pytest.mark.parametrize("body", APPROVED_SPENDS)
def test_a_card_spend_reported_approved_is_no_otp(body: str) -> None:
    assert not is_otp(body)
    txn = parse_message("VM-INDUSB-S", body).transaction
    assert txn is not None  # and the parser reads it, in its own currency
    assert (txn.amount, txn.currency) in ((Decimal("16.50"), "USD"), (Decimal("16.50"), "EUR"))


@pytest.mark.parametrize("body", APPROVE_REQUESTS)
def test_approval_wording_around_a_code_to_use_is_still_an_otp(body: str) -> None:
    assert is_otp(body)
