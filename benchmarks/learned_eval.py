"""How well the learned category model does, and what it costs, on a held-out month.

    python benchmarks/learned_eval.py [--seed N] [--sklearn]

The history is tests/transactions/learned_history.py: three years of an owner's hand-labelled
spending at payees homeclerk's rules and payee table do not know. The model is trained on every
month before the last and scored on the last (the evaluation month); the month before is a
validation month (trained on what precedes it) on which the temperature was chosen. Prints
top-1 accuracy, then per confidence threshold how much would be auto-applied (coverage) and how
much of that is right (precision), the training time on all three years and the time of one
suggestion. With --sklearn (scikit-learn installed), the same for a logistic regression on the
same features, its import time and its installed size.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assets.transactions.learned import Example, features, train
from tests.transactions.learned_history import MONTHS, Row, history

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
Predict = Callable[[Example], tuple[str, float]]


Scored = list[tuple[tuple[str, float], Row, bool]]  # (guess, row, payee seen in training)


def predictions(predict: Predict, test: Sequence[Row], seen: set[str]) -> Scored:
    return [(predict(r.example), r, r.example.payee in seen) for r in test]


def score(name: str, scored: Scored) -> None:
    test = [r for _, r, _ in scored]
    results = [(g, r) for g, r, _ in scored]
    right = sum(guess == r.category for (guess, _), r in results)
    new = [(g, r) for g, r, known in scored if not known]
    new_right = sum(guess == r.category for (guess, _), r in new)
    print(
        f"{name}: top-1 {right / len(test):.1%} of {len(test)}"
        f" (payees seen in training {(right - new_right) / max(1, len(test) - len(new)):.1%},"
        f" new payees {new_right / max(1, len(new)):.1%} of {len(new)})"
    )
    meant = sum(guess == r.intended for (guess, _), r in results)
    print(
        f"  top-1 against what the owner meant (slips of the hand undone): {meant / len(test):.1%}"
    )
    print("  threshold  coverage  precision  precision (meant)")
    for threshold in THRESHOLDS:
        applied = [(g, r) for g, r in results if g[1] >= threshold]
        good = sum(g[0] == r.category for g, r in applied)
        good_meant = sum(g[0] == r.intended for g, r in applied)
        precision = f"{good / len(applied):.1%}" if applied else "-"
        precision_meant = f"{good_meant / len(applied):.1%}" if applied else "-"
        print(
            f"  {threshold:9.2f}  {len(applied) / len(test):8.1%}  {precision:>9}"
            f"  {precision_meant:>17}"
        )


def naive_bayes(train_rows: Sequence[Row]) -> Predict:
    model = train([(r.example, r.category) for r in train_rows])

    def predict(x: Example) -> tuple[str, float]:
        s = model.suggest(x)
        return ("", 0.0) if s is None else (s.category, s.confidence)

    return predict


def logistic(train_rows: Sequence[Row]) -> Predict:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([dict.fromkeys(features(r.example), 1) for r in train_rows])
    model = LogisticRegression(max_iter=1000, C=10.0)
    model.fit(matrix, [r.category for r in train_rows])

    def predict(x: Example) -> tuple[str, float]:
        p = model.predict_proba(vectorizer.transform([dict.fromkeys(features(x), 1)]))[0]
        best = int(p.argmax())
        return str(model.classes_[best]), float(p[best])

    return predict


def timed(build: Callable[[Sequence[Row]], Predict], rows: Sequence[Row]) -> tuple[float, ...]:
    """Medians of (wall, CPU) seconds to train on all rows, then per suggestion."""
    trains = []
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.process_time()
        predict = build(rows)
        trains.append((time.perf_counter() - wall, time.process_time() - cpu))
    sample = [r.example for r in rows[-500:]]
    per = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        for x in sample:
            predict(x)
        n = len(sample)
        per.append(((time.perf_counter() - wall) / n, (time.process_time() - cpu) / n))
    median = statistics.median
    return (
        median(t[0] for t in trains),
        median(t[1] for t in trains),
        median(p[0] for p in per),
        median(p[1] for p in per),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="histories to pool (10)")
    parser.add_argument("--sklearn", action="store_true", help="compare scikit-learn too")
    args = parser.parse_args()
    histories = [history(seed) for seed in range(1, args.seeds + 1)]
    rows = histories[0]
    last = MONTHS - 1
    models: list[tuple[str, Callable[[Sequence[Row]], Predict]]] = [("naive Bayes", naive_bayes)]
    if args.sklearn:
        models.append(("logistic regression (scikit-learn)", logistic))
    print(
        f"{args.seeds} histories (seeds 1-{args.seeds}) of about {len(rows)} transactions over"
        f" {MONTHS} months each; each model trained on one history's months before the month"
        " scored, the scores pooled"
    )
    for label, month in (("validation month", last - 1), ("evaluation month", last)):
        print(f"\n== {label}")
        for name, build in models:
            pooled: Scored = []
            for rows_of_seed in histories:
                train_rows = [r for r in rows_of_seed if r.month < month]
                test = [r for r in rows_of_seed if r.month == month]
                seen = {r.example.payee for r in train_rows if r.example.payee}
                pooled += predictions(build(train_rows), test, seen)
            score(name, pooled)
    print("\n== cost (all three years; wall time, and CPU time of all this process's threads)")
    for name, build in models:
        fit, fit_cpu, per, per_cpu = timed(build, rows)
        print(
            f"{name}: training {fit * 1000:.1f} ms (CPU {fit_cpu * 1000:.1f} ms),"
            f" one suggestion {per * 1e6:.0f} µs (CPU {per_cpu * 1e6:.0f} µs)"
        )
    if args.sklearn:
        _sklearn_cost()


def _sklearn_cost() -> None:
    code = "import sklearn.linear_model, sklearn.feature_extraction"
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        runs.append(time.perf_counter() - start)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare = time.perf_counter() - start
    print(f"import scikit-learn: {(statistics.median(runs) - bare) * 1000:.0f} ms")
    size = 0
    for package in ("sklearn", "scipy", "joblib", "threadpoolctl"):
        spec = importlib.util.find_spec(package)
        if spec and spec.submodule_search_locations:
            for folder in spec.submodule_search_locations:
                size += sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())
    print(f"installed size of scikit-learn, scipy, joblib, threadpoolctl: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
