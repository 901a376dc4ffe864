"""Parse throughput on one core: the labelled corpora repeated to N messages, shuffled.

Two figures: parse_message called per message in that order, and parse_grouped given the whole
shuffled batch as derive runs it (grouped by issuer and wording, the sort counted, the cyclic
collector paused).

Usage: python benchmarks/parse_throughput.py [N]   (default 100000)

Prints the host reference of host_speed.py beside the figure, and their ratio: the ratio is
what compares runs taken on different days of a shared host.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from host_speed import reference_us

from assets.common.gc_pause import gc_paused
from assets.transactions.parsing import parse_grouped, parse_message

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "sms"


@gc_paused  # as derive_transactions runs it
def _batch_transactions(messages: list[tuple[str, str]]) -> int:
    senders = [sender for sender, _ in messages]
    bodies = [body for _, body in messages]
    return sum(result.transaction is not None for _, result in parse_grouped(senders, bodies))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    corpus = [
        (record["sender"], record["body"])
        for name in ("sms-dev.jsonl", "sms-extra.jsonl")
        for record in map(json.loads, (DATA / name).read_text(encoding="utf-8").splitlines())
    ]
    messages = [corpus[i % len(corpus)] for i in range(count)]
    random.Random(7).shuffle(messages)
    start, cpu_start = time.perf_counter(), time.process_time()
    transactions = sum(parse_message(s, b).transaction is not None for s, b in messages)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # CPU seconds beside the wall clock: on a shared host the two part, and the first says
    # what one core does when it is this process's alone.
    print(
        f"parse_message, one by one: {count} messages ({transactions} transactions) in "
        f"{elapsed:.3f} s: {count / elapsed:,.0f} msgs/s on one core ({count / cpu:,.0f} per CPU "
        "second)"
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    batch = _batch_transactions(messages)
    batch_elapsed, batch_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assert batch == transactions, "parse_grouped read what parse_message read"
    print(
        f"parse_grouped, the batch: {count} messages in {batch_elapsed:.3f} s: "
        f"{count / batch_elapsed:,.0f} msgs/s on one core ({count / batch_cpu:,.0f} per CPU "
        "second)"
    )
    # The host's speed drifts between days: the reference workload (host_speed.py) beside it.
    loops = 1e6 / reference_us()
    print(
        f"host reference: {loops:,.0f} timeit loops/s (benchmarks/host_speed.py); "
        f"msgs per CPU second / reference loops per second = {count / cpu / loops:.3f} one by one, "
        f"{count / batch_cpu / loops:.3f} the batch"
    )


if __name__ == "__main__":
    main()
