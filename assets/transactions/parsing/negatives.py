"""Bank messages that are not money movements, recognised before any format is tried.

Two tiers. `before_formats` catches messages that can quote an amount, a merchant and a card and
so could look like a transaction (OTP, offers, reminders, money announced rather than moved,
declines, failures, collect requests, mandate set-ups, balance statements), before every layer,
the owner's formats included (docs/parser.md, Never read as money). `after_formats` only names
what an unmatched message is (balance enquiry, security notice, service message) instead of
calling it "unrecognized". `reversed_to_owner` tells the parser a debit it read came back.
"""

from __future__ import annotations

import re

from assets.common.privacy import is_otp_lower
from assets.common.regex_prefix import compiled
from assets.transactions.model import DOUBTFUL_REVERSAL, DOUBTFUL_TENSE
from assets.transactions.parsing.generic import FOREIGN, LABEL_IN_THE_DIRECTIONS_CLAUSE
from assets.transactions.parsing.kinds import CREDITED_BACK

# The code itself, not a "never share your OTP" footer on a real alert: "123456 is your OTP",
# "OTP is 1234", "OTP for …", "your OTP", "OTP is sent for your txn of Rs …" (no code in the
# body, so only this rule sees it), "one-time password", "verification code". Split in
# two regexes, each run only where its words are: one regex over every body cost more. "your
# OTP" and "OTP for" after "share"/"disclose" are the footer ("Never share your OTP", "Do not
# share OTP for any reason"), whose alert is still read; the look-behinds stand after the words
# so that re still skips ahead to them.
# `\d(?<=\b\d)\d{3,7}` is `\b\d{4,8}` written so that re skips ahead to digits (regex_prefix).
_OTP_CODE = re.compile(r"\d(?<=\b\d)\d{3,7} is (?:your |the )?(?:otp|one[- ]time)")
_FOOTER = r"(?<!share {0})(?<!disclose {0})"
_OTP_WORDS = compiled(
    r"\botp (?:is|:)\s*\d|\botp \d{4,8}\b|\botp (?:is|has been|was) sent\b"
    r"|\botp for\b" + _FOOTER.format("otp for") + _FOOTER.format("your otp for")
    + r"|\byour otp\b" + _FOOTER.format("your otp")
)  # fmt: skip


def _otp(low: str) -> bool:
    if "verification code" in low or "one time password" in low or "one-time password" in low:
        return True
    return "otp" in low and (
        _OTP_WORDS.search(low) is not None or (" is " in low and _OTP_CODE.search(low) is not None)
    )


class _Either:
    """A regex in parts, each searched only when one of its words is in the text: the same
    answer as one regex over their alternation, at a fraction of the cost (re scans a body for
    an alternation of words starting with \\b several times slower than str.find does)."""

    __slots__ = ("parts",)

    def __init__(self, *parts: tuple[tuple[str, ...], str]) -> None:
        self.parts = tuple((words, compiled(pattern, re.DOTALL)) for words, pattern in parts)

    def search(self, text: str) -> bool:
        for words, regex in self.parts:
            for word in words:
                if word in text:
                    if regex.search(text):
                        return True
                    break
        return False


