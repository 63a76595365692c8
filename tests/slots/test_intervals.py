from datetime import UTC, datetime
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from slotwise.slots.intervals import clip, contains, merge, overlaps, subtract


def test_merge_joins_overlapping_and_touching_and_drops_empty() -> None:
    spans = [(5, 7), (1, 3), (3, 4), (10, 10), (6, 9), (12, 11)]
    assert merge(spans) == [(1, 4), (5, 9)]


def test_merge_keeps_gaps() -> None:
    assert merge([(1, 2), (3, 4)]) == [(1, 2), (3, 4)]


def test_subtract_cuts_holes_edges_and_whole_spans() -> None:
    spans = [(0, 10), (20, 30), (40, 50)]
    cuts = [(2, 3), (8, 22), (40, 50), (5, 6)]
    assert subtract(spans, cuts) == [(0, 2), (3, 5), (6, 8), (22, 30)]


def test_subtract_with_nothing_to_cut_merges() -> None:
    assert subtract([(3, 5), (0, 3)], []) == [(0, 5)]


def test_clip_restricts_to_bounds() -> None:
    assert clip([(0, 5), (8, 12), (20, 30)], 3, 10) == [(3, 5), (8, 10)]


def test_overlaps_is_half_open() -> None:
    assert overlaps((0, 5), (4, 6))
    assert not overlaps((0, 5), (5, 6))
    assert not overlaps((0, 5), (3, 3))


def test_contains_requires_one_span() -> None:
    spans = [(0, 5), (5, 10), (12, 20)]  # not merged: [0, 10) is split on purpose
    assert contains(spans, 12, 20)
    assert contains(spans, 6, 10)
    assert not contains(spans, 4, 6)
    assert not contains(spans, 10, 13)
    assert not contains(spans, 25, 26)


def test_helpers_work_on_datetimes() -> None:
    def at(hour: int) -> datetime:
        return datetime(2026, 3, 2, hour, tzinfo=UTC)

    spans = merge([(at(9), at(12)), (at(11), at(13))])
    assert spans == [(at(9), at(13))]
    assert subtract(spans, [(at(10), at(11))]) == [(at(9), at(10)), (at(11), at(13))]


span = st.tuples(st.integers(0, 40), st.integers(0, 40))


def points(spans: list[tuple[int, int]]) -> set[int]:
    return {x for start, end in spans for x in range(start, end)}


@settings(max_examples=200, deadline=None)
@given(st.lists(span, max_size=8), st.lists(span, max_size=8))
def test_set_semantics(spans: list[tuple[int, int]], cuts: list[tuple[int, int]]) -> None:
    merged = merge(spans)
    assert points(merged) == points(spans)
    assert all(a[1] < b[0] for a, b in pairwise(merged))
    rest = subtract(spans, cuts)
    assert points(rest) == points(spans) - points(cuts)
    assert all(a[1] < b[0] for a, b in pairwise(rest))
    assert points(clip(spans, 10, 30)) == points(spans) & set(range(10, 30))
