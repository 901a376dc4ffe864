"""Kotak Mahindra Bank: accounts, UPI, debit and credit cards."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, END, TAIL, fmt

ISSUER = "KOTAK"
HEADERS = ("KOTAKB", "KMBLTD", "KOTAKD")  # KOTAKD: Kotak811, the digital account

FORMATS = (
    fmt(
        "upi-sent",
        rf"Sent {CUR}{AMT} from (?:Kotak Bank AC )?{TAIL} to (?P<counterparty>.+?) on {DATE}\.?"
        r"\s*UPI Ref(?: no\.?)? ?(?P<reference>\d+)",
        "debit",
        "upi",
        keyword="sent",
    ),
    fmt(
        "upi-received",
        rf"Received {CUR}{AMT} in your Kotak Bank AC {TAIL} from (?P<counterparty>.+?) on "
        rf"{DATE}\.?\s*UPI Ref(?: no\.?)? ?(?P<reference>\d+)",
        "credit",
        "upi",
        keyword="received",
    ),
    fmt(
        "upi-received-811",  # Kotak811 names the payer before the account
        rf"Received {CUR}{AMT} from (?P<counterparty>.+?) in your Kotak811 a/c {TAIL} on {DATE}\.?"
        r"\s*UPI ref(?: no\.?)? ?(?P<reference>\d+)",
        "credit",
        "upi",
        keyword="kotak811 a/c",
    ),
    fmt(
        "imps-received",
        rf"Received {CUR}{AMT} on {DATE} in your Kotak Bank A/C {TAIL} by an A/C linked to "
        r"mobile \w+\.?\s*(?P<channel>IMPS|NEFT|UPI) Ref(?: no\.?)? ?(?P<reference>\w+)",
        "credit",
        None,
        keyword="linked to mobile",
    ),
    fmt(
        "dc-spend",
        rf"{CUR}{AMT} spent via Kotak Debit Card {TAIL} at (?P<counterparty>.+?) on {DATE}\.?"
        rf"(?:\s*Avl bal:? {CUR}{BAL})?",
        "debit",
        "card",
        "debit_card",
        keyword="kotak debit card",
    ),
    fmt(
        "cc-spend",
        rf"{CUR}{AMT} spent on Kotak Credit Card {TAIL} on {DATE} at (?P<counterparty>.+?)\.{END}"
        rf"(?:\s*Avl limit:? {CUR}{BAL})?",
        "debit",
        "card",
        "credit_card",
        keyword="kotak credit card",
    ),
    fmt(
        "cashback",
        rf"Cashback of {CUR}{AMT} has been (?:sent|credited) to your Kotak Bank A/c {TAIL}\.?"
        rf"(?:\s*Credited on {DATE}\.?)?\s*UPI Ref:? (?P<reference>\d+)",
        "credit",
        "upi",
        keyword="cashback",
    ),
    fmt(
        "card-bill-paid",  # Kotak811 paying another bank's card: "BoB Credit Card bill payment"
        rf"(?P<counterparty>\w[\w ]{{0,30}}? Credit Card) bill payment of {CUR}{AMT} "
        r"was successful",
        "debit",
        "other",
        keyword="bill payment of",
    ),
)