# A dispute's or a complaint's acknowledgement is looked for only where one of these is.
_ACKNOWLEDGED_TRIGGERS = ("dispute", "complaint", "grievance")
# Each reason's regex runs only when one of its cheap substrings is in the lower-cased body.
_STRONG: tuple[tuple[str, tuple[str, ...], re.Pattern[str] | _Either], ...] = tuple(
    (reason, triggers, pattern if isinstance(pattern, _Either) else compiled(pattern, re.DOTALL))
    for reason, triggers, pattern in (
        (
            "collect_request",
            ("request", "collect"),
            _Either(
                (
                    ("request", "collect"),
                    r"\bhas requested\b|\bis requesting\b|\brequested (?:money|rs|inr|₹|payment)"
                    r"|\bcollect request|\bpayment request\b|\brequest(?:ed)? for (?:rs|inr|₹)"
                    r"|\b(?:sent|raised) (?:you )?a (?:payment |collect |upi )?request "
                    r"(?:of|for)\b",
                ),
                (
                    # "Received Rs 500.00 request from RAVI": the amount asked for before
                    # "request". A part of its own: re skips ahead to its currency letters.
                    ("request",),
                    r"(?:rs|inr|₹)\.?\s*:?\s*(?:\d[\d,]*(?:\.\d+)?|\.\d+) "
                    r"(?:payment |collect |upi )?request\b",
                ),
            ),
        ),
        (
            # A request acknowledged, not carried out ("Your request to transfer Rs … has been
            # received"): within its sentence (a full stop after "Rs" is the amount's).
            "service",
            ("request",),
            r"\brequest (?:for|to|of)\b(?:(?!(?<!\brs)[.!?] )[^!?]){0,120}?"
            r"\b(?:has been|have been|is|was) (?:successfully )?"
            r"(?:received|accepted|registered|submitted|placed|logged|initiated)\b",
        ),
        (
            # A dispute or complaint acknowledged ("Dispute for Rs 500 debited from A/c XX1234
            # … has been registered"): the movement it quotes had its own alert. Not the way to
            # raise one that an alert ends with ("Not you? Raise a dispute at …").
            "service",
            _ACKNOWLEDGED_TRIGGERS,
            r"\b(?:dispute|complaint|grievance)s?\b(?:(?!(?<!\brs)[.!?] )[^!?]){0,120}?"
            r"\b(?:has been|have been|is|was) (?:successfully )?"
            r"(?:registered|raised|received|logged|lodged|accepted|initiated)\b"
            r"|\b(?:registered|raised|logged|lodged) (?:a |your )?"
            r"(?:dispute|complaint|grievance)\b",
        ),
        (
            "mandate",
            ("mandate", "autopay", "standing instruction", "si "),
            _Either(
                (
                    ("mandate",),
                    r"mandate\b.{0,40}?\b(?:successfully )?(?:created|registered|set ?up"
                    r"|activated|revoked|cancell?ed|paused|modified|updated|approved)\b",
                ),
                (
                    # Both need one of these verbs: most bodies have none, and skip the scan.
                    ("created", "registered", "set up", "setup", "activated", "cancel", "revoked"),
                    r"\b(?:created|registered|set up|setup|activated|cancell?ed|revoked) "
                    r"(?:a |an |the |your )?"
                    r"(?:upi[- ]?)?(?:e-?)?(?:mandate|autopay|standing instruction)"
                    r"|\b(?:autopay|standing instruction|si) (?:is |has been )?(?:successfully )?"
                    r"(?:set ?up|registered|activated|created|cancell?ed|revoked)",
                ),
            ),
        ),
        (
            # Announced movements in the future tense are read structurally (`announced`).
            "predebit",
            ("is due towards", "sufficient bal", "upcoming", "scheduled"),
            r"\bis due towards\b|\bmaintain (?:a )?sufficient bal|\bupcoming (?:debit|payment|emi)"
            r"|\bscheduled (?:for|on)\b",
        ),
        (
            # A refund only set going ("Refund initiated: Amt: Rs … To receive your Refund,
            # please update your Bank details"): nothing has come back until a body says so.
            "predebit",
            ("initiated",),
            r"\brefund (?:is |has been |was )?initiated\b(?!.*\b(?:credited|refunded|reversed)\b)",
        ),
        (
            # Reward points' worth credited ("500 reward points worth Rs 125.00 have been
            # credited"): no money moved. Only where "credited" follows the worth itself: a spend
            # that adds "you earned 50 points worth Rs 12.50" is still the spend.
            "service",
            ("point",),
            r"\bpoints?\s+(?:worth|valued\s+at|of\s+value)\s+(?:rs|inr|₹)\.?\s*:?\s*[\d,.]+\s+"
            r"(?:(?:have|has)\s+been\s+|were\s+|was\s+|are\s+|is\s+)?credited\b",
        ),
        (
            # A cheque deposited or presented is money to come until it clears (banks alert at
            # deposit and again at clearing): "… deposited in your A/c … sent for clearing".
            "predebit",
            ("clearing",),
            r"\b(?:sent|presented|lodged) for clearing\b|\bunder clearing\b",
        ),
        (
            "reminder",
            ("due", "statement", "bill", "payable"),
            _Either(
                (
                    ("due",),
                    r"\b(?:amt|amount|payment|emi|premium|min\.?|minimum|total|bill)\b[^.]{0,30}?"
                    r"\bdue\b|\bdue (?:on|date|by)\b|\boverdue\b",
                ),
                (("payable",), r"\bpayable (?:by|on)\b"),
                (
                    ("statement",),
                    r"\bstatement\b[^.]{0,60}?\b(?:generated|sent|mailed|dated|is ready|emailed)\b",
                ),
                # A bill due, not one paid ("Your electricity bill of Rs 1,234 has been paid
                # from A/c …", "… debited for bill of BESCOM" are the payment).
                (
                    ("bill",),
                    r"\bnew bill\b|\bbill (?:generated|is (?:due|generated|ready))\b"
                    r"|^(?!.*\b(?:paid|debited|deducted|successful|successfully|received)\b)"
                    r".*?\bbill (?:of|for)\b",
                ),
            ),
        ),
        (
            # An attempt is not a payment: "A debit of Rs 750 was attempted on card XX1234".
            "declined",
            ("declin", "returned", "reject", "insufficient", "not allowed", "blocked", "attempt"),
            r"\bdeclined\b|\breturned unpaid\b|\bcheque\b.{0,80}?\breturned\b|\brejected\b"
            r"|\binsufficient (?:funds|balance|limit)\b|\bnot allowed\b|\bwas blocked\b"
            r"|\b(?:was|were|is|has been|have been|been) attempted\b"
            r"|\battempted (?:txn|transaction|payment|withdrawal|debit|purchase|transfer)",
        ),
        (
            "failed",
            ("fail", "unsuccessful", "could not", "not be processed"),
            r"\bfail(?:ed|ure)\b|\bunsuccessful\b|\bcould not be (?:processed|completed)\b",
        ),
        (
            "promo",
            (
                "approved",
                "waiting for you",
                "eligible",
                "apply",
                "offer",
                "congratulations",
                "need funds",
                "upgrade",
                "win ",
                "won",
                "spend ",
            ),
            r"\bpre-?approved\b|\bwaiting for you\b|\b(?:are|is) eligible\b|\bapply (?:now|today)\b"
            r"|\bapply:|\b(?:exclusive|special|limited[- ]period|festive) offer|\bcongratulations\b"
            r"|\bneed funds\b|\bupgrade (?:now|your)\b|\bwin (?:rs|inr|₹|a|exciting)\b"
            # An offer's spend to come: "Spend Rs 5,000 more on card XX1234 to earn Rs 500",
            # its figure bare too ("Spend 5,000 more", "Spend amt 5,000.00 …").
            r"|\bspend (?:rs|inr|₹|amt\b|amount\b|\d)"
            # A prize won, unless the body says it was paid ("… and has been credited to your
            # A/c"): "You've won Rs 100 cashback on your card XX1234".
            r"|\b(?:you|ve|have|has) (?:just )?won\b(?!.*\b(?:credited|added|deposited)\b)",
        ),
        (
            # An offer to convert a spend into EMIs: "convert" before any figure ("Convert your
            # purchase of Rs 5,000 at AMAZON into 3 EMIs"), or in the first sentence, which
            # quotes the spend ("Your spend of Rs 5,000 … can be converted into EMIs"); not an
            # alert's footer after the sentence of its amount ("Rs 5,000 spent at CROMA. To
            # convert this txn of Rs 5,000 into EMI, SMS …", "… Convert to EMI?").
            "promo",
            ("convert",),
            r"\A[^₹\d]{0,80}?\bconvert(?:ed)?\b[^.!?\n]{0,60}?(?:rs|inr|₹)\.?\s*:?\s*\.?\d"
            r"|\A[^₹\d]{0,40}?(?:rs|inr|₹)\.?"
            r"(?:[^.!?\n]|\.(?=\d)){0,80}?"
            r"\bconvert(?:ed)? (?:in)?to (?:\w+ ){0,2}?emis?\b",
        ),
        (
            # A broker's payout: money leaving the trading account for the bank account the
            # body names, whose own alert reports it arriving ("Funds of Rs 10,000 withdrawn
            # from your trading account will reach A/c XX1234"). Not money into the trading
            # account ("debited from A/c XX1234 to your trading account"), which is the bank's.
            "service",
            ("trading",),
            r"\b(?:withdrawn|debited|deducted|transferred|paid out|sent) from (?:your )?"
            r"trading (?:account|a/?c)\b",
        ),
        (
            # A credit taken back: "wrongly credited", "credited … by mistake", or "Rs 500.00
            # credited to your A/c … has been reversed / debited back" in one sentence (a full
            # stop before a number is the amount's, "Rs. 500"). Unless
            # the body names a failure or a refund: then "has been reversed" is the failed
            # payment's, and the credit is the money coming back (read as usual).
            DOUBTFUL_REVERSAL,
            ("credit",),
            _Either(
                (
                    ("wrong", "erroneous", "mistake", "inadvertent", "in error"),
                    r"\b(?:wrongly|erroneously|inadvertently|mistakenly) credited\b"
                    r"|\bcredited\b(?:[^.;]|\.(?=\s?\d)){0,80}?\b(?:wrongly|erroneously|inadvertently"
                    r"|by mistake|in error)\b",
                ),
                (
                    ("reversed", "debited back", "taken back", "recovered"),
                    r"^(?!.*(?:fail|declin|unsuccessful|refund|reversal of|credited back))"
                    r".*?\bcredited\b(?:[^.;]|\.(?=\s?\d)){0,120}?"
                    r"\b(?:has been|have been|is|was|got) "
                    r"(?:reversed|debited back|taken back|recovered)\b",
                ),
            ),
        ),
    )
)

