"""Bank messages that are not money movements, recognised before any format is tried.

Two tiers. `before_formats` catches messages that can quote an amount, a merchant and a card and
so could look like a transaction (OTP, offers, reminders, pre-debit notices, declines, failures,
collect requests, mandate set-ups). `after_formats` only names what an unmatched message is
(balance enquiry, security notice, service message) instead of calling it "unrecognized".
"""

from __future__ import annotations

import re

from assets.common.privacy import is_otp_lower

# Each reason's regex runs only when one of its cheap substrings is in the lower-cased body.
_STRONG: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (reason, triggers, re.compile(pattern, re.DOTALL))
    for reason, triggers, pattern in (
        (
            "otp",
            ("otp", "one time password", "one-time password", "verification code"),
            # The code itself, not a "never share your OTP" footer on a real alert.
            r"\b\d{4,8} is (?:your |the )?(?:otp|one[- ]time)|\botp (?:is|:)\s*\d|\botp \d{4,8}\b"
            r"|\botp for\b|\byour otp\b|one[- ]time password|verification code",
        ),
        (
            "collect_request",
            ("request", "collect"),
            r"\bhas requested\b|\bis requesting\b|\brequested (?:money|rs|inr|₹|payment)"
            r"|\bcollect request|\bpayment request\b|\brequest(?:ed)? for (?:rs|inr|₹)",
        ),
        (
            "mandate",
            ("mandate", "autopay", "standing instruction", "si "),
            r"mandate\b.{0,40}?\b(?:successfully )?(?:created|registered|set ?up|activated"
            r"|revoked|cancell?ed|paused|modified|updated|approved)\b"
            r"|\b(?:created|registered|set up|setup|activated|cancell?ed|revoked) "
            r"(?:a |an |the |your )?"
            r"(?:upi[- ]?)?(?:e-?)?(?:mandate|autopay|standing instruction)"
            r"|\b(?:autopay|standing instruction|si) (?:is |has been )?(?:successfully )?"
            r"(?:set ?up|registered|activated|created|cancell?ed|revoked)",
        ),
        (
            "predebit",
            ("will be", "is due towards", "sufficient bal", "upcoming", "scheduled", "shall be"),
            r"\b(?:will|shall) be (?:auto[- ]?)?"
            r"(?:debited|deducted|processed|charged|paid|executed)"
            r"|\bis due towards\b|\bmaintain (?:a )?sufficient bal|\bupcoming (?:debit|payment|emi)"
            r"|\bscheduled (?:for|on)\b",
        ),
        (
            "reminder",
            ("due", "statement", "bill", "payable"),
            r"\b(?:amt|amount|payment|emi|premium|min\.?|minimum|total|bill)\b[^.]{0,30}?\bdue\b"
            r"|\bdue (?:on|date|by)\b|\bpayable (?:by|on)\b|\boverdue\b"
            r"|\bstatement\b[^.]{0,60}?\b(?:generated|sent|mailed|dated|is ready|emailed)\b"
            r"|\bnew bill\b|\bbill (?:of|for|generated|is)\b",
        ),
        (
            "declined",
            ("declin", "returned", "reject", "insufficient", "not allowed", "blocked"),
            r"\bdeclined\b|\breturned unpaid\b|\bcheque\b.{0,80}?\breturned\b|\brejected\b"
            r"|\binsufficient (?:funds|balance|limit)\b|\bnot allowed\b|\bwas blocked\b",
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
            ),
            r"\bpre-?approved\b|\bwaiting for you\b|\b(?:are|is) eligible\b|\bapply (?:now|today)\b"
            r"|\bapply:|\b(?:exclusive|special|limited[- ]period|festive) offer|\bcongratulations\b"
            r"|\bneed funds\b|\bupgrade (?:now|your)\b|\bwin (?:rs|inr|₹|a|exciting)\b",
        ),
    )
)

# A credit that reverses a failed/declined payment is a real transaction.
_REVERSAL = re.compile(
    r"\b(?:has been|have been|is|was|been)\s+(?:reversed|refunded|credited)\b"
    r"|\bcredited (?:to|in|back)\b|\breversal of\b|\brefund of\b|\bcredited with\b"
)

_WEAK: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.DOTALL))
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
    "offer", "offers", "congratulations", "need", "upgrade", "win",
)  # fmt: skip
_GATE = frozenset(
    variant
    for word in _GATE_WORDS
    for variant in (word, "(" + word, *(word + mark for mark in ".,:;!?)-"))
)


def _gated(low: str) -> bool:
    # The two substrings are spelled out: a generator over a tuple costs more than both tests.
    return "otp" in low or "mandate" in low or not _GATE.isdisjoint(low.split())


def before_formats(low: str, sender: str) -> str | None:
    """The reason a (lower-cased) body is no transaction, for shapes that quote amounts."""
    if sender.endswith(("-P", "-p")):
        return "promo"  # DLT promotional category never carries an alert
    if not _gated(low):
        return None
    for reason, triggers, regex in _STRONG:
        for trigger in triggers:
            if trigger in low:
                if regex.search(low) and not (
                    reason in ("failed", "declined") and _REVERSAL.search(low)
                ):
                    return reason
                break
    # The storage rule itself (a code with any code/PIN/approval wording or a "do not share"
    # warning, unless a completed alert), so the parser agrees with what ingest drops. Only
    # behind the gate: before it, it cost a fifth of the parser's throughput, and ingest has
    # already dropped every OTP the gate lets through to the formats.
    if is_otp_lower(low):
        return "otp"
    return None


# Wording that reports money moving: an unmatched body with it stays "unrecognized", so a bank's
# new alert wording shows up in the parse-coverage check instead of hiding as "service".
_MONEY_MOVED = re.compile(
    r"\b(?:debited|credited|spent|withdrawn|sent|received|paid|transferred|deposited|dr\.?|cr\.?)\b"
)


def after_formats(low: str) -> str | None:
    """What an unmatched body is, if it is plainly informational; None means unrecognized."""
    if _MONEY_MOVED.search(low):
        return None
    for reason, regex in _WEAK:
        if regex.search(low):
            return reason
    return None
