"""privacy's OTP wording test in three searches: the same answer as the one regex it replaced."""

from __future__ import annotations

import random
import re

import pytest

from assets.common.privacy import PRESENTS_CODE_TEXT, _otp_wording
from tests.transactions.sms_corpus import lowered_bodies

# The rule as one regex, as it was written before it was split for speed.
ONE_REGEX = re.compile(
    r"\b(?:otp|m?pin|pass(?:word|code|key|wd)|\w*code|verif\w*|authenti\w*|authori[sz]\w*"
    r"|approv\w*|confirm\w*"
    r"|(?:do\s+not|don'?t|dont|never|not\s+to|nor)\s+(?:\w+\s+){0,2}?(?:share|disclose))\b"
)
WORDINGS = (
    "otp", "pin", "mpin", "password", "passcode", "passkey", "passwd", "code", "promocode",
    "verification", "verify", "authentication", "authorise", "authorized", "approve",
    "approval", "confirm", "confirmation", "do not share", "don't share", "dont share",
    "never share", "not to share", "nor disclose", "do not ever share", "never, share",
    "never  ever  really share", "never ever ever ever share", "shared", "disclosed",
)  # fmt: skip


def _bodies() -> list[str]:
    bodies = lowered_bodies()
    rng = random.Random(3)
    varied = []
    for body in bodies:
        words = body.split(" ")
        at = rng.randrange(len(words) + 1)
        wording = rng.choice(WORDINGS)
        # the wording as a word of its own, glued to a word before or after, or alone
        glue = rng.choice((" ", "x", "_", "7", "/", "-"))
        varied.append(" ".join([*words[:at], wording, *words[at:]]))
        varied.append(" ".join(words[:at]) + glue + wording + rng.choice(("", "s", "9", "!")))
    return bodies + varied


@pytest.mark.parametrize("wording", WORDINGS)
def test_each_wording_alone_and_in_a_sentence(wording: str) -> None:
    for text in (wording, f"rs 5 debited. {wording} 1234 with anyone", f"x{wording}y"):
        assert _otp_wording(text) == (ONE_REGEX.search(text) is not None), text


def test_every_corpus_body_with_wordings_placed_and_glued() -> None:
    bodies = _bodies()
    said = 0
    for body in bodies:
        expected = ONE_REGEX.search(body) is not None
        assert _otp_wording(body) == expected, body
        said += expected
    assert 0 < said < len(bodies)  # both answers were compared, not only one


# "Presents the code as something to use", as one plain regex before its digits were split off
# and the rest rewritten for re's skip-ahead (regex_prefix): the code's digits as they were,
# then the rest as privacy writes it.
PRESENTS_ONE_REGEX = re.compile(
    r"\b\d{4,8}\s*(?:is|as|=)\s+(?:\w+\s+){0,3}?(?:otp|code|pin|password|passcode|token)\b|"
    + PRESENTS_CODE_TEXT
)
PRESENTING = (
    "123456 is your otp", "1234 as the code", "98765432 = token", "x1234 is your otp",
    "otp is 1234", "code: 445566", "pin-1234", "use", "enter", "valid for 5 min", "expires",
    "to complete", "to log in", "will be debited", "to be paid", "one-time", "one time",
    "verification", "passcode",
)  # fmt: skip


def test_presenting_a_code_split_in_two_searches_says_the_same() -> None:
    from assets.common.privacy import _CODE_IS_OTP, _PRESENTS_CODE

    rng = random.Random(4)
    bodies = _bodies()
    texts = bodies + [
        " ".join([*rng.sample(body.split(" "), k=len(body.split(" "))), rng.choice(PRESENTING)])
        for body in bodies
    ]
    said = 0
    for text in texts:
        expected = PRESENTS_ONE_REGEX.search(text) is not None
        found = _CODE_IS_OTP.search(text) is not None or _PRESENTS_CODE.search(text) is not None
        assert found == expected, text
        said += expected
    assert 0 < said < len(texts)