# A credit that reverses a failed/declined payment is a real transaction, once it is done: a
# refund that "will be" made is still the failure's (see before_formats).
_REVERSAL = compiled(
    r"\b(?:has been|have been|is|was|been)\s+(?:reversed|refunded|credited)\b"
    r"|\bcredited (?:to|in|back)\b|\breversal of\b|\brefund of\b|\bcredited with\b"
)

# Money announced rather than moved: a modal or "to be"/"being" before a money verb, passive
# ("would be debited", "will get credited", "is scheduled to be debited", "shall be auto-debited",
# "will not be charged") or active ("we will debit", "you'll receive"). Up to two adverbs may sit
# between ("will be directly credited"). Read as a phrase of words wherever it stands, not from a
# few characters before one verb. Words, not a regex: re scans a body for these alternatives
# several times slower than a walk over its words.
_MODALS = frozenset(
    ("will", "shall", "would", "should", "may", "might", "can", "could", "must",
     "i'll", "you'll", "we'll", "it'll", "he'll", "she'll", "they'll", "that'll")
)  # fmt: skip
_STARTS = _MODALS | {"to", "being"}
_PARTICIPLES = frozenset(
    ("debited", "credited", "deducted", "charged", "refunded", "reversed", "paid", "processed",
     "executed", "transferred", "deposited", "withdrawn", "sent", "received", "reflected",
     "settled", "presented", "collected", "added", "recovered", "levied", "realised", "realized",
     "made")
)  # fmt: skip
_ACTIVE = frozenset(
    ("debit", "credit", "deduct", "charge", "refund", "reverse", "receive", "reflect", "get",
     "pay", "transfer")
)  # fmt: skip
# The money verbs in the past tense: money that moved (not_moved reads them too).
MONEY_VERBS = (
    "debited", "credited", "deducted", "spent", "withdrawn", "deposited", "transferred",
    "refunded", "reversed", "received", "paid", "sent", "charged",
)  # fmt: skip


