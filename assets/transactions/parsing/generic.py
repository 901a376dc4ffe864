"""The generic layer: reads an alert no issuer format knows from the grammar Indian alerts share.

Tried after the issuer's formats and before the generic formats, and for banks without formats.
It takes a message only when it shows an amount with its currency, a past-tense money verb and
either the owner's account/card tail or a reference (only the tail from a sender that does not
look like a bank), and it names a counterparty only where the text marks one unambiguously (a
VPA, the name inside a UPI/NEFT/IMPS/ACH reference, "at X on", "to X"/"from X" before a
terminator, see _PAYEE). Anything less stays unrecognized: a miss is better than a wrong
transaction.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assets.common.regex_prefix import compiled
from assets.transactions.model import Channel, Direction, Instrument, Transaction
from assets.transactions.parsing import fields
from assets.transactions.parsing.format import lowered
from assets.transactions.parsing.kinds import kind_of, wallet_kind

_I = re.IGNORECASE
# "successful" as alerts spell it ("sucessful", "succesful" too).
_SUCCESSFUL = r"suc+es+ful"
# ISO codes seen on foreign-currency card alerts; "Rs"/"INR"/"₹" are rupees.
FOREIGN = ("USD", "EUR", "GBP", "AED", "SGD", "AUD", "CAD", "JPY", "CHF", "THB", "MYR", "HKD")
# A figure's label in the direction's own clause ("Credit txn via Transfer of amt ", "debited
# for Amt: "): the bare figure after it is the amount moved (here and in negatives).
LABEL_IN_THE_DIRECTIONS_CLAUSE = (
    r"(?:debit|credit)(?:ed)?\b[^.;!?\n]{0,40}?\b(?:amt|amount)\b\.?\s*:?\s*"
)
# The amount, verb, tail and balance are searched in the lower-cased body with lower-case
# patterns: re's IGNORECASE matching costs more, and the lower-cased body is at hand anyway.
# The currency may touch its number ("INR12,345.67", "₹500") or stand apart from it ("₹ 310",
# "INR .50": paise without rupees).
_MONEY = re.compile(
    r"(?:(?P<cur>(?:rs|inr|" + "|".join(FOREIGN).lower() + r")(?:\b|(?=\d))|₹)"
    r"\.?\s*:?\s*(?:inr\s*)?"
    r"(?P<amount>\d+(?:,\d{2,3})*(?:\.\d+|(?!\d|,\d|\.\d))|\.\d{1,2}(?!\d|,\d))"
    # Terse formats print the figure bare after the verb ("credited with 84.00"), or labelled in
    # the direction's own clause ("Credit txn via Transfer of amt 84.00", "debited for Amt:
    # 500.00"): taken only with its paise, so a count or a date is never read as one, and only
    # there, where no offer, limit or total puts a figure.
    r"|\b(?:(?:debited|credited) (?:by|with) "
    r"|" + LABEL_IN_THE_DIRECTIONS_CLAUSE + ")"
    r"(?P<bare>\d+(?:,\d{2,3})*\.\d{1,2})\b)"
)
# "sent … to you", "paid you", "transferred … to your A/c XX1234": someone's money to the owner
# (a credit), unless the owner's own account sent it ("sent from your A/c … to your A/c XX9876")
# or the owner says so ("You have paid Rs 500 to your A/c XX9876 from A/c XX1234").
_TO_OWNER = (
    r"\s(?:(?!\bfrom\s+your\b)[\s\S]){0,30}?\bto\s+you(?:\b|r\s+(?:a/?c|acc|acct|account)\b)"
    r"|\s+you\b(?!r)"
)


def _debit_unless_to_the_owner(word: str, also: str = "") -> str:
    """`word` (then `also`) as a debit, unless what follows gives the money to the owner (see
    _TO_OWNER). Each look-behind comes after the word, so it is tried only where the word is."""
    said_by_owner = "|".join(
        f"(?<=\\b{re.escape(spaced)}{word})"
        for subject in ("you", "you have", "you've", "you just")
        for spaced in _spacings(subject + " ")
    )
    return rf"{word}\b{also}(?:{said_by_owner}|(?!{_TO_OWNER}))"


def _spacings(words: str) -> set[str]:
    """`words` with each space one or two spaces (a look-behind has a fixed width)."""
    out = {""}
    for part in words.split(" ")[:-1]:
        out = {done + part + gap for done in out for gap in (" ", "  ")}
    return out


# An amount as printed, for a look-ahead ("Rs 1,23,456.78", "INR .50", "₹ 310", "Rs:2,500.00").
_AMOUNT_TEXT = r"(?:rs|inr|₹)[.:]?\s*(?:inr\.?\s*)?(?:\d[\d,]*(?:\.\d+)?|\.\d+)"
# "UPI Credit:INR 500", "UPI debit:Rs.99" is a direction labelled with a colon; after one of
# these it is a limit or a period's total ("Avl Credit: Rs 45,000", "Total Debit:"), no verb.
_LIMIT_LABEL = re.compile(r"\b(?:avl|avbl|avail|available|total)\.?\s*$")
# The first past-tense money word decides the direction ("Dr. from A/C … and Cr. to X": debit).
# A direction may be a noun ("has a DEBIT of Rs", "a DEBIT transaction of INR … was made") or
# glued to the amount ("Rs.450debited", see _glued: no word boundary there).
_VERB = re.compile(
    r"\b(?P<debit>debited|spent|"
    + _debit_unless_to_the_owner("sent")
    + "|"
    + _debit_unless_to_the_owner("paid")
    + r"|withdrawn|withdrawal|wdl|"
    r"dr\b\.?|debit (?:of|by|transaction|txn)|debit\s*:|deducted|has been used|used for|for using|"
    r"purchase (?:of|at)|trf to|"
    + _debit_unless_to_the_owner("transferred", r"(?! (?:to|into|in) your\b)")
    + r"|done at|charged\b|"
    r"has received (?=[^\n]{0,40}?\bfrom your\b)|debit (?=rs|inr|₹)|"
    # Money given before, taken back: "Cashback of Rs 50 debited from your A/c", "Interest of
    # Rs 50 reversed from your A/c" (a credit's noun names the amount; the verb moves it).
    r"(?:cashback|refund|reversal|interest)\s+of\s+(?=" + _AMOUNT_TEXT + r"\s+"
    r"(?:(?:has|have)\s+been\s+|is\s+|was\s+|got\s+)?(?:debited|deducted|reversed|recovered)"
    r"\s+from\s+your\b)|reversed(?=\s+from\s+your\b)|"
    # A payment reported done with no verb: "Payment Successful! Rs 500 from A/c XX1234 to NAME"
    r"(?:payment|transaction|txn)\s+successful\b(?=[!.:,]?\s*" + _AMOUNT_TEXT + r"\s+"
    r"from\s+(?:your\s+)?(?:a/?c|acc|acct|account)\b)|"
    # "payment of INR 119 for X … is processed successfully", "Payment of Rs 81.00 using Amazon
    # Pay balance is successful", "transaction of Rs 2 at X … is successful", "The transaction
    # on your card … for USD 16.5 … is Approved", "A transaction of INR 1,250 was made": read at
    # their start, so an earlier "received"/"refund" decides.
    r"payment of (?![^\n]{0,80}?\breceived\b)"
    r"(?=[^\n]{0,120}?\b(?:is|was|has been) (?:processed successfully|" + _SUCCESSFUL + r")\b)|"
    r"(?:transaction|txn) (?:of|on|for)\b"
    r"(?=[^\n]{0,160}?\b(?:(?:is|was|has been) " + _SUCCESSFUL + r"|is approved|was made"
    r"|has been made)\b))"
    r"|\b(?P<credit>credited|received|deposited|cr\b\.?|credit of|ha[sd] a credit|refund|"
    r"credit (?:transaction|txn)|transferred (?:to|into|in) your\b|reversed|reversal|cashback|"
    r"credit\s*:|"
    r"sent|paid|transferred)"
)
_TAIL = re.compile(
    r"\b(?:account|acct|acc|a/?c|card|cc)(?:\b|(?=[x*]))\.?"
    r"(?:\s*(?:no\.?|number|ending(?: with| in)?))?\s*:?\s*"
    # The account's type between the word and its digits ("acct SB **5129", "A/c SB-XX1234").
    r"(?:(?:sb|sba|ca|od)\b[\s-]*)?"
    # A card number printed in masked groups ("4375 XXXX XXXX 1234"): the digits after them.
    r"(?:(?:\d*[\s-]?[x*.]+(?:[\s-][x*.]+)*[\s-]?)(?P<masked>\d{3,})|(?P<plain>\d{3,18})\b)"
    r"|\bending (?:with |in )?(?P<ending>\d{4})\b"
    # "HDFC Bank XX8509", "from XXXXXX3518": masked digits are the owner's account.
    r"|(?<![\w*])[x*]{2,}(?P<bare>\d{3,6})\b"
)
_BALANCE = re.compile(
    r"\b(?:(?:avl|avbl|avail|available|aval|avb|total avail|new|clear|clr)\.?\s*"
    r"(?:bal(?:ance)?|lmt|limit)|bal(?:ance)?|avlb)\b\.?\s*(?:is\s*)?:?\s*"
    r"(?:(?:rs|inr|₹)\.?\s*:?\s*(?P<balance>\d+(?:,\d{2,3})*(?:\.\d+)?)"
    # Terse formats print the figure bare ("CLR BAL 1800.63CR", "Avl Bal 120.00"): taken only
    # with its paise, so a date or a count after "Bal" is never read as one.
    r"|(?P<bare>\d+(?:,\d{2,3})*\.\d{1,2})(?![\d/-]))"
)
# A foreign-currency amount, its ISO code before or after it ("USD 12.99", "12.99 USD").
_CODES = "|".join(FOREIGN).lower()
_FOREIGN = re.compile(
    r"\b(?P<cur>" + _CODES + r")\b\.?\s*(?P<amount>\d+(?:,\d{2,3})*(?:\.\d+)?)"
    r"|(?<![\w.,])(?P<amount2>\d+(?:,\d{2,3})*(?:\.\d+)?)\s?(?P<cur2>" + _CODES + r")\b"
)
# A rupee amount printed after its number ("350.00 INR debited"), read only when no amount
# shows its currency first; with paise, so an account or a date before "INR" is never one.
_RUPEES_AFTER = re.compile(r"(?<![\w.,/-])(?P<amount>\d+(?:,\d{2,3})*\.\d{1,2}) ?(?:inr|rs)\b")
# What follows a reference's label: "Ref No: ABC123456", "txn ID FMPIB5274180096".
_REF_VALUE = r"\s*[:.#-]?\s*(?P<ref>[A-Z]{0,5}\d{6,})"
_REFERENCE_TEXT = (
    # UPI/P2M/<rrn>, UPI/CR/<rrn>, NEFT/AXPS2607…, "IMPS/\n\nFDRL/<rrn>" (a bank code first)
    r"\b(?:UPI|IMPS|NEFT|RTGS)/\s*(?:[A-Z]{3,5}/)?(?:(?:P2[AM]|DR|CR)/)?(?P<upi>[A-Z]{0,6}\d{6,})"
    r"|\bInfo:? (?:NEFT|IMPS|RTGS)[- ](?P<utr>[A-Z0-9]{8,})-"
    r"|\b(?:(?:UPI|IMPS|NEFT)\s*)?(?:Ref(?:erence)?\.?\s*(?:No\.?|number)?|Refno|RRN|UTR)"
    + _REF_VALUE
    + r"|\bUPI\s*:\s*(?P<upi2>\d{9,})"
)
_REFERENCE = re.compile(_REFERENCE_TEXT, _I)
_REFERENCE_LOW = lowered(_REFERENCE_TEXT)
# A wallet's or app's own reference ("with txn ID FMPIB5274180096"): it shows a wallet's
# movement done (see _own_store), but does not stand for a bank's account digits the way a
# UPI/NEFT reference does: billers' and shops' receipts print "Transaction ID" too.
_TXN_ID = lowered(r"\b(?:txn|transaction) id" + _REF_VALUE)
# format.DATE in two parts searched apart, the leftmost match the same as DATE's (tests pin
# it): its alternatives start with a digit but for the month name's, and re skips ahead only to
# a pattern's first digit when every alternative starts with one. The month-name form ("june
# 14, 2026") is searched only where its ", " is: most bodies have none.
_DATE_DIGITS = re.compile(
    r"\d(?:\d{3}[-:/]\d{2}[-:/]\d{2}|\d?[-/.](?:\d{1,2}|[a-z]{3})[-/.]\d{2,4}|\d?[a-z]{3}\d{2,4})"
)
_DATE_WORDS = re.compile(r"[a-z]{3,9} \d{1,2}, \d{4}")


def first_date(low: str) -> str | None:
    """The first date the lower-cased body prints in any of format.DATE's shapes, or None."""
    digits = _DATE_DIGITS.search(low)
    if ", " in low:
        words = _DATE_WORDS.search(low)
        if words is not None and (digits is None or words.start() < digits.start()):
            return words[0]
    return None if digits is None else digits[0]


