"""A fixed reference workload, timed with `timeit`, printed beside the parser's figures.

The host these benchmarks run on is shared and its speed drifts between days (the same commit
measured 95,000 and 66,000 msgs per CPU second weeks apart). The reference is the kind of work the
parser does (lower-case, split into words, a set test, one regex search over a 160-character
alert), so dividing a throughput by it compares figures taken on different days or hosts.
"""

from __future__ import annotations

import timeit

_SETUP = """
import re
body = ("Rs.1,234.50 debited from A/c XX1234 on 05-Nov-26 to VPA swiggy@icici "
        "(UPI Ref No 412345678901). Not you? Call 18002586161 to block UPI -Bank")
words = frozenset(("will", "shall", "declined", "failed", "otp", "due"))
regex = re.compile(r"(?:rs|inr|₹)\\.?\\s*(?P<amount>[\\d,]+(?:\\.\\d+)?) debited from a/c")
"""
_STATEMENT = "low = body.lower(); words.isdisjoint(low.split()); regex.search(low)"


def reference_us(number: int = 100_000, repeat: int = 5) -> float:
    """Microseconds per loop of the reference workload: the best of `repeat` timings."""

    best = min(timeit.repeat(_STATEMENT, _SETUP, number=number, repeat=repeat))
    return best / number * 1e6


def reference_line() -> str:
    """One line to print beside a throughput: the reference and how to use it."""
    micros = reference_us()
    return (
        f"host reference: {micros:.3f} µs per loop (timeit: lower + split + set test + one "
        f"regex search of a 160-char alert; {1e6 / micros:,.0f} loops/s). Compare throughputs "
        "across days as msgs/s divided by loops/s."
    )


if __name__ == "__main__":
    print(reference_line())