def split_forms(*words: str) -> frozenset[str]:
    """The words as `str.split` leaves them in a body: alone, or with punctuation around them."""
    return frozenset(
        form for word in words for form in (word, "(" + word, *(word + mark for mark in ".,:;!?)-"))
    )


# Each as a word with its punctuation. Inside an announced phrase it does not count.
_DONE = split_forms(*MONEY_VERBS)
# Every announced phrase holds one of these words: a set test before the walk.
_ANNOUNCED_WORDS = _MODALS | {"be", "get", "being"}
_PUNCTUATION = ".,:;!?()[]\"'"


def _bare(word: str) -> str:
    """A word without punctuation around it or an "auto-" before it ("auto-debited,")."""
    word = word.strip(_PUNCTUATION)
    return word[4:].lstrip("-") if word.startswith("auto") else word


def _adverb(word: str) -> bool:
    return word.endswith("ly") or word in ("auto", "auto-")


# What may stand between "get" and its participle: "to get it credited", "get the amount credited".
_GOT_OBJECTS = frozenset(("it", "them", "this", "that"))
_GOT_NOUNS = frozenset(("amount", "money", "funds", "refund", "cashback"))


def _after_get(words: list[str], at: int) -> int:
    """The index after words[at] ("be" or "get") and, after "get", the object it takes."""
    after = at + 1
    if words[at] != "get" or after >= len(words):
        return after
    if words[after] in _GOT_OBJECTS:
        return after + 1
    if (
        words[after] in ("the", "your")
        and after + 1 < len(words)
        and words[after + 1] in _GOT_NOUNS
    ):
        return after + 2
    return after