_NAME = r"(?P<name>[A-Za-z][\w&.'*@ -]{0,40}?)"
_DMY = r"\d{1,2}[-/]\d{1,2}[-/]\d{2,4}\b"
# Where a counterparty is marked unambiguously, most specific first. Each is a phrase of the
# grammar alerts share (a name between a marker word and a terminator), behind substrings of
# which its match needs one in the lower-cased body: a cheap test that skips most scans.
_PAYEE: tuple[tuple[tuple[str, ...], re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (gates, lowered(p), re.compile(p, _I))
    for gates, p in (
        (
            ("\n",),
            r"\n(?P<name>[A-Z][A-Z0-9 .&*'-]{1,40})\n(?:Avl|Avail|Available) (?:Limit|Lmt|Bal)",
        ),
        (("vpa",), r"\bVPA\s+(?P<name>[\w.-]+@[\w.-]+?)(?=[\s(.,;]|$)"),
        # UPI/P2M/<rrn>/NAME, UPI/DR/<rrn>/NAME/…, NEFT/N0312…/NAME., NEFT/AXPS2607…/NAME (,
        # IMPS/\n\nFDRL/<rrn>/NAME., UPI/ICICI/<rrn>/ NAME on 16-10-25.
        (
            ("/",),
            r"\b(?:UPI|IMPS|NEFT|RTGS)/\s*(?:[A-Z]{3,5}/)?(?:(?:P2[AM]|DR|CR)/)?[A-Z]{0,6}\d{6,}/"
            r"(?P<name>[^/\n(]+?)(?=\s*/|\n|\.\s|\.$|$|\s+\(|\s+on\s+\d)",
        ),
        # "towards BY NEFT TRF:NAME XXXX2291: on": the remitter after a terse transfer label
        (("trf:",), r"\btrf:\s*(?P<name>[A-Za-z][\w&.' -]{0,40}?)\s*(?:[x*]+\d+\s*)?:"),
        # A card alert set out in lines: the merchant on the line after the date and time.
        (
            ("\n",),
            r"\n\d{1,2}[-/]\d{1,2}[-/]\d{2,4},? \d{1,2}:\d{2}(?::\d{2})?(?: IST)?\n"
            r"(?P<name>[A-Z][A-Z0-9 .&*'-]{1,40})(?=\n|$)",
        ),
        # "… at CL TRIP CHARGES is Approved.", "transaction of Rs.188.33 on Amazon is sucessful"
        # (or "was/has been successful")
        (
            (" is approved", " is suc", " was suc", " been suc"),
            # the date between them is not the merchant's ("at NETFLIX.COM on 02-12-2026 is …")
            r"\b(?:at|on)\s+"
            + _NAME
            + r"(?:\s+on\s+\d[\d/.:-]*(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)?"
            + r"(?=\s+(?:is (?:approved|"
            + _SUCCESSFUL
            + r")|(?:was|has been) "
            + _SUCCESSFUL
            + r")\b)",
        ),
        # UTR:<utr>/NEFT/NAME /
        (("/",), r"/(?:UPI|IMPS|NEFT|RTGS)/(?P<name>[A-Za-z][^/\n]*?)\s*/"),
        # NEFT-<utr>-NAME- / NEFT-<utr>-NAME.
        (
            ("neft", "imps", "rtgs"),
            r"\b(?:NEFT|IMPS|RTGS)[- ](?:Cr-)?[A-Z0-9]{8,}-(?P<name>[^-\n]+?)(?=-|\.\s|\.$|$)",
        ),
        (
            ("ach",),
            r"\b(?:NACH|ACH)(?:[- ]?D-|[- ])\s*(?P<name>[A-Z][A-Z0-9 .&]+?)(?=\s+EMI\b|-|\.|$)",
        ),
        (("@",), r"\b(?:to|from|by|towards)(?:\s*:\s*|\s+)(?P<name>[\w.-]+@[a-z][\w]+)\b"),
        # "received from account XXXX4321/NAME (IMPS …", "linked to mobile 9XXXX328-NAME (IMPS"
        (("(",), r"\b(?:account|a/?c|mobile)\s+[x*\d]+[/-](?P<name>[A-Za-z][\w&.' -]{0,40}?)\s*\("),
        # "… on YES BANK Card X3349 @UPI_NAME 24-08-2025", "by card x-1234 @ NAME 25/08/21"
        (("@",), r"(?<!\S)@\s?(?:UPI_)?(?P<name>[A-Za-z][\w&.'* -]{0,40}?)\s+" + _DMY),
        ((" credited",), r"[;,]\s*(?P<name>[A-Za-z][\w&.' -]{0,40}?) credited\b"),
        # "<NAME> has sent INR 50 to you", "<NAME> has received Rs 2900 from your A/c", "<NAME>
        # has paid Rs 500 to your A/c"
        (
            (" has ",),
            r"^(?:[A-Za-z]+,\s*)?(?P<name>[A-Za-z][\w&.' -]{0,40}?) has "
            r"(?:sent|received|paid|transferred)\b",
        ),
        (("on",), r"\b(?:at|by)\s+" + _NAME + r"\s+on\s+(?:\d|date\b|[a-z]{2,9}\b)"),
        (
            ("at",),
            r"\bat\s+"
            + _NAME
            + r"(?=\s*\.(?:\s|$)|\s+(?:with|from|using) your\b|\s+from a/?c\b|\s*\n|\.?$)",
        ),
        # "on SHOPPERS STOP 26-05-2026", "on 16-Feb-26 on PANTALOONS."
        (("on",), r"\bon\s+" + _NAME + r"\s+" + _DMY),
        (("on",), r"\d\s+on\s+" + _NAME + r"(?=\s*\.(?:\s|$))"),
        # "towards ZEE5 for AutoPay", "payment of INR 119.00 for Netflix via e-mandate"
        (("towards",), r"\btowards\s+" + _NAME + r"(?=\s+for\b)"),
        (("via",), r"\bfor\s+" + _NAME + r"(?=\s+via\b)"),
        (
            (),
            # not the cause after "due to" ("… debited due to order cancellation.")
            r"(?<!\bdue )\b(?:to|from|by)(?:\s*:\s*|\s+)(?:sender\s+)?"
            + _NAME
            + r"(?=\s+(?:on|via|ref|refno|upi|"
            r"from|credited|has|have|is|was|thru|through|for|refunded|with|using)\b|\s+in\s+your\b"
            r"|\s*[.(;,]\s|\s*[;,]|\.(?:ref|bal|avl|upi|rrn|utr)\b|\.?$|\s*\(|\s\s|\n)",
        ),
    )
)
# Words that, leading a would-be name, show it is a label, an amount, an account or the bank.
_NOT_A_NAME = re.compile(
    r"(?:your|you\b|you'|a/?c\b|acct|account|card|atm\b|cash\b|the |self|bank|mobile|"
    r"beneficiary|linked|upi\b|imps\b|neft\b|rtgs\b|net ?banking|mob bk|wallet|our\b|"
    r"rs\b|rs\.|rs\d|inr\b|inr\d|report|dispute\b|sender\b|mode\b|transfer\b|[x*]+\d)",
    _I,
)
# Words that, anywhere in a would-be name, show it names an account, a card or a bank.
_ACCOUNT_WORD = re.compile(r"\b(?:a/?c|acct|account|card|cc|bank|atm)\b", _I)
# A lazy name can run over an earlier marker ("from XX3518 to NAME"): the name follows the last.
_MARKER = re.compile(r"\s(?:to|from|at|by)\s", _I)
# A sender header looks like a bank's when it says so (…BK, …BNK, …BANK, …B) or the body does.
_BANK_HEADER = re.compile(r"BK|BNK|BANK|B$|SBI|BOI|IOB|SIB|CITI|CBI")


def _direction_verb(low: str) -> re.Match[str] | None:
    """The first money word that gives the direction (_VERB), passing over a limit's or a
    total's label ("Avl Credit: Rs 45,000", "Total Debit:")."""
    verb = _VERB.search(low)
    while verb is not None and verb[0][-1] == ":" and _LIMIT_LABEL.search(low, 0, verb.start()):
        verb = _VERB.search(low, verb.end())
    return verb


def looks_like_bank(header: str, low_body: str) -> bool:
    """A DLT header without built-in formats is read when its shape or the body names a bank
    or an account ("Equitas A/c 12XX")."""
    return bank_header(header) or "bank" in low_body or "a/c" in low_body


def bank_header(header: str) -> bool:
    """Whether a DLT header has a bank's shape (`…BK`, `…BNK`, `…BANK`, `SBI` …)."""
    return _BANK_HEADER.search(header) is not None


def parse(
    body: str, bank: str, bank_like: bool = True, low: str | None = None
) -> Transaction | None:
    """The transaction `body` reports in the shared alert grammar, or None when unsure.

    `bank_like` is False for a sender whose header and body do not name a bank: its message is
    read only when it shows the owner's account or card digits. `low` is `body.lower()` when
    the caller has it.
    """
    if low is None:
        low = body.lower()
    # The verb first: most messages that reach this layer and are no transaction have none.
    verb = _direction_verb(low)
    glued = _glued(low, len(low) if verb is None else verb.start())
    if verb is None and glued is None:
        return None
    # The verb that gives the direction: the amount before it and the account after it are the
    # movement's (a glued verb, "Rs.450debited", is the amount's own).
    said = verb if glued is None else None
    spend = _amount(
        low,
        body,
        said.start() if said is not None else None,
        credit=said is not None and said["credit"] is not None,
    )
    if spend is None:
        return None
    amount, currency, amount_end = spend
    tail_match = _TAIL.search(low)
    tail = None
    if tail_match is not None:
        tail = fields.account_tail(
            tail_match["masked"]
            or tail_match["plain"]
            or tail_match["ending"]
            or tail_match["bare"]
        )
    # The account the verb names ("… credited to A/c XX1234"), where an earlier number is
    # another's ("Your FD No XX5678 of Rs 50,000 has matured. … credited to A/c XX1234").
    if said is not None and tail_match is not None and tail_match.start() < said.start():
        named = _VERB_ACCOUNT.match(low, said.end())
        if named is not None:
            tail_match, tail = named, fields.account_tail(named[1])
    same_offsets = len(low) == len(body)
    ref_match = _REFERENCE_LOW.search(low) if same_offsets else _REFERENCE.search(body)
    reference = None
    if ref_match is not None:
        group = "upi" if ref_match["upi"] else "utr" if ref_match["utr"] else "ref"
        if group == "ref" and not ref_match["ref"]:
            group = "upi2"
        # The lowered body's offsets are the body's: the reference keeps its capitals.
        reference = body[ref_match.start(group) : ref_match.end(group)]
    channel = _channel(low)
    # An amount and a verb alone is how offers and phishing read; a cash withdrawal at an ATM
    # ("Rs 2000 withdrawn from ATM at …") is the exception: no offer reads that way.
    atm_cash = bank_like and channel == "atm" and "withdrawn" in low
    balance_match = _BALANCE.search(low, amount_end)
    balance = (
        fields.parse_amount(balance_match["balance"] or balance_match["bare"])
        if balance_match
        else None
    )
    direction = glued or ("debit" if verb["debit"] else "credit")  # type: ignore[index]
    if direction == "credit" and glued is None:
        # "… credited to beneficiary RAVI from your A/c XX1234": the owner's debit, of the
        # account named after "from your" (not the beneficiary's, printed first).
        source = _credited_from_owner(low, verb)  # type: ignore[arg-type]
        if source is not None:
            direction = "debit"
            if source["digits"]:
                tail = fields.account_tail(source["digits"])
    if direction == "credit" and tail_match is not None:
        # The only digits are the payer's, after the owner's side named without them ("…
        # credited to your account from A/c XX5678 of RAVI"): not the owner's account, which
        # the alert does not name.
        payer = _FROM_JUST_BEFORE.search(low, max(0, tail_match.start() - 12), tail_match.start())
        if payer is not None and "your" in low[: payer.start()]:
            tail = None
    # The owner's wallet or app card stands for account digits where none are printed, and
    # names the instrument where they are ("spent from Pluxee Meal wallet, card no.xx6620").
    store = None
    if tail is None or "wallet" in low:
        txn_id = _TXN_ID.search(low) if reference is None and " id" in low else None
        done = balance_match is not None or reference is not None or txn_id is not None
        store = _own_store(low, verb, done, direction)
        if store is not None and txn_id is not None:
            reference = body[txn_id.start("ref") : txn_id.end("ref")] if same_offsets else None
        # A bank account named beside the wallet ("credited to your Zor Wallet from HDFC Bank
        # A/c XX1234") is the one that topped it up or that it paid, with its own alert: the
        # wallet has no digits of its own (an app's card number, "card no.xx6620", is its own).
        if store == "wallet" and tail_match is not None and _ACCOUNT_LABEL.match(tail_match[0]):
            tail = None
    if tail is None and (reference is None or not bank_like) and not atm_cash and store is None:
        return None
    date_text = first_date(low)
    date = fields.parse_date(date_text) if date_text else None
    # A name printed after the balance figure is not the payee ("… balance is Rs 4400.0 on
    # FamPay."): alerts name whom the money went to or came from before the balance.
    names_end = balance_match.end() if balance_match is not None else len(low)
    counterparty = None if channel == "atm" else _counterparty(body, low, same_offsets, names_end)
    instrument = store or _instrument(low, tail_match)
    kind = kind_of(low, direction, channel, counterparty is not None)
    bill = card_bill_paid(low) if direction == "debit" and "credit" in low else None
    if bill is not None:
        direction, instrument, tail = bill
        kind = "card_bill_payment"
        counterparty = None  # the card's issuer, or the app that paid it: no payee of a spend
    elif kind == "transfer" and instrument == "credit_card" and direction == "debit":
        kind = "purchase"  # a credit card pays merchants over UPI (RuPay), never a person
    elif instrument == "wallet":
        kind = wallet_kind(kind, direction, counterparty is not None)
    return Transaction(
        amount,
        direction,
        counterparty,
        tail,
        balance,
        reference,
        channel,
        date,
        bank,
        instrument,
        currency,
        kind,
    )


# A wallet's or app's alert names no account digits. What stands for them: the owner's own
# stored value or a card the app issued, in a body that shows the movement done (a reference,
# the balance after it, or "successful"), read by a past-tense verb:
# - the balance it leaves ("Your FamPay a/c balance is", "Wallet balance", "Remaining balance");
# - money into the wallet ("credited to your PayZapp Wallet") for a credit, out of it ("spent
#   from Pluxee Meal wallet", "Payment of Rs 81.00 using Amazon Pay balance is successful")
#   for a debit: a merchant's receipt ("received from your Paytm wallet") says the opposite of
#   the owner's movement and is not read;
# - the app's card ("Your slice credit card transaction of …", a bill paid "towards your ICICI
#   Bank Credit Card").
# A merchant's receipt ("paid using your Paytm wallet"), a biller's ("credited to your Vi
# number"), a broker's ledger ("Ledger Balance") and an offer name none of these.
_OWN_BALANCE = compiled(
    r"\bwallet\s+bal(?:ance)?\b|\bremaining\s+balance\b"
    r"|\byour\s[\w&'\s-]{0,20}?\b(?:a/?c|account)\s+balance\s+is\b"
)
_INTO_WALLET = compiled(r"\b(?:to|in|into)\s+your\s[\w&'\s-]{0,30}?\bwallet\b")
_OUT_OF_WALLET = compiled(
    r"\bfrom\s+(?:your\s+)?[\w&'\s-]{0,30}?\bwallet\b"
    r"|\busing\s+(?:your\s+)?[\w&'\s-]{0,30}?\bbalance\b"
)
_ISSUED_CARD = compiled(
    r"\byour\s[\w&'\s-]{0,30}?\bcred(?:i)?t\s+card\s+transaction\b"
    r"|\btowards\s+your\s[\w&'\s-]{0,30}?\bcredit\s+card\b"
)
_DONE_WORD = compiled(r"\b" + _SUCCESSFUL)
# Verbs that report money moved, and "transaction of"/"payment of" with the success their verb
# pattern looks ahead for; nouns ("refund", "cashback", "credit of") do not: an offer uses them
# for money to come.
_MOVED = frozenset(
    ("debited", "credited", "spent", "paid", "received", "sent", "charged", "deducted",
     "withdrawn", "transferred")
)  # fmt: skip


# "… credited to beneficiary RAVI from your A/c XX1234", "RAVI received Rs 500 from your A/c":
# after a credit verb, within its sentence (a full stop before a digit is the amount's: "Rs.
# 99.00").
_FROM_YOUR_ACCOUNT = re.compile(
    r"(?:[^.;!?\n]|\.\s{0,2}(?=\d)){0,60}?\bfrom\s+your\s+(?:a/?c|acc|acct|account|card)\b"
    r"(?:\.?\s*(?:no\.?\s*)?:?\s*[x*.]*(?P<digits>\d{3,}))?"
)
_TO_YOUR = re.compile(r"\s*(?:to|in|into)\s+your\b")
# A sentence's end; not the dot of "A/c no. XX1234" or "Rs. 500", nor a line break alone.
_SENTENCE_END = re.compile(r"[;!?]|\.(?=\s+(?![\dx*]))|\n\s*\n")


def _credited_from_owner(low: str, verb: re.Match[str]) -> re.Match[str] | None:
    """The owner's account named after a credit verb that tells of someone else's account, paid
    from the owner's: "credited", "received" or "deposited" with "from your A/c" after it in its
    sentence, neither "to your" right after it nor "your" before it in the sentence ("Your A/c
    XX1234 has been credited with Rs 500 from your A/c XX5678" is the owner's credit); else
    None. Its `digits` are that account's, when printed."""
    if verb[0] not in ("credited", "received", "deposited"):
        return None
    end = verb.end()
    if _TO_YOUR.match(low, end):
        return None
    source = _FROM_YOUR_ACCOUNT.match(low, end)
    if source is None:
        return None
    start = 0
    for end_mark in _SENTENCE_END.finditer(low, 0, verb.start()):
        start = end_mark.end()
    return None if "your" in low[start : verb.start()] else source


def paid_from_owner(low: str) -> bool:
    """Whether the body is a receipt of money from the owner's account: "We have received Rs
    5,000 from your A/c XX1234 towards loan A/c XX9876", "Rs 12,000 received from your A/c
    XX1234 towards your policy …". From a sender that is no bank, the receiver's, whose money the
    owner's bank alerts on its own. Not a bank's wordings of a transfer: "NAME (has) received Rs
    500 from your A/c", "Rs 500 credited to beneficiary NAME from your A/c"."""
    verb = _direction_verb(low)
    if verb is None or _credited_from_owner(low, verb) is None:
        return False
    return (
        _FROM_YOUR_NEXT.match(low, verb.end()) is not None
        or _WE_BEFORE.search(low, 0, verb.start()) is not None
    )


_FROM_YOUR_NEXT = re.compile(r"\s+from\s+your\b")
_WE_BEFORE = re.compile(r"\bwe(?:\s+have|'ve)?\s+$")


def _own_store(
    low: str, verb: re.Match[str] | None, shows_done: bool, direction: Direction
) -> Instrument | None:
    """The owner's "wallet" or "credit_card" when the body shows its own stored value or
    app-issued card moved (see _OWN_BALANCE), done and told by a past-tense verb; else None."""
    if verb is None:
        return None
    word = verb[0]
    if word not in _MOVED and not word.startswith(("transaction ", "txn ", "payment of")):
        return None
    if not shows_done and _DONE_WORD.search(low) is None:
        return None
    if _OWN_BALANCE.search(low) is not None:
        return "wallet"
    into = _INTO_WALLET.search(low) is not None
    out = _OUT_OF_WALLET.search(low) is not None
    if into != out and into == (direction == "credit"):
        return "wallet"
    if _ISSUED_CARD.search(low) is not None:
        return "credit_card"
    return None


def _glued(low: str, before: int) -> Direction | None:
    """The direction of a money verb glued to its amount ("Rs.450debited") before `before`.

    Found with str.find (C scans) rather than a look-behind in _VERB, which would be tried at
    every position of every body.
    """
    found: tuple[int, Direction] | None = None
    for word, direction in (("debited", "debit"), ("credited", "credit")):
        i = low.find(word, 1, before)
        while i != -1 and not low[i - 1].isdigit():
            i = low.find(word, i + 1, before)
        if i != -1 and (found is None or i < found[0]):
            found = (i, direction)
    return None if found is None else found[1]


def _amount(
    low: str, body: str, verb_at: int | None = None, credit: bool = False
) -> tuple[Decimal, str, int] | None:
    """(amount, ISO currency, where it ends) of the movement, or None.

    A foreign-currency amount is the spend whatever its place ("INR 1,083.45 spent … for USD
    12.99"): the rupee figure beside it is the bank's conversion, not the amount in the spend's
    own currency. An amount that ends the text is not read: the alert may be cut inside it.
    `credit`: the verb is a credit's, so an amount its noun names is the one credited.
    """
    money = _MONEY.search(low)
    # A balance quoted first ("Avl Bal Rs 1,000.00. Rs 500.00 debited …") is not the movement:
    # the next amount is. Only when there is one (a balance statement is refused before this).
    while money is not None and _BALANCE_LABEL_BEFORE.search(
        low, max(0, money.start() - 24), money.start()
    ):
        following = _MONEY.search(low, money.end())
        if following is None:
            break
        money = following
    # The amount the verb follows ("Your FD of Rs 1,00,000 has matured and Rs 1,07,000 credited",
    # "… Maturity amount of Rs 53,120.00 credited"): the one that moved, when an earlier amount
    # stands apart from the verb.
    if money is not None and verb_at is not None and verb_at > money.end():
        nearest = None
        for later in _MONEY.finditer(low, money.end(), verb_at):
            nearest = later
        if (
            nearest is not None
            and _JUST_BEFORE_VERB.fullmatch(low, nearest.end(), verb_at)
            and not _FEE_LABEL_BEFORE.search(low, max(0, nearest.start() - 24), nearest.start())
        ):
            money = nearest
    # The amount a credit's noun names ("… earned cashback of Rs 100.00, credited", "Interest of
    # Rs 120.50 on your FD of Rs 1,00,000 credited"): the one credited, beside the spend it
    # rewards or the deposit it is earned on. Its words first (str.find), then the pattern.
    if (
        credit
        and money is not None
        and verb_at is not None
        and ("cashback" in low or "refund" in low or "interest" in low or "reversal" in low)
    ):
        # Not after the verb (the noun may be the verb, "cashback of"): after it, a noun itemises
        # the credit ("Rs 2,050 credited (refund of Rs 2,000 and interest of Rs 50)").
        named = _CREDIT_NOUN.search(low)
        if named is not None and named.start() <= verb_at:
            money = _MONEY.match(low, named.end()) or money
    # ISO codes are printed in capitals: a plain scan of the body first (the hot path), then the
    # pattern only when one is there or the first amount already names a foreign currency.
    if (money is not None and money["cur"] in _FOREIGN_LOW) or (
        "USD" in body
        or "EUR" in body
        or "GBP" in body
        or "AED" in body
        or "SGD" in body
        or "AUD" in body
        or "CAD" in body
        or "JPY" in body
        or "CHF" in body
        or "THB" in body
        or "MYR" in body
        or "HKD" in body
    ):
        # An exchange rate ("1 USD = INR 83.40") states no amount of the spend: skipped.
        foreign = next(
            (m for m in _FOREIGN.finditer(low) if not low[m.end() :].lstrip().startswith("=")),
            None,
        )
        if foreign is not None:
            amount = fields.parse_amount(foreign["amount"] or foreign["amount2"])
            if amount is None or not low[foreign.end() :].strip(" ,."):
                return None
            return amount, (foreign["cur"] or foreign["cur2"]).upper(), foreign.end()
    if money is None:
        after = _RUPEES_AFTER.search(low)
        if after is None or not low[after.end() :].strip(" ,."):
            return None
        amount = fields.parse_amount(after["amount"])
        return None if amount is None else (amount, "INR", after.end())
    if not low[money.end() :].strip(" ,."):
        return None  # the amount ends the text ("Rs:1," too): the alert may be cut inside it
    amount = fields.parse_amount(money["amount"] or money["bare"])
    if amount is None:
        return None
    currency = money["cur"]
    if currency is None or currency in ("rs", "₹", "inr"):
        return amount, "INR", money.end()
    return amount, currency.upper(), money.end()


# "from" right before an account's digits: the payer's account, on a credit.
_FROM_JUST_BEFORE = re.compile(r"\bfrom\s+(?:your\s+)?$")
# A tail match that names a bank account rather than a card ("a/c xx1234", "account 001234").
_ACCOUNT_LABEL = re.compile(r"(?:account|acct|acc|a/?c)\b")
_FOREIGN_LOW = frozenset(code.lower() for code in FOREIGN)
# An account named by its digits ("A/c XX5678", "account no. 005678"): the digits its group.
_ACCOUNT_DIGITS = r"(?:a/?c|acct|account)\b\.?(?:\s*(?:no\.?|number))?\s*:?\s*[x*]*(\d{3,})(?!\d)"
# The account right after the verb: "credited to A/c XX1234", "debited from your account 5678".
_VERB_ACCOUNT = re.compile(r"\s+(?:to|in|into|from)\s+(?:your\s+)?" + _ACCOUNT_DIGITS)
# A charge beside the movement ("IMPS of Rs 5,000 to RAVI, charges Rs 5 debited"): the verb
# names the charge, the movement is the amount before it.
_FEE_LABEL_BEFORE = re.compile(
    r"\b(?:charges?|fees?|gst|tax|commission|surcharge|penalty)\s*(?:of\s*)?[:-]?\s*$"
)
# A credit's noun and its amount: "cashback of Rs 100", "refund of INR 500", "Interest: Rs 12".
_CREDIT_NOUN = re.compile(
    r"\b(?:cashback|refund|interest|reversal)\s*(?:amount\s*)?(?:of\s+|:\s*)(?=rs|inr|₹)"
)
# What may stand between an amount and the verb that moved it ("Rs 500 has been credited").
_JUST_BEFORE_VERB = re.compile(r"\s*(?:(?:has|have|is|was|were|are|been|got|being)\s+){0,2}")
# A balance or limit label right before an amount ("Avl Bal Rs", "balance is INR", "Lmt:").
_BALANCE_LABEL_BEFORE = re.compile(
    r"(?:\bbal(?:ance)?|\blmt|\blimit|avlbal)\.?\s*(?:is\s*)?[:-]?\s*$"
)
# A foreign amount inside a name ("NETFLIX.COM for USD 12.99"), searched in the lower-cased
# name: one alternative per code, so that re skips to their letters (regex_prefix). The parser
# also asks it of the names issuer formats read (core.py).
_FOREIGN_IN_NAME = compiled("|".join(rf"\b{code.lower()}\b\.?\s*\d" for code in FOREIGN))
_DIGIT = re.compile(r"\d")


def foreign_amount_in(name: str) -> re.Match[str] | None:
    """Where a foreign amount starts in a would-be name ("NETFLIX.COM for USD 12.99"), or None.
    A name without a digit holds none: that cheap test first (most names have no digit)."""
    return _FOREIGN_IN_NAME.search(name.lower()) if _DIGIT.search(name) else None


_FOR_AT_END = re.compile(r"\s+for$", _I)


def _counterparty(body: str, low: str, same_offsets: bool, end: int) -> str | None:
    for gates, low_pattern, pattern in _PAYEE:
        # A loop, not any() over a generator: that cost more than the scans it saves.
        for gate in gates:
            if gate in low:
                break
        else:
            if gates:
                continue
        for match in low_pattern.finditer(low) if same_offsets else pattern.finditer(body):
            if match.start("name") >= end:
                break
            raw = body[match.start("name") : match.end("name")]
            name = _MARKER.split(raw)[-1].strip(" .,-")
            spend = foreign_amount_in(name)
            if spend is not None:  # "NETFLIX.COM for USD 12.99": the amount is no part of it
                name = _FOR_AT_END.sub("", name[: spend.start()].rstrip(" .,-")).rstrip(" .,-")
            if len(name) < 2 or _NOT_A_NAME.match(name):
                continue
            if "@" not in name and _ACCOUNT_WORD.search(name):
                continue  # "IndusInd Card XX5271", "report issue-IndusInd Bank"
            return fields.counterparty(name)
    return None


_ATM = compiled(r"\batm\b")
_UPI = compiled(r"\bupi\b|\bvpa\b|@upi")


def _channel(low: str) -> Channel:
    if (
        "cash wdl" in low
        or "csh wdl" in low
        or (_ATM.search(low) and ("withdraw" in low or "wdl" in low or " at atm" in low))
    ):
        return "atm"
    if _UPI.search(low):
        return "upi"
    if "imps" in low:
        return "imps"
    if "neft" in low:
        return "neft"
    if "card" in low:
        return "card"
    return "other"


# A payment towards a credit card ("Your payment of Rs 12,345 towards HDFC Credit Card XX1234 is
# successful", "… made to your credit card XX1234 from A/c XX5678"): a card bill paid, never a
# spend on the card. Not "paid to AMAZON using credit card", a spend's own wording. After a bare
# "for", only a bill or payment of the card ("debited from A/c XX5678 for Credit Card Bill
# Payment"): "debited for your credit card" could be a spend's.
_NOT_THE_CARDS = r"(?:(?!(?:using|via|with|on|from|by|through|at|in)\b)[\w&'.-]+\s+){0,3}?"
_TO_CARD = compiled(
    r"\b(?:towards|(?:made|paid)\s+(?:to|for))\s+(?:the\s+|your\s+)?"
    + _NOT_THE_CARDS
    + r"credit\s*card\b|\bfor\s+(?:the\s+|your\s+)?"
    + _NOT_THE_CARDS
    + r"credit\s*card\s+(?:bill|payment|dues)\b"
)
# The account it was paid from ("from A/c XX5678"), and the card's digits ("Credit Card XX1234").
# Plain `re`: `compiled` splits alternatives, each with its own copy of the digits' group, and
# these run only on a body that pays a card.
_FROM_ACCOUNT = re.compile(r"\b" + _ACCOUNT_DIGITS)
_CARD_DIGITS = re.compile(
    r"credit\s*card\b\.?(?:\s*(?:no\.?|number|ending(?:\s+with|\s+in)?))?\s*:?\s*"
    r"(?:\d*[\s-]?[x*.]+(?:[\s-][x*.]+)*[\s-]?)?(\d{3,})(?!\d)"
)


def card_bill_paid(low: str) -> tuple[Direction, Instrument, str | None] | None:
    """(direction, instrument, digits) of a debit alert that pays a credit card's bill, or None:
    from an account the body names, that account's debit; with only the card named (an app's
    confirmation), the card's credit, as its issuer's "payment received" alert reads."""
    to_card = _TO_CARD.search(low)
    if to_card is None:
        return None
    account = _FROM_ACCOUNT.search(low)
    if account is not None and low[max(0, account.start() - 5) : account.start()] != "card ":
        return "debit", "account", fields.account_tail(account[1])
    card = _CARD_DIGITS.search(low, to_card.start())
    return "credit", "credit_card", fields.account_tail(card[1]) if card else None


def _instrument(low: str, tail_match: re.Match[str] | None) -> Instrument:
    if "credit card" in low or "avl limit" in low or "available limit" in low:
        return "credit_card"
    if tail_match is not None and "card" in tail_match[0].lower():
        return "debit_card"
    return "account"
