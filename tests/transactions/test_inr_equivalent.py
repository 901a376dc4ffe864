"""The rupee figure a bank states beside a foreign-currency spend (inr_equivalent.stated_inr).

Made-up bodies of the shapes banks use: the figure before or after the foreign amount, in each
rupee mark, labelled or not, next to the lines that must never be taken for it (an exchange
rate, the available balance or limit, a fee or markup).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from assets.transactions.parsing import parse_message
from assets.transactions.parsing.inr_equivalent import stated_inr

FIGURE = Decimal("1083.45")
# The rupee figure as banks print it.
RUPEES = ("INR 1,083.45", "INR1083.45", "Rs. 1,083.45", "Rs.1083.45", "₹1,083.45", "1,083.45 INR")
SPENDS = ("USD 12.99", "12.99 USD")
# Where the figure stands: {rupees} and {spend} filled from the lists above.
SHAPES = (
    "{rupees} spent on your Credit Card XX1234 for {spend} at NETFLIX.COM on 03-02-26.",
    "Spent {spend} ({rupees}) on Card XX1234 at NETFLIX.COM on 03-02-26.",
    "Spent {spend} (approx. {rupees}) on Card XX1234 at NETFLIX.COM on 03-02-26.",
    "{spend} spent on Card XX1234 at NETFLIX.COM on 03-02-26. Amount in INR: {rupees}",
    "Transaction of {spend} on your Card XX1234 at NETFLIX.COM is successful, equivalent to "
    "{rupees}.",
    "Your Card XX1234 has been charged {spend} ({rupees} approx) at NETFLIX.COM on 03-02-26.",
)
# Lines beside the figure that are other rupee amounts; the figure must still be found.
SUFFIXES = (
    "",
    " Avl Lmt: INR 49,000.00",
    " Available Limit Rs.1,23,456.78.",
    " (1 USD = INR 83.40)",
    " Exchange rate: 1 USD = 83.40 INR.",
    " Forex markup fee of 3.5% i.e. INR 37.92 will be charged separately.",
    " Cross currency fee Rs 37.92 + GST applicable.",
    " Total outstanding Rs 12,000.00.",
    " Rate applied INR 83.40/USD.",
)


def _bodies():
    for shape, rupees, spend, suffix in itertools.product(SHAPES, RUPEES, SPENDS, SUFFIXES):
        yield pytest.param(
            shape.format(rupees=rupees, spend=spend) + suffix,
            id=f"{SHAPES.index(shape)}-{rupees}-{spend}-{SUFFIXES.index(suffix)}",
        )


@pytest.mark.parametrize("body", list(_bodies()))
def test_the_stated_figure_is_found_wherever_it_stands(body: str) -> None:
    assert stated_inr(body) == FIGURE


@pytest.mark.parametrize(
    "body",
    [
        "Transaction of EUR 500.00 on your Credit Card XX1234 at HOTEL ROMA is approved. "
        "INR equivalent 45,123.00",
        "Transaction of EUR 500.00 on your Credit Card XX1234 at HOTEL ROMA is approved. "
        "INR equivalent: Rs 45,123.00. Avl Lmt INR 1,00,000.00",
        "EUR 500.00 spent on Card XX1234 at HOTEL ROMA. INR Amount: 45,123.00",
        "EUR 500.00 spent on Card XX1234 at HOTEL ROMA (≈ ₹45,123)",
        "EUR 500.00 spent on Card XX1234 at HOTEL ROMA, approx INR 45,123.00/-",
    ],
)
def test_an_equivalent_labelled_as_such(body: str) -> None:
    assert stated_inr(body) in (Decimal("45123.00"), Decimal("45123"))


@pytest.mark.parametrize(
    "body",
    [
        # No rupee figure at all.
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM on 03-02-26.",
        # Only an exchange rate.
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM on 03-02-26 (1 USD = INR 83.40)",
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM @ INR 83.40 per USD",
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM. Conversion rate INR 83.40",
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM, INR 83.40/USD applied",
        # Only the balance or limit.
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM. Avl Lmt: INR 49,000.00",
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM. Available balance Rs.12,345.60",
        "USD 12.99 debited from A/c XX1234 at NETFLIX.COM. Bal INR 5,000.00",
        # Only a fee or markup.
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM. Markup fee INR 37.92 + GST.",
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM. Forex charges of Rs 37.92 apply.",
        # Two unlabelled rupee figures: which one is the spend is a guess, so none.
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM. INR 1,083.45 and INR 1,121.37.",
    ],
)
def test_no_figure_that_is_not_the_spend_s(body: str) -> None:
    assert stated_inr(body) is None


def test_the_same_figure_twice_is_one_figure() -> None:
    body = "INR 1,083.45 spent on Card XX1234 for USD 12.99 (INR 1,083.45) at NETFLIX.COM"
    assert stated_inr(body) == FIGURE


def test_the_parser_keeps_the_foreign_amount_and_the_figure_is_read_beside_it() -> None:
    # The spend stays in its own currency (the parser); the figure comes from the same body.
    body = "INR 1,083.45 spent on your Credit Card XX1234 for USD 12.99 at NETFLIX.COM on 03-02-26"
    txn = parse_message("VM-HDFCBK-S", body).transaction
    assert txn is not None and (txn.currency, txn.amount) == ("USD", Decimal("12.99"))
    assert stated_inr(body) == FIGURE


@pytest.mark.parametrize(
    "prefix",
    [
        "Avl Lmt INR 49,000.00.",
        "Forex markup fee INR 37.92 applies.",
        "Rate: 1 USD = INR 83.40.",
        "Limit Rs 0.00 blocked.",  # a zero figure is no amount at all
    ],
)
def test_a_figure_refused_before_the_spend_does_not_hide_the_one_after_it(prefix: str) -> None:
    """Each candidate is judged on its own: a balance, fee, rate or zero figure printed first is
    skipped and the spend's figure after it is still found."""
    body = f"{prefix} Spent USD 12.99 (INR 1,083.45) on Card XX1234 at NETFLIX.COM on 03-02-26."
    assert stated_inr(body) == FIGURE


@pytest.mark.parametrize(
    "body",
    [
        # the label in the words just before the figure
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM, equivalent INR 1,083.45; billed Rs 1,100",
        # the label just after it
        "Spent USD 12.99 on Card XX1234 at NETFLIX.COM: INR 1,083.45 approx. Billed Rs 1,100",
    ],
)
def test_a_labelled_figure_wins_over_an_unlabelled_one(body: str) -> None:
    assert stated_inr(body) == FIGURE