def _announcement_end(words: list[str], at: int) -> int:
    """The index after the announced phrase that starts at words[at], or 0 when none does."""
    count = len(words)
    after = at + 1
    word = words[at]
    if word == "to":
        if after >= count or words[after] not in ("be", "get"):
            return 0
        after = _after_get(words, after)
    elif word != "being":  # a modal: "will", "you'll"…
        if after < count and words[after] == "not":
            after += 1
        if after < count and words[after] in ("be", "get"):
            after = _after_get(words, after)
        elif after + 1 < count and words[after] == "have" and words[after + 1] == "been":
            after += 2
        else:  # active: "will debit", "will directly credit"
            if after < count and _adverb(words[after]) and words[at + 1] != "not":
                after += 1
            ok = after < count and words[at + 1] != "not" and _bare(words[after]) in _ACTIVE
            return after + 1 if ok else 0
    for _ in range(3):  # the participle, after up to two adverbs
        if after >= count:
            return 0
        if _bare(words[after]) in _PARTICIPLES:
            return after + 1
        if not _adverb(words[after]):
            return 0
        after += 1
    return 0


def announced(low: str, words: list[str] | None = None) -> str | None:
    """Whether the body announces money rather than reporting it moved.

    "predebit" when every money verb is announced (future or conditional); DOUBTFUL_TENSE when
    an announcement comes before the first money that moved (which amount moved cannot be
    told); None when the body has no announcement, or reports money that moved first (a footer
    such as "if cash is not dispensed, it will be reversed" does not undo it). `words`: the
    body's words (`low.split()`), when the caller has them.
    """
    if words is None:
        words = low.split()
    if _ANNOUNCED_WORDS.isdisjoint(words):
        return None
    first = -1  # where the first announcement starts
    inside = 0  # the index after the announcement last read: its words are not money moved
    for at, word in enumerate(words):
        if at < inside:
            continue
        if word in _STARTS:
            end = _announcement_end(words, at)
            if end:
                first = at if first < 0 else first
                inside = end
                continue
        if word in _DONE:  # money moved: read as usual if no announcement came before it
            if first < 0 or not _amount_before(low, len(low)):
                return None
            return DOUBTFUL_TENSE
    # "your request is being processed": no money named, nothing announced
    return "predebit" if first >= 0 and _amount_before(low, len(low)) else None


# A balance statement: every amount it quotes is a balance ("Avl balance in your a/c
# XX1234 as on 02-Feb is INR 12,345.67 (Cr)"), its Cr/Dr the balance's sign, not a movement.
# Rupees or a foreign currency's ISO code (the generic layer's list) before the amount.
_CURRENCIES = ("rs", "inr", *(code.lower() for code in FOREIGN))
# Each code written `r(?<=\br)s` rather than `\brs` (regex_prefix): the same matches, but re
# skips ahead to the codes' letters instead of trying every position (a balance statement is
# scanned to its end).
AMOUNT = re.compile(
    "(?:"
    + "|".join(rf"{code[0]}(?<=\b{code[0]}){code[1:]}" for code in _CURRENCIES)
    + r"|₹)\.?\s*:?\s*(?:inr\.?\s*)?(?:\d[\d,]*(?:\.\d+)?|\.\d+)"
)
_MOVE_WORD = compiled(
    r"\b(?:debit(?!\s*card)|credit(?!\s*card)|spent|sent|paid|pay|withdr|receiv|deposit|transf|"
    r"deduct|refund|revers|purchase|txn|transaction|payment|charge|cashback|emi)\w*"
)


# The start of an amount, for a quick look (no word boundary: re scans this several times
# faster; the caller checks the boundary).
_AMOUNT_START = re.compile("(?:" + "|".join(_CURRENCIES) + r"|₹)\.?\s*:?\s*(?:inr\.?\s*)?\.?\d")


# What generic._MONEY reads as a bare amount after a label, for `_amount_before`.
_LABELLED_AMOUNT = re.compile(
    r"\b" + LABEL_IN_THE_DIRECTIONS_CLAUSE + r"\d+(?:,\d{2,3})*\.\d{1,2}\b"
)


