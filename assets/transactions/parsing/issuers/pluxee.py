"""Pluxee (formerly Sodexo) meal cards: spends from the card's prepaid meal wallet."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, TIME, fmt

ISSUER = "PLUXEE"
HEADERS = ("PLUXEE",)

FORMATS = (
    fmt(
        "meal-spend",
        rf"{CUR}{AMT} spent from Pluxee\s+Meal (?:Card )?wallet, card no\.?\s?{TAIL} on {DATE}"
        rf"{TIME} at (?P<counterparty>.+?)\s*\.\s*Avl bal:? ?{CUR}{BAL}",
        "debit",
        "card",
        "wallet",
        keyword="spent from pluxee",
    ),
)
