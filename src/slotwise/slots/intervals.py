"""Helpers on half-open spans ``(start, end)`` of integers or aware datetimes.

A span is empty when ``end <= start``; empty spans never appear in results. Results of
``merge``, ``subtract`` and ``clip`` are sorted, disjoint and non-touching.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

T = TypeVar("T", int, datetime)


def merge(spans: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """Union of ``spans``; overlapping or touching spans are joined."""
    out: list[tuple[T, T]] = []
    for start, end in sorted(span for span in spans if span[0] < span[1]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(spans: Iterable[tuple[T, T]], cuts: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """``spans`` minus the union of ``cuts``."""
    holes = merge(cuts)
    out: list[tuple[T, T]] = []
    i = 0
    for span_start, end in merge(spans):
        while i < len(holes) and holes[i][1] <= span_start:
            i += 1
        start, j = span_start, i
        while j < len(holes) and holes[j][0] < end:
            hole_start, hole_end = holes[j]
            if hole_start > start:
                out.append((start, hole_start))
            start = max(start, hole_end)
            j += 1
        if start < end:
            out.append((start, end))
    return out


def clip(spans: Iterable[tuple[T, T]], lo: T, hi: T) -> list[tuple[T, T]]:
    """Union of ``spans`` restricted to ``[lo, hi)``."""
    return [(max(s, lo), min(e, hi)) for s, e in merge(spans) if s < hi and e > lo]


def overlaps(a: tuple[T, T], b: tuple[T, T]) -> bool:
    """Whether two non-empty spans share at least one instant."""
    return a[0] < b[1] and b[0] < a[1] and a[0] < a[1] and b[0] < b[1]


def contains(spans: list[tuple[T, T]], start: T, end: T) -> bool:
    """Whether ``[start, end)`` lies inside one span of the merged, sorted ``spans``."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][0] <= start:
            lo = mid + 1
        else:
            hi = mid
    return lo > 0 and spans[lo - 1][1] >= end and start < end
