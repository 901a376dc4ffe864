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
    return [
        *shape_features(x.direction, x.channel, x.kind),
        amount_feature(x.amount),
        *time_features(x.when.weekday(), x.when.hour),
        *name_features(x.payee, x.counterparty),
    ]


# The features come in four parts, each a function of a few columns only, so that a warehouse
# can count each part with one GROUP BY (learned_apply.py) instead of row by row.
def shape_features(direction: str, channel: str, kind: str | None) -> list[str]:
    """What kind of movement: direction with channel, and kind."""
    return [f"dc:{direction}:{channel}", f"k:{kind}"]


def amount_feature(amount: float) -> str:
    """The amount's band."""
    return f"a:{_band(amount)}"


def time_features(weekday: int, hour: int) -> list[str]:
    """When, in the owner's timezone: weekday (Monday 0) and two-hour band."""
    return [f"wd:{weekday}", f"hr:{hour // 2}"]


def name_features(payee: str | None, counterparty: str | None) -> list[str]:
    """What names the payee: the payee, the UPI handle and its provider, the words of the raw
    text (a handle's parts among them) and their first four letters."""
    out = []
    if payee:
        out.append("p:" + payee.lower())
    text = (counterparty or "").lower()
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
        self._classes: tuple[str, ...] = ()
        self._log_prior: list[float] = []
        self._log_denominator: list[float] = []
        self._evidence: dict[str, list[float]] = {}

    def fit(self, examples: Iterable[tuple[Example, str]]) -> Model:
        """Count (features, category) pairs; returns the model, ready to suggest."""
        for example, category in examples:
            self.add(example, category)
        return self.finish()

    def add(self, example: Example, category: str) -> None:
        """Count one filed transaction (call `finish` before suggesting)."""
        self.class_counts[category] += 1
        self.add_features(features(example), category)

    def add_features(self, found: Sequence[str], category: str, times: int = 1) -> None:
        """Count features seen `times` with a category; the transactions themselves are counted
        in `class_counts` (a caller counting by parts counts them once)."""
        for feature in found:
            self.counts[feature][category] += times
        self.feature_totals[category] += times * len(found)

    def finish(self) -> Model:
        """Turn the counts into the priors and denominators `posterior` uses."""
        total = sum(self.class_counts.values())
        vocabulary = len(self.counts)
        self._classes = tuple(sorted(self.class_counts))
        self._log_prior = [math.log(self.class_counts[c] / total) for c in self._classes]
        self._log_denominator = [
            math.log(self.feature_totals[c] + _ALPHA * vocabulary) for c in self._classes
        ]
        self._evidence = {}
        return self

    def __len__(self) -> int:
        return sum(self.class_counts.values())

    def _log_likelihoods(self, feature: str) -> list[float] | None:
        """log P(feature | category) for each category in order; None for a feature never seen.
        Kept once computed: merchants and hours repeat."""
        found = self._evidence.get(feature)
        if found is None:
            per_class = self.counts.get(feature)
            if per_class is None:
                return None
            found = self._evidence[feature] = [
                math.log(per_class.get(c, 0) + _ALPHA) - denominator
                for c, denominator in zip(self._classes, self._log_denominator, strict=True)
            ]
        return found

    def posterior(self, example: Example) -> dict[str, float]:
        """Every category's probability (tempered), summing to 1.

        {} when the model cannot tell: fewer than two categories learned, or nothing that
        names the payee (payee, handle, a word) ever seen: amount and hour alone would make a
        confident guess out of habits shared by every category.
        """
        if len(self._classes) < 2:
            return {}
        scores = list(self._log_prior)
        named = False
        for feature in features(example):
            evidence = self._log_likelihoods(feature)
            if evidence is None:
                continue  # never seen: says nothing about any category
            named = named or feature.startswith(_NAMING)
            scores = [s + e for s, e in zip(scores, evidence, strict=True)]
        if not named:
            return {}
        top = max(scores)
        weights = [math.exp((s - top) / TEMPERATURE) for s in scores]
        norm = sum(weights)
        return {c: w / norm for c, w in zip(self._classes, weights, strict=True)}

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
