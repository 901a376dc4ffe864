"""Learned category suggestions: a small naive Bayes model over the owner's filed history.

Each transaction becomes a handful of string features (the payee, the UPI handle and its
provider, the words of the raw counterparty and their first four letters, the direction with
the channel, the kind, an amount band, the weekday and the hour); the model counts how often
each feature came with each category and suggests the category with the highest posterior.
Naive Bayes treats the features as independent, which they are not (a payee and its words say
the same thing twice), so its raw posterior is overconfident: the log-posterior is divided by
TEMPERATURE before the softmax. The temperature and the choice of this model over scikit-learn's
logistic regression were settled by `benchmarks/learned_eval.py` (docs/parser.md, Learned
categories).

Plain functions and counts in dicts: training three years of history takes milliseconds, and
nothing heavier than the standard library is imported.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

# Dividing the log-posterior by this brings the confidence near the share of suggestions that
# are right (chosen on a validation month before the evaluation month, benchmarks/learned_eval.py).
TEMPERATURE = 2.0
_ALPHA = 0.1  # additive smoothing of the feature counts
_VPA = re.compile(r"([a-z0-9][a-z0-9._\-]*)@([a-z][a-z0-9]*)")
_WORD = re.compile(r"[a-z]{3,}")
_BAND = math.log(1.6)  # amount bands: each 1.6× wider than the one below
# Features that name the payee (the rest are habits: kind, amount, weekday, hour).
_NAMING = ("p:", "h:", "w:", "w4:")


class Example(NamedTuple):
    """What the model reads of one transaction (`when` in the owner's timezone)."""

    payee: str | None
    counterparty: str | None
    direction: str
    channel: str
    kind: str | None
    amount: float
    when: dt.datetime


class Suggestion(NamedTuple):
    """The most likely category (a tail such as "Food:Groceries") and its confidence 0…1."""

    category: str
    confidence: float


def features(x: Example) -> list[str]:
    """The string features of one transaction (each counts once)."""
    out = [
        f"dc:{x.direction}:{x.channel}",
        f"k:{x.kind}",
        f"a:{_band(x.amount)}",
        f"wd:{x.when.weekday()}",
        f"hr:{x.when.hour // 2}",
    ]
    if x.payee:
        out.append("p:" + x.payee.lower())
    text = (x.counterparty or "").lower()
    vpa = _VPA.search(text)
    if vpa:
        handle, provider = vpa.groups()
        out.append("h:" + handle)
        out.append("psp:" + provider)
        text = text[: vpa.start()] + " " + re.sub(r"[._\-0-9]+", " ", handle)
    seen: set[str] = set()
    for word in _WORD.findall(text):
        if word not in seen:
            seen.add(word)
            out.append("w:" + word)
            if len(word) > 4:
                out.append("w4:" + word[:4])
    return out


def _band(amount: float) -> int:
    return int(math.log(max(amount, 1.0)) / _BAND)


class Model:
    """Naive Bayes counts of features per category; `suggest` gives the best category."""

    def __init__(self) -> None:
        self.class_counts: dict[str, int] = defaultdict(int)
        self.feature_totals: dict[str, int] = defaultdict(int)
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._log_prior: dict[str, float] = {}
        self._log_denominator: dict[str, float] = {}
        self._vocabulary = 0

    def fit(self, examples: Iterable[tuple[Example, str]]) -> Model:
        """Count (features, category) pairs; returns the model, ready to suggest."""
        for example, category in examples:
            self.add(example, category)
        return self.finish()

    def add(self, example: Example, category: str) -> None:
        """Count one filed transaction (call `finish` before suggesting)."""
        self.class_counts[category] += 1
        for feature in features(example):
            self.counts[feature][category] += 1
            self.feature_totals[category] += 1

    def finish(self) -> Model:
        """Turn the counts into the priors and denominators `posterior` uses."""
        total = sum(self.class_counts.values())
        self._vocabulary = len(self.counts)
        self._log_prior = {c: math.log(n / total) for c, n in self.class_counts.items()}
        self._log_denominator = {
            c: math.log(self.feature_totals[c] + _ALPHA * self._vocabulary)
            for c in self.class_counts
        }
        return self

    def __len__(self) -> int:
        return sum(self.class_counts.values())

    def posterior(self, example: Example) -> dict[str, float]:
        """Every category's probability (tempered), summing to 1.

        {} when the model cannot tell: fewer than two categories learned, or nothing that
        names the payee (payee, handle, a word) ever seen: amount and hour alone would make a
        confident guess out of habits shared by every category.
        """
        if len(self._log_prior) < 2:
            return {}
        scores = dict(self._log_prior)
        named = False
        for feature in features(example):
            per_class = self.counts.get(feature)
            if per_class is None:
                continue  # never seen: says nothing about any category
            named = named or feature.startswith(_NAMING)
            for category in scores:
                scores[category] += math.log(per_class.get(category, 0) + _ALPHA)
                scores[category] -= self._log_denominator[category]
        if not named:
            return {}
        top = max(scores.values())
        weights = {c: math.exp((s - top) / TEMPERATURE) for c, s in scores.items()}
        norm = sum(weights.values())
        return {c: w / norm for c, w in weights.items()}

    def suggest(self, example: Example) -> Suggestion | None:
        """The most likely category and its confidence; None before anything is learned."""
        probabilities = self.posterior(example)
        if not probabilities:
            return None
        category = max(probabilities, key=lambda c: (probabilities[c], c))
        return Suggestion(category, probabilities[category])


def train(history: Sequence[tuple[Example, str]]) -> Model:
    """A model of the owner's filed history ((example, category) pairs)."""
    return Model().fit(history)
