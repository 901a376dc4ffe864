"""The generic layer's grammar, rule by rule, on alerts written for these tests (none is in the
corpora), and the corpora-wide safety properties with every issuer's own formats switched off."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.transactions.parsing import issuer_for_sender, parse_message
from assets.transactions.parsing.core import disable_issuer_formats
from assets.transactions.parsing.format import fmt, lowered
from assets.transactions.parsing.generic import FOREIGN
from assets.transactions.parsing.generic import parse as generic_parse
from tests.transactions.sms_corpus import as_expected, load

# A bank sender the parser has no formats for: only the generic layer reads it.
BANK = "VM-ZXYBNK-S"


def read(body: str, sender: str = BANK):
    txn = parse_message(sender, body).transaction
    assert txn is not None, body
    return txn


@pytest.mark.parametrize(
    ("body", "payee"),
    [
        # at/by NAME on <date | a card>
        ("Rs 640.00 spent on your Card XX4402 at CROMA RETAIL on 03-02-26.", "CROMA RETAIL"),
        (
            "INR 310.00 spent at BLUE TOKAI on ZXY Bank Credit Card x5512 03-02-2026 10:11:12 AM.",
            "BLUE TOKAI",
        ),
        ("Sent Rs.50 to you? No: Rs.510.00 paid by card XX7712 by NYKAA on Feb 03.", "NYKAA"),
        # at NAME. / at NAME with your / at NAME<newline>
        ("Rs.220.00 spent at CHAAYOS.\nCard: 7719\nAvl Limit: Rs. 40,000.", "CHAAYOS"),
        ("You've spent Rs. 99.00 at Zepto with your ZXY Card ending in XX5521.", "Zepto"),
        # on NAME <date>; <date> on NAME.
        ("INR 450.00 debited from A/c no. XX3318 on HAMLEYS 04-02-2026 12:10:11 IST.", "HAMLEYS"),
        (
            "INR 999.00 spent using Card XX8841 on 05-Feb-26 on DECATHLON. Avl Limit: INR 20.",
            "DECATHLON",
        ),
        # towards NAME for …; for NAME via …
        (
            "Your account XX5512 has been debited with Rs 99.00 towards SONYLIV for AutoPay. "
            "RRN 612300001111.",
            "SONYLIV",
        ),
        (
            "Payment of INR 149.00 for YouTube Premium via e-mandate on Debit Card 4471 is "
            "processed successfully.",
            "YouTube Premium",
        ),
        # references with the name inside
        (
            "Debited INR 60.00 from A/c X5150\nUPI/DR/613300221144/CHAI POINT/ICIC\nBal INR 900.00",
            "CHAI POINT",
        ),
        (
            "Rs. 5,000 credited to A/c XX7781 on 03/02/2026 UTR:HDFCN26034000001/NEFT/ORION "
            "TRADERS / Avl Bal- Rs. 9,000.00 CR",
            "ORION TRADERS",
        ),
        (
            "Account XX441 credited:Rs. 12,000.00 on 03-Feb-26. "
            "Info NEFT-HDFCN2603400011-ZEN LABS. "
            "Available Balance is Rs. 20,000.00.",
            "ZEN LABS",
        ),
        (
            "Your account XXXX7001 is credited by Rs.800 on 03-02-26 received from account "
            "XXXX1299/ROHAN DAS (IMPS Ref no. 611100223344).",
            "ROHAN DAS",
        ),
        (
            "Your a/c XXXX0187 is credited by Rs.90.00 on 03-02-26 by a/c linked to mobile "
            "9XXXXXX311-Gita Bose (IMPS Ref# 611100229988)",
            "Gita Bose",
        ),
        (
            "INR 75.00 spent on ZXY Card X3349 @UPI_RAM TEA STALL 03-02-2026 09:00:01 am.",
            "RAM TEA STALL",
        ),
        # to/from/by NAME and what ends it: thru, ".Ref", ". ", "; ", ", ", "(", double space
        (
            "A/c X4410 debited INR 300.00 Dt 03-02-26 to KIRAN STORES thru UPI:612311112222.",
            "KIRAN STORES",
        ),
        (
            "Debited Rs 900 from a/c XX4120 on 03FEB2026 via NEFT to Lata Iyer.Ref FDRL1234567.",
            "Lata Iyer",
        ),
        (
            "Rs.9.00 credited to A/c XX1021 via IMPS/611122223333 by MANOJ PILLAI. AvlBal:Rs10.",
            "MANOJ PILLAI",
        ),
        (
            "Acct XXX771 Dr. INR 40.00 on 03/02/26 to TEA HOUSE; UPI: 612300004444; Bal INR 1.00",
            "TEA HOUSE",
        ),
        (
            "Rs.23.00 paid thru A/C XX1234 on 03-2-26 10:00:00 to CITY METRO, UPI Ref 612300004545",
            "CITY METRO",
        ),
        ("Rs.70.00 transferred from A/c ...3757 to:Asha Rao. Total Bal:Rs.100.00CR", "Asha Rao"),
        (
            "Sent Rs.75.00  From ZXY Bank A/C *1234  To ASHA RAO  On 03/02/26  Ref 612300008888",
            "ASHA RAO",
        ),
        (
            "INR 9,000.00 credited to XX6785 on 03/02/2026 towards NEFT by Sender NOVA AGRO LLP, "
            "IFSC UTIB0000004",
            "NOVA AGRO LLP",
        ),
        ("Refund of INR 300.00 from BATA has been credited to your ZXY Card XX8805.", "BATA"),
        (
            "INR 5 from Cafe Lounge refunded to your ZXY Credit Card x8848 on 03-Feb-2026.",
            "Cafe Lounge",
        ),
        # "from NAME in your a/c", "to NAME.RRN <rrn>"; an amount glued to its currency after
        # "by" is no name ("debited by Rs100.0 on … transfer to NAME")
        (
            "Received Rs.300.00 from Tara Menon in your ZXY a/c XX4821 on 03-Feb-26. UPI ref no. "
            "612300007777",
            "Tara Menon",
        ),
        (
            "Sent Rs.440.00 from A/c *7316 on 03-02-26 to RIVER FOODS.RRN 612300008989.Avl Bal "
            "Rs.45.65",
            "RIVER FOODS",
        ),
        (
            "Your A/c X6789-debited by Rs100.0 on 03Feb26 transfer to ANAND Ref No 612300001313.",
            "ANAND",
        ),
        # a lazy name that ran over an earlier marker keeps only what follows the last one
        (
            "Sent Rs.12.00 from XXXXXX3518 to Nikhil Rao on 03/02/2026. UPI ref no. 612300001212",
            "Nikhil Rao",
        ),
        # VPAs: a handle with "bank" in it is still a VPA; "towards" marks one too
        (
            "Received Rs.50.00 in your AC X1101 from chai.wala@okhdfcbank on 03-02-26. UPI Ref "
            "612300005555",
            "chai.wala@okhdfcbank",
        ),
        (
            "A/C *XX4410 debited by Rs 19.00 towards metro.card@axisbank. RRN: 612300006767.",
            "metro.card@axisbank",
        ),
        # a name with "ac" or "the" inside is a name (a substring test once refused these)
        (
            "Sent Rs.120.00 from AC X2231 to MACHINE CAFE on 03-02-26. UPI Ref 612300006666",
            "MACHINE CAFE",
        ),
        (
            "EUR 9.00 spent on ZXY Card XX5271 on 03-02-2026 at MOL*THE LOFT. Avl Lmt: INR "
            "1,000.00.",
            "MOL*THE LOFT",
        ),
        # third-person alerts
        (
            "Ravi, NOVA LABS has sent INR 50.00 to you. Mode:IMPS | Ref No 612300001313 -ZXY Bank",
            "NOVA LABS",
        ),
        (
            "RAVI KUMAR has paid Rs 500.00 to your A/c XX1234 via UPI. Ref 612345678901",
            "RAVI KUMAR",
        ),
        # a rail's reference with a bank code, the name before " on <date>"
        (
            "UPI Credit:INR Rs.250.00 in A/c X6093. Info: UPI/ICICI/528951062274/ ANIL KUMAR on "
            "16-10-25 12:11:27. Final balance is Rs.2990.75 -ZXY Bank",
            "ANIL KUMAR",
        ),
    ],
)
def test_a_counterparty_marked_by_the_shared_grammar_is_read(body: str, payee: str) -> None:
    assert read(body).counterparty == payee


@pytest.mark.parametrize(
    "body",
    [
        # labels, the owner's own account, the bank, a footer, an amount, a purpose
        "Your ZXY Bank a/c XX6620 is debited with Rs.20.00 for Sms Alert Charges. Refer to our "
        "website.",
        "Your Account 20XXXXX5517 has been debited for INR 40 towards IMPS/512345678901. Call "
        "18601234567 to report issue-ZXY Bank",
        "Rs. INR 12.00 has been CREDITED to your A/c XXX638 on 31/03/2026 towards SB interest.",
        "Rs 5.00 credited to your ZXY Bank A/c XX2288 towards interest on 31-12-25. Avl Bal Rs 9",
        "Your A/C XXXXX75395 has a debit by transfer of Rs 72.62 on 20/05/26. Avl Bal Rs 651.37",
        "Your A/C XXXXX41234 has a credit by Transfer of Rs 1,000.00 on 26/02/26 by Bank.",
        "Amt Deducted! Rs.830 from your ZXY Bank A/c XX0815 for Money Transfer via Net Banking.",
        "Rs 1.00 spent on ZXY SFB CC 4178 on 09-07-2026 at 11:40:18. Avlb Rs 17.00",
        "Your a/c no XXXXXXXX5045 is debited for Rs.50.00 on 31-03-26 and a/c XXXXXXX418 credited "
        "(IMPS Ref no 611100001234)",
        # the cause after "due to" is nobody's name
        "Cashback of Rs 50.00 debited from your A/c XX1234 due to order cancellation. Ref "
        "612345678903",
        # a footer's verb after "To" ("To dispute, click …") is not whom the money went to
        "Lunch's on! Rs. 210.00 spent at Kamat Hotel, Hubli on your ZXY Credit Card xxXX5172. "
        "To dispute, click: https://zxy.example/d",
    ],
)
def test_no_counterparty_where_the_text_marks_none(body: str) -> None:
    assert read(body).counterparty is None


@pytest.mark.parametrize(
    ("body", "direction", "amount", "tail"),
    [
        # verbs
        (
            "Amt Deducted! Rs.500 from your ZXY Bank A/c XX1234 for Money Transfer.",
            "debit",
            "500",
            "1234",
        ),
        (
            "UPI debit:Rs.99.00 A/c X1234, 03-02-26 10:00:00 RRN: 612300007777 Bal:Rs.1.00",
            "debit",
            "99.00",
            "1234",
        ),
        (
            "Your A/C XXXXX12345 has a credit by Transfer of Rs 200.00 on 03/02/26.",
            "credit",
            "200.00",
            "2345",
        ),
        (
            "Your Account XXXXX48206 had a credit DEPOSIT TRANSFER transaction of Rs. 12.00 on "
            "01/07/2026",
            "credit",
            "12.00",
            "8206",
        ),
        (
            "Dear Customer, transaction number 612300001414 for Rs.35.00 by Debit Card X4521 done "
            "at PAYZONE on 03Feb26.",
            "debit",
            "35.00",
            "4521",
        ),
        (
            "Rs.70.00 transferred from A/c ...3757 to:Asha Rao. Total Bal:Rs.100.00CR",
            "debit",
            "70.00",
            "3757",
        ),
        (
            "Arun Das has received Rs 290.000 from your A/c XX6142 via NEFT on 03-02-2026. Ref "
            "no. FDRL7165241187",
            "debit",
            "290.000",
            "6142",
        ),
        (
            "Ravi, NOVA LABS has sent INR 50.00 to you. Mode:IMPS | Ref No 612300001313 -ZXY Bank",
            "credit",
            "50.00",
            None,
        ),
        # tails: Acc, CC, A/cX…, a whole account number, a bare masked number after the bank's name
        (
            "ZXY Bank Acc XX123 debited Rs. 500.00 on 03-Feb-26 NFS*CASH WDL*03-02-26.",
            "debit",
            "500.00",
            "123",
        ),
        ("Rs 2.00 spent on ZXY SFB CC 4178 on 03-02-2026 at 11:40:18.", "debit", "2.00", "4178"),
        (
            "Rs.300 withdrawn at ZXY ATM S1NW0546 from A/cX3004 on 03Feb26 Transaction Number "
            "3105.",
            "debit",
            "300",
            "3004",
        ),
        (
            "Debited INR 500.00 from A/c 123456789012 on 03-FEB-2026. Bal INR 1000.00.",
            "debit",
            "500.00",
            "9012",
        ),
        (
            "Update! INR 780.00 debited from ZXY Bank XX8509 on 03-FEB-26. Info: ACH D- "
            "LENDCO-C2Y.",
            "debit",
            "780.00",
            "8509",
        ),
        # a decimal amount straight before ",<date>"; an amount before a double space
        (
            "A/c XX9093 debited with Rs.2000.00,03-02-2026 10:00:00 thru card XX3265.",
            "debit",
            "2000.00",
            "9093",
        ),
        (
            "Sent Rs.75.00  From ZXY Bank A/C *1234  To ASHA RAO  On 03/02/26",
            "debit",
            "75.00",
            "1234",
        ),
    ],
)
def test_verbs_amounts_and_tails_of_the_shared_grammar(
    body: str, direction: str, amount: str, tail: str | None
) -> None:
    txn = read(body)
    assert (txn.direction, txn.amount, txn.account_tail) == (direction, Decimal(amount), tail)


@pytest.mark.parametrize(
    ("body", "direction", "amount", "payee"),
    [
        ("Debit Rs.250.00 from A/C XX6302 at ATM EN47 on 03/02/26 10:00.", "debit", "250.00", None),
        (
            "Your transaction of Rs. 12.50 at CHAI CORNER from a/c xx5820 is successful.",
            "debit",
            "12.50",
            "CHAI CORNER",
        ),
        (
            "Your A/c no XXXX3391 is credited with 1500.00 on 03-02-2026 "
            "by Loan Recovery From : 1394.",
            "credit",
            "1500.00",
            None,
        ),
    ],
)
def test_more_verbs_and_a_bare_amount_after_credited_with(
    body: str, direction: str, amount: str, payee: str | None
) -> None:
    txn = read(body)
    assert (txn.direction, txn.amount, txn.counterparty) == (direction, Decimal(amount), payee)


def test_a_header_unlike_a_banks_is_read_when_the_body_names_an_account() -> None:
    body = "INR 90.00 debited via UPI from Nova A/c 12XX -Ref:612300003434 on 03-02-26 to ASHA RAO."
    txn = read(body, "CP-NOVAFS-S")
    assert (txn.amount, txn.counterparty, txn.reference) == (
        Decimal("90.00"),
        "ASHA RAO",
        "612300003434",
    )


def test_a_cash_withdrawal_at_an_atm_needs_no_tail_and_names_no_payee() -> None:
    body = "Rs. 3000 withdrawn from ATM at MG ROAD on 03/02/2026. -ZXY Bank"
    txn = read(body)
    assert (txn.channel, txn.kind, txn.counterparty) == ("atm", "atm_withdrawal", None)
    # Without the withdrawal wording the tail rule stands: an amount and a verb are no alert.
    assert parse_message(BANK, "Rs. 3000 debited at MG ROAD on 03/02/2026.").transaction is None


def test_a_sender_that_does_not_look_like_a_bank_needs_the_owners_account_digits() -> None:
    wallet = "JM-ZORPAY-S"
    body = "Rs 20.00 was credited with Ref No 612300009999. Balance Rs 40.00"
    assert parse_message(wallet, body).transaction is None
    assert parse_message(BANK, body).transaction is not None  # a bank's header: the ref suffices
    # Its own wallet's balance stands for the digits a wallet's alert never prints; from a
    # phone number, nothing does.
    own = "Rs 20.00 was credited to your wallet with Ref No 612300009999. Wallet balance Rs 40.00"
    txn = read(own, wallet)
    assert (txn.instrument, txn.kind, txn.account_tail) == ("wallet", "wallet_topup", None)
    assert parse_message("+919812345678", own).transaction is None
    card = "Rs. 77.00 spent from Meal Card wallet, card no.xx6314 on 03-02-2026 at CANTEEN ONE ."
    txn = read(card, wallet)
    assert (txn.account_tail, txn.counterparty, txn.direction) == ("6314", "CANTEEN ONE", "debit")
    # With the balance it leaves, the wallet it was spent from is the instrument, digits or not.
    txn = read(card + " Avl bal Rs.2,342.81", wallet)
    assert (txn.account_tail, txn.instrument, txn.kind) == ("6314", "wallet", "wallet_spend")


def test_a_foreign_currency_spend_through_the_generic_layer_keeps_its_currency() -> None:
    txn = read(
        "USD 12.00 spent on ZXY Card XX1234 on 03-02-2026 at GITHUB.COM. Avl Lmt: INR 900.00"
    )
    assert (txn.amount, txn.currency, txn.counterparty, txn.balance) == (
        Decimal("12.00"),
        "USD",
        "GITHUB.COM",
        Decimal("900.00"),
    )


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (
            "Rs 640.00 spent on your Card XX4402 at CROMA RETAIL on 03-02-26. Convert to EMI? "
            "Call us",
            "purchase",
        ),
        (
            "Sent Rs.120.00 from AC X2231 to meera.n@okaxis on 03-02-26. UPI Ref 612300006666",
            "transfer",
        ),
        (
            "Rs 1,200.00 debited from A/c XX5512 towards EMI of LENDCO on 03-02-26. Ref "
            "612300002020",
            "bill",
        ),
        ("Refund of INR 300.00 from BATA has been credited to your ZXY Card XX8805.", "refund"),
        (
            "INR 25.00 cashback credited to your A/c XX5512 on 03-02-26. Ref 612300002121",
            "cashback",
        ),
        (
            "Rs 5.00 credited to your A/c XX2288 towards interest on 31-12-25. Avl Bal Rs 9.00",
            "interest",
        ),
        (
            "INR 50,000.00 credited to A/c XX7817 on 03/02/2026 by NOVA LABS, INFO: SALARY "
            "Feb2026.",
            "salary",
        ),
        (
            "Rs 2,000.00 deposited in cash to your A/c XX7817 on 03/02/2026. Avl Bal Rs 9,000.00",
            "cash_deposit",
        ),
        ("Rs. 3000 withdrawn from ATM at MG ROAD on 03/02/2026 from A/c XX7817.", "atm_withdrawal"),
        ("Your ZXY Bank a/c XX6620 is debited with Rs.23.60 for Sms Alert Charges.", "fee"),
    ],
)
def test_each_kind_is_read_from_the_alert(body: str, kind: str) -> None:
    assert read(body).kind == kind


def test_a_lowered_pattern_keeps_escapes_and_named_groups() -> None:
    regex = lowered(r"(?P<Name>[A-Z]+)\S\D(?P=Name)")
    assert regex.pattern == r"(?P<name>[a-z]+)\S\D(?P=name)"
    assert regex.search("abc!xabc") is not None


def test_a_built_in_format_reads_the_name_and_reference_with_their_capitals() -> None:
    from assets.transactions.parsing.format import apply

    form = fmt(
        "t",
        r"Paid Rs\.(?P<amount>\d+) to (?P<counterparty>[A-Za-z ]+?) ref (?P<reference>\w+)\.",
        "debit",
        "upi",
    )
    body = "Paid Rs.10 to Nikhil Rao ref AbC123x."
    from_low = apply(form, body, "ZXY", body.lower())
    assert from_low is not None
    assert (from_low.counterparty, from_low.reference) == ("Nikhil Rao", "AbC123x")
    without_low = apply(form, body, "ZXY")
    assert without_low is not None and without_low[:11] == from_low[:11]  # all but the kind
    assert (without_low.kind, from_low.kind) == ("transfer", "purchase")


CORPORA = (
    "sms-dev.jsonl",
    "sms-extra.jsonl",
    "sms-heldout.jsonl",
    "sms-researched.jsonl",
    "sms-apps.jsonl",
    "sms-grammar.jsonl",
    "sms-wild.jsonl",
    "sms-wild2.jsonl",
    "sms-wild3.jsonl",
    "sms-wild4.jsonl",
    "sms-wild5.jsonl",
)


def test_without_each_issuers_formats_no_negative_is_taken_and_every_read_amount_is_right() -> None:
    """The leave-one-issuer-out safety properties: 0 false positives, and every transaction the
    rest of the parser finds has the labelled amount, currency and direction."""
    cases = [case for name in CORPORA for case in load(name)]
    assert len(cases) >= 512
    try:
        for case in cases:
            issuer = issuer_for_sender(case["sender"])
            disable_issuer_formats([issuer] if issuer else [])
            txn = parse_message(case["sender"], case["body"]).transaction
            want = case["expected"]
            if want is None:
                assert txn is None, case["id"]
                continue
            if txn is None:
                continue
            got = as_expected(txn)
            assert (got["amount"], got["direction"]) == (want["amount"], want["direction"]), case[
                "id"
            ]
            assert got.get("currency", "INR") == want.get("currency", "INR"), case["id"]
    finally:
        disable_issuer_formats([])


@pytest.mark.parametrize(
    "body",
    [
        "Your request for cheque book of Rs 50 from a/c XX1234 is successful.",
        "Your request for cheque book with charges Rs 50 on A/c XX1234 is processed successfully.",
        "Your transaction of Rs 500 at AMAZON from a/c xx1234 is pending.",
    ],
)
def test_success_wording_makes_a_debit_only_of_a_transaction_or_payment(body: str) -> None:
    assert parse_message(BANK, body).transaction is None


def test_a_payment_received_that_is_processed_successfully_stays_a_credit() -> None:
    body = "Payment of Rs 1317.80 received for your card ending 2844 is processed successfully."
    txn = read(body)
    assert (txn.direction, txn.amount, txn.kind) == (
        "credit",
        Decimal("1317.80"),
        "card_bill_payment",
    )


def _done_in_any_tense():
    """A payment or transaction reported successful, in the present or the past ("BoB Credit
    Card bill payment of Rs. 2,819 was successful!", Kotak811, read by its own format)."""
    cores = (
        ("Payment of {amt} from A/c {tail} to BESCOM {done}. Ref 612345678901", "BESCOM"),
        ("Your payment of {amt} to NETFLIX from A/c {tail} {done} on 05-11-26", "NETFLIX"),
        ("Bill payment of {amt} from A/c {tail} to AIRTEL {done}!", "AIRTEL"),
        ("Transaction of {amt} on your Card {tail} at SWIGGY {done}.", "SWIGGY"),
        ("Your txn of {amt} at ZEPTO from A/c {tail} {done}.", "ZEPTO"),
    )
    tenses = ("is successful", "was successful", "has been successful", "was sucessful")
    index = 0
    for core, name in cores:
        for done in tenses:
            for text, amount in _AMOUNTS:
                body = core.format(amt=text, tail=_TAILS[index % len(_TAILS)], done=done)
                yield _CASES[index % len(_CASES)](body), amount, name
                index += 1


def test_a_payment_reported_successful_in_any_tense_is_a_debit() -> None:
    wrong = []
    for body, amount, name in _done_in_any_tense():
        txn = parse_message(BANK, body).transaction
        if txn is None or (txn.direction, txn.amount, txn.account_tail) != (
            "debit",
            amount,
            "1234",
        ):
            wrong.append((body, txn))
        elif txn.counterparty is None or txn.counterparty.upper() != name:
            wrong.append((body, txn.counterparty))
    assert not wrong, f"{len(wrong)} of 100 misread, e.g. {wrong[:3]}"


@pytest.mark.parametrize(
    "body",
    [
        # Reported successful, but no money moved, or not the owner's.
        "Your request for cheque book of Rs 50 from a/c XX1234 was successful.",
        "Payment of Rs 500 received in your A/c XX1234 from RAVI was successful.",
        "Your transaction of Rs 500 at AMAZON from a/c xx1234 was not successful.",
        "Your payment of Rs 500 from A/c XX1234 to BESCOM was unsuccessful.",
        "Your payment of Rs 500 from A/c XX1234 to BESCOM was not successful.",
    ],
)
def test_success_in_the_past_makes_no_debit_of_a_request_a_receipt_or_a_failure(
    body: str,
) -> None:
    txn = parse_message(BANK, body).transaction
    assert txn is None or txn.direction == "credit", txn


@pytest.mark.parametrize(
    ("sender", "core", "name"),
    [
        (
            "JM-PHONPE-S",
            "Paid {amt} to SWIGGY using PhonePe Wallet. Wallet Balance: Rs.750. Ref: "
            "T2611051234567890",
            "SWIGGY",
        ),
        (
            "AX-AMZNPY-S",
            "Payment of {amt} to Netflix using Amazon Pay balance is successful. Balance Rs 1.00",
            "Netflix",
        ),
        (
            BANK,
            "{amt} sent to RAVI KUMAR using A/c XX1234 on 05-11-26. UPI Ref 612345678901",
            "RAVI KUMAR",
        ),
        (BANK, "You've spent {amt} at ZEPTO using your Card XX1234 on 05-11-26.", "ZEPTO"),
    ],
)
def test_a_payee_ends_before_what_paid_it(sender: str, core: str, name: str) -> None:
    # "to SWIGGY using PhonePe Wallet": the wallet or card paid; it is no part of the name.
    for text, amount in _AMOUNTS:
        txn = parse_message(sender, core.format(amt=text)).transaction
        assert txn is not None
        assert (txn.amount, txn.counterparty) == (amount, name)


# --- issue 21 §5: one generator per shape of the wider grammar ----------------------------
# Each yields the shape in its variants (amount shapes, casing, the account mask, what comes
# around it); every variant must read with the stated amount, currency, direction and payee.

_AMOUNTS = (
    ("Rs.450", Decimal("450")),
    ("Rs 1,23,456.78", Decimal("123456.78")),
    ("INR 2,500.00", Decimal("2500.00")),
    ("₹99.50", Decimal("99.50")),
    ("INR1,450.50", Decimal("1450.50")),
)
_TAILS = ("XX1234", "XXXXXX1234", "*1234", "x1234")
_CASES: tuple = (str, str.upper, str.title)


def _variants(cores: tuple[str, ...]):
    """(body, amount) for every core × amount shape, with a mask and casing in turn."""
    for index, core in enumerate(cores):
        for k, (text, amount) in enumerate(_AMOUNTS):
            body = core.format(amt=text, tail=_TAILS[(index + k) % len(_TAILS)])
            yield _CASES[(index + k) % len(_CASES)](body), amount


def _noun_direction():
    for word, direction in (("CREDIT", "credit"), ("DEBIT", "debit"), ("debit", "debit")):
        cores = (
            f"Your a/c {{tail}} has a {word} of {{amt}} on 03-02-26. Avl Bal Rs 10,000.00",
            f"A {word} transaction of {{amt}} was made on your A/c {{tail}} on 03-02-26.",
            f"Dear Customer, your A/c {{tail}} had a {word} of {{amt}} on 03-02-2026 by transfer.",
            # Only the noun says which way: no "was made", no other money word.
            f"Your A/c {{tail}} had a {word} transaction of {{amt}} on 03-02-26 at AMAZON.",
            f"Your acct SB **1234 has {word} txn via Transfer of amt {{amt}} on 03-02-2026",
        )
        for body, amount in _variants(cores):
            yield body, amount, direction


@pytest.mark.parametrize(("body", "amount", "direction"), list(_noun_direction()))
def test_a_direction_written_as_a_noun(body: str, amount: Decimal, direction: str) -> None:
    txn = read(body)
    assert (txn.amount, txn.direction, txn.account_tail) == (amount, direction, "1234")


def _glued():
    for verb, direction in (("debited", "debit"), ("credited", "credit")):
        cores = (
            f"{{amt}}{verb} from A/c {{tail}} on 03-02-26. UPI Ref 612345678901",
            f"Dear Customer, {{amt}}{verb} to your a/c {{tail}} on 03-02-26 by NEFT.",
            # A later opposite verb does not decide: the glued one comes first.
            f"{{amt}}{verb} A/c {{tail}} and "
            + ("credited" if direction == "debit" else "debited")
            + " to a/c XX9876 (IMPS Ref no 612345678901)",
        )
        for body, amount in _variants(cores):
            yield body, amount, direction


@pytest.mark.parametrize(("body", "amount", "direction"), list(_glued()))
def test_an_amount_glued_to_its_verb(body: str, amount: Decimal, direction: str) -> None:
    txn = read(body)
    assert (txn.amount, txn.direction, txn.account_tail) == (amount, direction, "1234")


def _foreign():
    spends = (
        ("USD 12.99", "USD", Decimal("12.99")),
        ("EUR 1,250.00", "EUR", Decimal("1250.00")),
        ("12.99 USD", "USD", Decimal("12.99")),
        ("AED 75", "AED", Decimal("75")),
        ("4.03 AUD", "AUD", Decimal("4.03")),
    )
    cores = (
        "Your Credit Card {tail} has been charged {spend} at NETFLIX.COM on 03-02-26.",
        "{spend} spent on your Credit Card {tail} at NETFLIX.COM on 03-02-26.",
        "A transaction of {spend} was made on your Card {tail} at NETFLIX.COM on 03-02-26.",
        "The transaction on your Credit Card ending {tail} for {spend} on 03/02/26 11:04 at "
        "NETFLIX.COM is Approved.",
        # The bank's rupee conversion beside it, before or after: the spend keeps its currency.
        "Spent {spend} (INR 1,083.45) on Card {tail} at NETFLIX.COM on 03-02-26.",
        "INR 1,083.45 spent on Card {tail} for {spend} at NETFLIX.COM on 03-02-26.",
        "{spend} spent on Card {tail} at NETFLIX.COM on 03-02-26. Avl Lmt: INR 49,000.00",
        # An exchange rate after it is no amount of the spend.
        "{spend} spent on Card {tail} at NETFLIX.COM on 03-02-26 (1 USD = INR 83.40)",
    )
    for i, core in enumerate(cores):
        for k, (spend, currency, amount) in enumerate(spends):
            tail = ("XX1234", "XXXX1234")[(i + k) % 2]
            yield _CASES[(i + k) % 2](core.format(spend=spend, tail=tail)), currency, amount


def test_an_exchange_rate_is_no_amount_of_the_spend() -> None:
    body = "Spent INR 1,083.45 on Card XX1234 at NETFLIX.COM on 03-02-26 (1 USD = INR 83.40)"
    txn = read(body)
    assert (txn.currency, txn.amount) == ("INR", Decimal("1083.45"))


@pytest.mark.parametrize(("body", "currency", "amount"), list(_foreign()))
def test_a_foreign_currency_spend_keeps_its_own_currency_and_amount(
    body: str, currency: str, amount: Decimal
) -> None:
    txn = read(body)
    assert (txn.currency, txn.amount, txn.direction) == (currency, amount, "debit")
    assert txn.counterparty is not None and txn.counterparty.upper() == "NETFLIX.COM"


def _payer_vpa():
    vpas = ("ravi.k@oksbi", "9876543210@ybl", "shop-1@paytm", "gita_b@okicici")
    cores = (
        "{amt} credited to your A/c {tail} by {vpa} on 03-02-26. UPI Ref 612345678901",
        "{amt} credited to A/c {tail} from {vpa}. UPI Ref 612345678901",
        "Your A/c {tail} is credited with {amt} on 03-02-2026 from {vpa}. UPI Ref. no. "
        "612345678901",
        "Dear Customer, {amt} received in A/c {tail} from VPA {vpa} on 03-02-26 (UPI Ref "
        "612345678901)",
    )
    for i, core in enumerate(cores):
        for k, (amt, amount) in enumerate(_AMOUNTS):
            vpa = vpas[(i + k) % len(vpas)]
            yield core.format(amt=amt, tail=_TAILS[k % len(_TAILS)], vpa=vpa), amount, vpa


@pytest.mark.parametrize(("body", "amount", "vpa"), list(_payer_vpa()))
def test_a_credit_names_the_payers_upi_address(body: str, amount: Decimal, vpa: str) -> None:
    txn = read(body)
    assert (txn.amount, txn.direction, txn.counterparty, txn.channel) == (
        amount,
        "credit",
        vpa,
        "upi",
    )


def _transferred():
    cores = (
        (
            "{amt} transferred from A/c {tail} to RAVI KUMAR on 03-02-26 via IMPS. Ref "
            "612345678901",
            "debit",
            "RAVI KUMAR",
            "imps",
        ),
        (
            "{amt} transferred via NEFT from your A/c {tail} to ASHA K on 03-02-26. UTR "
            "SBIN126034000001",
            "debit",
            "ASHA K",
            "neft",
        ),
        (
            "Your A/c {tail} is debited for {amt} transferred to MEHTA TRADERS (IMPS Ref no "
            "612345678901)",
            "debit",
            "MEHTA TRADERS",
            "imps",
        ),
        (
            "{amt} transferred to your A/c {tail} from NITIN RAO via IMPS on 03-02-26. Ref "
            "612345678901",
            "credit",
            "NITIN RAO",
            "imps",
        ),
    )
    for i, (core, direction, name, channel) in enumerate(cores):
        for k, (amt, amount) in enumerate(_AMOUNTS):
            body = core.format(amt=amt, tail=_TAILS[(i + k) % len(_TAILS)])
            yield body, amount, direction, name, channel


@pytest.mark.parametrize(("body", "amount", "direction", "name", "channel"), list(_transferred()))
def test_a_transfer_worded_transferred_to_a_name(
    body: str, amount: Decimal, direction: str, name: str, channel: str
) -> None:
    txn = read(body)
    assert (txn.amount, txn.direction, txn.counterparty, txn.channel) == (
        amount,
        direction,
        name,
        channel,
    )


def _labelled_bare():
    """A figure printed with no currency after its label, in the direction's own clause."""
    labels = ("amt {n}", "Amt. {n}", "AMT:{n}", "amount {n}", "Amount: {n}", "amt  {n}")
    figures = (
        ("84.00", Decimal("84.00")),
        ("1,23,456.78", Decimal("123456.78")),
        ("2500.5", Decimal("2500.5")),
    )
    cores = (
        (
            "Your acct SB {tail} has Credit txn via Transfer of {amt} with remark INT PD and avl "
            "bal is 5777.80 on 28-06-2026 - ZXY",
            "credit",
        ),
        (
            "Your acct SB {tail} has Debit txn via UPI of {amt} to RAVI KUMAR and avl bal is "
            "Rs 5,527.80 on 28-06-2026 - ZXY",
            "debit",
        ),
        ("A/c {tail} debited for {amt} on 05-11-26 towards UPI/RAVI. Avl bal Rs 4500.00", "debit"),
        ("A/c {tail} credited with {amt} on 05-11-26 by NEFT. Bal:INR 4,500.00", "credit"),
        (
            "Dear Customer, your A/c {tail} is debited for {amt} on 05-11-26. Avl Bal 1200.00",
            "debit",
        ),
        ("Your a/c {tail} is credited for {amt} on 05-11-26 (UPI Ref 612345678901)", "credit"),
    )
    tails = ("XX1234", "**1234", "*1234")
    index = 0
    for core, direction in cores:
        for label in labels:
            for text, amount in figures:
                body = core.format(amt=label.format(n=text), tail=tails[index % len(tails)])
                yield _CASES[index % len(_CASES)](body), amount, direction
                index += 1


@pytest.mark.parametrize("sender", [BANK, "JD-SPBALT-S"])
def test_an_amount_printed_bare_after_its_label_in_the_directions_clause(sender: str) -> None:
    # "Your acct SB **5129 has Credit txn via Transfer of amt 84.00 … and avl bal is 5777.80":
    # before, the balance was the only amount seen and the alert was set aside as a balance.
    wrong = []
    for body, amount, direction in _labelled_bare():
        txn = parse_message(sender, body).transaction
        if txn is None or (txn.amount, txn.direction, txn.account_tail) != (
            amount,
            direction,
            "1234",
        ):
            wrong.append((body, txn))
    assert not wrong, f"{len(wrong)} of 108 misread, e.g. {wrong[:2]}"


@pytest.mark.parametrize(
    "body",
    [
        # The figure outside the direction's clause: an offer, a total, a due amount.
        "Spend amt 5,000.00 more on card XX1234 to earn cashback of Rs 500",
        "Total amt due 5,000.00 on your Card XX1234. Debit by auto-pay on 05-11-26.",
        "Avl bal amt 5,000.00 in A/c XX1234 as on 05-11-26. Credit limit amt 50,000.00",
    ],
)
def test_a_bare_figure_outside_the_directions_clause_is_not_read(body: str) -> None:
    assert parse_message(BANK, body).transaction is None


def test_an_unread_alert_with_a_direction_noun_is_unrecognized_not_a_balance() -> None:
    # No account digits: the generic layer cannot read it, and `sms unrecognized` must list it.
    body = "Your acct has Credit txn via Transfer of amt 84.00 and avl bal is 5777.80 - ZXY"
    assert parse_message(BANK, body).reason == "unrecognized"


def _terse():
    withdrawals = ("ATM CSH WDL", "NFS WDL ATM 1234", "CASH WDL", "CSH WDL")
    for i, label in enumerate(withdrawals):
        for k, (amt, amount) in enumerate(_AMOUNTS):
            tail = _TAILS[(i + k) % len(_TAILS)]
            body = f"A/c {tail} Dr {amt}; {label}; 03-02-26; Bal Rs 5,000.00"
            yield body, amount, "debit", None, "atm", Decimal("5000.00")
    credits = (
        (
            "A/C No {tail} Credited with {amt}--NEFT/AXPS260760061182/ABC SCHOOL (CLR BAL "
            "1800.63CR)(19-03-2026 6:51:51) ZXY Bank",
            "ABC SCHOOL",
            "neft",
            Decimal("1800.63"),
        ),
        (
            "A/c No {tail} Credited with {amt}--UPI/CR/121888264417/NITIN/HDFC/99945855931182/U "
            "(CLR BAL 30987.99CR)(13-04-2026 17:22:34)-ZXY Bank",
            "NITIN",
            "upi",
            Decimal("30987.99"),
        ),
        (
            "Savings No {tail} credited with {amt} towards BY NEFT TRF:ANIL MEHTA XXXXXXXX2291: "
            "on 01-SEP-2025. Avl Bal 120.00",
            "ANIL MEHTA",
            "neft",
            Decimal("120.00"),
        ),
        (
            "Dear Customer, Your A/c {tail} is\n\ncredited with {amt} Info: IMPS/\n\nFDRL/"
            "528005826604/EPIFI ACCOUN. Final\n\nbalance is Rs.793.02-ZXY Bank",
            "EPIFI ACCOUN",
            "imps",
            Decimal("793.02"),
        ),
    )
    for i, (core, name, channel, balance) in enumerate(credits):
        for k, (amt, amount) in enumerate(_AMOUNTS):
            body = core.format(amt=amt, tail=_TAILS[(i + k) % len(_TAILS)])
            yield body, amount, "credit", name, channel, balance


@pytest.mark.parametrize(
    ("body", "amount", "direction", "name", "channel", "balance"), list(_terse())
)
def test_terse_public_sector_formats(
    body: str,
    amount: Decimal,
    direction: str,
    name: str | None,
    channel: str,
    balance: Decimal,
) -> None:
    txn = read(body)
    assert (txn.amount, txn.direction, txn.counterparty, txn.channel, txn.balance) == (
        amount,
        direction,
        name,
        channel,
        balance,
    )
    assert txn.kind == ("atm_withdrawal" if channel == "atm" else "transfer")


def _card_over_upi():
    cores = (
        (
            "{amt} spent on your Credit Card {tail} via UPI at SWIGGY on 03-02-26. UPI Ref "
            "612345678901. Avl Lmt INR 50,000.00",
            "SWIGGY",
        ),
        (
            "{amt} debited from your RuPay Credit Card {tail} for UPI txn to swiggy@icici on "
            "03-02-26 RRN 612345678901",
            "swiggy@icici",
        ),
        (
            "ZXY Bank Credit Card {tail} debited with {amt} at Flipkart on 13-09-2026 19:43 "
            "through UPI: 662214591836",
            "Flipkart",
        ),
    )
    for i, (core, name) in enumerate(cores):
        for k, (amt, amount) in enumerate(_AMOUNTS):
            yield core.format(amt=amt, tail=_TAILS[(i + k) % len(_TAILS)]), amount, name


@pytest.mark.parametrize(("body", "amount", "name"), list(_card_over_upi()))
def test_a_credit_card_spend_over_upi_is_a_purchase_on_the_card(
    body: str, amount: Decimal, name: str
) -> None:
    txn = read(body)
    assert (txn.amount, txn.direction, txn.counterparty) == (amount, "debit", name)
    assert (txn.instrument, txn.channel, txn.kind) == ("credit_card", "upi", "purchase")


@pytest.mark.parametrize(
    ("sender", "bank"),
    [("AD-AIRBNK-S", "AIRTELPB"), ("VM-NSDLPB-S", "NSDLPB"), ("JM-JIOPBS-T", "JIOPB")],
)
def test_a_payments_banks_alert_is_read_and_named(sender: str, bank: str) -> None:
    body = "Rs.500.00 debited from A/c XX1234 on 03-02-26 to shop@ybl. UPI Ref 612345678901"
    txn = read(body, sender)
    assert (txn.bank, txn.amount, txn.counterparty, txn.reference) == (
        bank,
        Decimal("500.00"),
        "shop@ybl",
        "612345678901",
    )


@pytest.mark.parametrize("code", FOREIGN)
def test_a_foreign_spend_after_its_rupee_conversion_is_read_in_its_own_currency(
    code: str,
) -> None:
    # The rupee figure comes first; each ISO code is looked for in the body as printed.
    body = f"INR 1,083.45 spent on ZXY Card XX5271 at MOL*SHOP for {code} 12.99 on 03-02-26."
    txn = read(body)
    assert (txn.amount, txn.currency) == (Decimal("12.99"), code)


@pytest.mark.parametrize(
    ("body", "amount"),
    [
        ("350.00 INR debited from A/c XX1234 on 03-02-26 to KIRAN STORES.", "350.00"),
        ("1,250.50 Rs credited to your A/c XX1234 on 03-02-26 by NEFT.", "1250.50"),
        ("A/c XX1234 debited 75.25 INR on 03-02-26 at TEA HOUSE.", "75.25"),
    ],
)
def test_a_rupee_amount_printed_after_its_number_is_read(body: str, amount: str) -> None:
    txn = read(body)
    assert (txn.amount, txn.currency) == (Decimal(amount), "INR")


def test_a_rupee_amount_after_its_number_that_ends_the_text_is_not_read() -> None:
    # The alert may have been cut inside it ("… 75.25 INR" of "… 75.25 INR on 03-02-26 …").
    assert parse_message(BANK, "A/c XX1234 debited 75.25 INR").transaction is None
    assert read("A/c XX1234 debited 75.25 INR on 03-02-26.").amount == Decimal("75.25")


@pytest.mark.parametrize(
    ("body", "direction", "amount"),
    [
        # The first verb decides; a glued one after it ("Rs.450debited") does not.
        (
            "Rs 500.00 credited to A/c XX1234 on 03-02-26 (reversal of Rs.450debited on 01-02-26).",
            "credit",
            "500.00",
        ),
        # A one-digit amount glued to its verb.
        ("Rs.5debited from A/c XX1234 on 03-02-26 Ref 612300001234", "debit", "5"),
        # Two glued verbs: the first in the body decides.
        (
            "Rs.450credited to A/c XX1234 on 03-02-26. Rs.20debited towards fees on 01-02-26.",
            "credit",
            "450",
        ),
    ],
)
def test_a_verb_glued_to_its_amount_decides_only_where_it_comes_first(
    body: str, direction: str, amount: str
) -> None:
    txn = read(body)
    assert (txn.direction, txn.amount) == (direction, Decimal(amount))


def test_amounts_the_rupees_after_them_and_codes_glued_to_them() -> None:
    # A rupee amount after its number, then only punctuation: the alert may be cut there.
    assert parse_message(BANK, "A/c XX1234 debited 75.25 INR.").transaction is None
    assert parse_message(BANK, "A/c XX1234 debited 0.00 INR on 03-02-26.").transaction is None
    # A foreign code glued to its amount is read in that currency, in capitals.
    txn = read("USD12.99 spent on ZXY Card XX5271 at NETFLIX.COM on 03-02-26.")
    assert (txn.amount, txn.currency) == (Decimal("12.99"), "USD")


@pytest.mark.parametrize(
    ("body", "amount", "tail"),
    [
        # The amount right before the verb, the account right after it.
        (
            "Your FD of Rs 1,00,000 has matured and Rs 1,07,000 credited to a/c XX1234",
            "107000",
            "1234",
        ),
        (
            "FD XX5678 of Rs 50,000 matured. Rs 53,120.00 has been credited to your A/c 1234",
            "53120.00",
            "1234",
        ),
        # The first amount and account when the verb follows them ("Rs 500 debited …").
        ("Rs 500.00 debited from A/c XX1234 to RAVI. Avl Bal Rs 4,500.00", "500.00", "1234"),
        ("A/c XX1234 debited for Rs 500.00; credited to A/c XX9876", "500.00", "1234"),
        # A charge the verb names beside the movement: the movement's amount.
        ("IMPS of Rs 5,000 to RAVI, charges Rs 5 debited from A/c XX1234", "5000", "1234"),
        ("Amt Rs 500.00, fee of Rs 10.00 debited from A/c XX1234", "500.00", "1234"),
        ("Txn Rs 500.00 GST: Rs 90.00 debited from A/c XX1234", "500.00", "1234"),
    ],
)
def test_the_generic_layer_reads_the_amount_and_account_the_verb_names(
    body: str, amount: str, tail: str
) -> None:
    # The generic layer itself, not the generic formats behind it (which read some of these too).
    txn = generic_parse(body, "ACME")
    assert txn is not None
    assert (str(txn.amount), txn.account_tail) == (amount, tail)