def _word_before(low: str, at: int) -> bool:
    """Whether a word character (what `\\b` looks at) stands just before `at`."""
    return at > 0 and (low[at - 1].isalnum() or low[at - 1] == "_")


def _amount_before(low: str, end: int) -> bool:
    """Whether an amount starts before `end`. Most alerts quote theirs at the start, else the
    first "rs"/"inr"/"₹" is looked at (str.find is cheap), and only then is the text scanned."""
    if _AMOUNT_START.match(low, 0, end) is not None:
        return True
    for currency in ("rs", "inr", "₹"):
        at = low.find(currency, 0, end)
        if (
            at >= 0
            and (currency == "₹" or not low[at - 1].isalnum())
            and _AMOUNT_START.match(low, at, end) is not None
        ):
            return True
    start = _AMOUNT_START.search(low, 0, end)
    if start is not None and (start[0][0] == "₹" or not _word_before(low, start.start())):
        return True
    # A figure printed bare after its label ("Debit txn of amt 250.00 … avl bal Rs 5,527.80"):
    # the generic layer reads it as the amount moved.
    return (low.find("amt", 0, end) >= 0 or low.find("amount", 0, end) >= 0) and (
        _LABELLED_AMOUNT.search(low, 0, end) is not None
    )


def balance_statement(low: str) -> bool:
    """Whether every amount in the body is introduced as a balance: a label with no money word
    between it and the amount, in the text since the amount before."""
    first_label = low.find("bal")
    if first_label < 0 or _amount_before(low, first_label):
        return False
    return _every_amount_a_balance(low)


def _every_amount_a_balance(low: str) -> bool:
    """balance_statement's look at each amount, once no amount comes before the first "bal"."""
    previous = 0
    seen = False
    for amount in AMOUNT.finditer(low):
        segment = low[previous : amount.start()]
        label = segment.rfind("bal")  # "bal", "balance", "avlbal"
        if label < 0 or _MOVE_WORD.search(segment, label) is not None:
            return False
        previous, seen = amount.end(), True
    return seen


_WEAK: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, compiled(pattern, re.DOTALL))
    for reason, pattern in (
        (
            "balance_only",
            r"\b(?:available|avl|avail|aval|avb|closing|ledger|current)\.? ?(?:bal|balance)\b"
            r"|\bbalance (?:in|for|of) (?:your )?a/?c|\bbalance is\b|\bmini statement\b",
        ),
        (
            "security",
            r"\blog ?in\b|\blogged in\b|\bnew device\b|\bpassword\b"
            r"|\bm?pin\b.{0,30}?\b(?:changed|reset|set)"
            r"|\bfraud\b|\bphishing\b|\bnever share\b|\bbeware\b|\bdevice binding\b|\bregistered\b"
            r"|\bblocked\b|\bunblocked\b|\bhotlisted\b",
        ),
        (
            "service",
            r"\brequest\b|\bcheque ?book\b|\bdispatched\b|\bkyc\b|\bupdated\b|\blinked\b"
            r"|\bdelivered\b|\bfree (?:transactions|txns?)\b|\bcharges (?:are )?applicable\b"
            r"|\bregistered\b|\bactivated\b|\bnominee\b|\bservice\b|\bthank you\b|\bcomplaint\b"
            r"|\bemail\b|\bmobile (?:number|no)\b",
        ),
    )
)


# A cheap gate before the regexes: every strong negative contains one of these words (as a
# whitespace-separated token, possibly with punctuation around it) or one of the substrings.
# A set lookup over the body's tokens costs far less than one regex scan per reason.
_GATE_WORDS = (
    "password", "code", "request", "requested", "requesting", "collect", "autopay",
    "instruction", "si", "will", "shall", "due", "overdue", "sufficient", "upcoming",
    "scheduled", "statement", "e-statement", "bill", "payable", "declined", "returned",
    "rejected", "insufficient", "allowed", "blocked", "failed", "failure", "unsuccessful",
    "could", "pre-approved", "preapproved", "approved", "waiting", "eligible", "apply",
    "offer", "offers", "congratulations", "need", "upgrade", "win", "initiated", "clearing",
    "point", "points", "wrongly", "erroneously", "inadvertently", "mistakenly", "mistake",
    "error", "reversed", "back", "recovered", "attempted", "spend", "won", "trading",
)  # fmt: skip
_GATE = split_forms(*_GATE_WORDS)


