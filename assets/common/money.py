"""Rupee amounts as Indian readers write them."""

from __future__ import annotations

from decimal import Decimal


def indian_grouping(value: Decimal) -> str:
    """1234567.8 → "12,34,567.80": the last three digits, then pairs (no sign)."""
    whole, _, fraction = f"{abs(value):.2f}".partition(".")
    head, last = whole[:-3], whole[-3:]
    pairs = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    grouped = ",".join([p for p in (head, *pairs) if p] + [last])
    return f"{grouped}.{fraction}"