# The words of the two reasons that need no gate word (an acknowledgement, an EMI offer): they
# send a body to `announced`'s branch, which looks for those two alone, not to every reason.
_ACKNOWLEDGED_OR_OFFER_WORDS = split_forms(
    *_ACKNOWLEDGED_TRIGGERS, *(word + "s" for word in _ACKNOWLEDGED_TRIGGERS), "convert",
    "converted",
)  # fmt: skip
_ANY_GATE = _GATE | _ANNOUNCED_WORDS | _ACKNOWLEDGED_OR_OFFER_WORDS
_GLUED_MODAL = re.compile(r"(\d)(will|shall|would)\b")
# Whether _GLUED_MODAL is in a body, written so that re skips ahead to the modals' letters.
_GLUED_MODAL_AT = re.compile(r"(?:w(?<=\dw)ill|s(?<=\ds)hall|w(?<=\dw)ould)\b")


def before_formats(low: str, sender: str) -> str | None:
    """The reason a (lower-cased) body is no transaction, for shapes that quote amounts."""
    if sender.endswith(("-P", "-p")):
        return "promo"  # DLT promotional category never carries an alert
    words = low.split()
    # The strong reasons' two substrings that are no gate word: looked for once, here.
    flagged = "otp" in low or "mandate" in low
    if not flagged and _ANY_GATE.isdisjoint(words):
        # Most alerts: no word any strong reason, an acknowledgement, an EMI offer or an
        # announcement needs (one pass). An amount before the first "bal" is the usual alert
        # ("Rs 5 debited … Avl Bal"): no balance statement, and the cheapest look at it
        # (balance_statement's first steps).
        label = low.find("bal")
        if label < 0 or _amount_before(low, label):
            return None
        return "balance_only" if _every_amount_a_balance(low) else None
    if ("will" in low or "shall" in low or "would" in low) and _GLUED_MODAL_AT.search(low):
        # A modal glued to its amount ("Rs.450will be debited") is no word of its own: read the
        # body's words with the two apart. Only here: such a body has "be"/"get", a gate word.
        words = _GLUED_MODAL.sub(r"\1 \2", low).split()
    # The reasons' phrases are written with single spaces: read them in the body with its runs
    # of spaces and line breaks made one space ("could  not  be\ncompleted").
    spaced = " ".join(words)
    gated = not _GATE.isdisjoint(words)
    if flagged or gated:
        # Flagged alone (most often a "Never share your OTP" footer): only the reasons that
        # need "otp" or "mandate" rather than a gate word can hold.
        reason = _strong(spaced, words) if gated else _otp_or_mandate(spaced, words)
        if reason is not None:
            return reason
        # The storage rule itself (a code with any code/PIN/approval wording or a "do not
        # share" warning, unless a completed alert), so the parser agrees with what ingest
        # drops. Only behind the gate: before it, it cost a fifth of the parser's throughput,
        # and ingest has already dropped every OTP the gate lets through to the formats.
        if is_otp_lower(low):
            return "otp"
    else:
        # Money announced, anywhere in the body, is not money moved (_strong looks at it
        # after failures and declines: "failed; … will be refunded" is a failure); an
        # acknowledgement before it and an EMI offer after it, in _strong's order.
        reason = _acknowledged(spaced) or announced(spaced, words) or _emi_offer(spaced)
        if reason is not None:
            return reason
    if "bal" in low and balance_statement(low):
        return "balance_only"
    return None


# "Money debited, if any, …", "in case your a/c is debited": what follows is conditional.
_CONDITIONAL = compiled(r"\bif (?:any|debited|deducted|charged|amount)\b|\bin case\b")


def _given_back_after_failure(low: str, words: list[str]) -> bool:
    """A failure whose money has come back is a credit: the reversal or refund is done, not
    announced ("will be refunded") and not conditional ("debited, if any, is refunded").
    `words` are `low.split()` (the caller's, not split again)."""
    return (
        (_REVERSAL.search(low) is not None or reversed_to_owner(low))
        and announced(low, words) is None
        and _CONDITIONAL.search(low) is None
    )


# Money announced is looked at after failures and declines ("failed; … will be refunded" is a
# failure), before the rest: the reasons in two runs around it. A failure or decline whose money
# has come back is no reason (a credit).
_AFTER_FAILED = 1 + max(at for at, (reason, _, _) in enumerate(_STRONG) if reason == "failed")
_STRONG_RUNS = tuple(
    tuple(
        (reason, triggers, regex, reason in ("failed", "declined"))
        for reason, triggers, regex in run
    )
    for run in (_STRONG[:_AFTER_FAILED], _STRONG[_AFTER_FAILED:])
)


def _strong(low: str, words: list[str]) -> str | None:
    if _otp(low):
        return "otp"
    first, rest = _STRONG_RUNS
    reason = _first_reason(first, low, words)
    if reason is not None:
        return reason
    reason = announced(low, words)
    if reason is not None:
        return reason
    return _first_reason(rest, low, words)


# The strong reasons, besides the OTP's, that need no gate word: "mandate", a dispute or complaint
# acknowledged, an offer to convert a spend into EMIs. Their words are common in footers ("To
# dispute, call …", "Convert to EMI?"), where a gate word would send the body through every
# reason: each is looked for on its own instead.
_MANDATE = next(regex for reason, _, regex in _STRONG if reason == "mandate")
_ACKNOWLEDGED = next(regex for _, triggers, regex in _STRONG if triggers is _ACKNOWLEDGED_TRIGGERS)
_EMI_OFFER = next(regex for _, triggers, regex in _STRONG if triggers == ("convert",))


def _acknowledged(low: str) -> str | None:
    for trigger in _ACKNOWLEDGED_TRIGGERS:
        if trigger in low:
            return "service" if _ACKNOWLEDGED.search(low) else None
    return None


def _emi_offer(low: str) -> str | None:
    return "promo" if "convert" in low and _EMI_OFFER.search(low) else None


def _otp_or_mandate(low: str, words: list[str]) -> str | None:
    """`_strong` for a body with "otp" or "mandate" in it and none of the gate's words: every
    other strong reason needs one of those words, so only these, an acknowledgement, an EMI
    offer and an announcement can hold, in `_strong`'s order (the same answer, without looking
    for the rest)."""
    if _otp(low):
        return "otp"
    reason = _acknowledged(low)
    if reason is not None:
        return reason
    if "mandate" in low and _MANDATE.search(low):
        return "mandate"
    return announced(low, words) or _emi_offer(low)


def _first_reason(
    run: tuple[tuple[str, tuple[str, ...], re.Pattern[str] | _Either, bool], ...],
    low: str,
    words: list[str],
) -> str | None:
    """The first reason of `run` whose pattern is in `low` (tried only where a trigger is)."""
    for reason, triggers, regex, failure in run:
        for trigger in triggers:
            if trigger in low:
                if regex.search(low) and not (failure and _given_back_after_failure(low, words)):
                    return reason
                break
    return None


# Wording that reports money moving: an unmatched body with it stays "unrecognized", so a bank's
# new alert wording shows up in the parse-coverage check instead of hiding as "service".
_MONEY_MOVED = compiled(
    r"\b(?:debited|credited|spent|withdrawn|sent|received|paid|transferred|deposited|dr\.?|cr\.?"
    r"|(?:debit|credit) (?:txn|transaction))\b"
)


def after_formats(low: str) -> str | None:
    """What an unmatched body is, if it is plainly informational; None means unrecognized."""
    if _MONEY_MOVED.search(low):
        return None
    for reason, regex in _WEAK:
        if regex.search(low):
            return reason
    return None


# A debit given back, done: "Rs 310.00 taken for UPI txn to shop@upi has been reversed to your
# A/c", "… has been credited back". The money comes back, so it is a credit whatever verb came
# first or a format fixed.
_REVERSED = compiled(
    r"\b(?:has been|have been|is|was|been|got)\s+(?:successfully\s+)?(?:auto[- ]?)?"
    r"(?:reversed|refunded|credited\s+back)\b(?!\s+(?:from|by)\s+your)"
    r"|\b(?:reversed|refunded|credited\s+back)\s+(?:back\s+)?(?:to|in|into)\s+"
    r"(?:your|the|a/?c|acc)"
)


def reversed_to_owner(low: str) -> bool:
    """Whether the body says money taken has been given back (a reversal or refund, done)."""
    # The substrings, then "credited back", before _REVERSED, which costs more ("cashback" and
    # "call back" hold "back" too).
    if "revers" in low or "refunded" in low or ("back" in low and CREDITED_BACK.search(low)):
        return _REVERSED.search(low) is not None
    return False
