"""Benchmark of the pure slot engine.

Run with ``uv run python bench/slots_engine.py``. Prints median and p95 wall time per
``compute_slots`` call for the reference case (1 host, 31 days, weekly schedule with a lunch
break, 500 busy intervals; target: median under 2 ms) and a days x busy scaling table.
"""

from __future__ import annotations

import random
import statistics
import time as clock
from datetime import UTC, datetime, time, timedelta

from slotwise.slots.engine import compute_slots, troubleshoot_slots
from slotwise.slots.types import Busy, Interval, SlotQuery, TimeRange

ZONE = "Europe/Berlin"
START = datetime(2026, 3, 2, tzinfo=UTC)
NOW = START - timedelta(days=1)
WORKDAY = (TimeRange(time(9), time(12)), TimeRange(time(13), time(17)))
WEEKLY = dict.fromkeys(range(5), WORKDAY)


def make_query(days: int) -> SlotQuery:
    return SlotQuery(
        zone=ZONE,
        weekly=WEEKLY,
        window_start=START,
        window_end=START + timedelta(days=days),
        duration=30,
        interval=15,
        buffer_before=5,
        buffer_after=10,
        booking_minimum=60,
    )


def make_busy(days: int, count: int, seed: int = 7) -> list[Busy]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        start = START + timedelta(minutes=15 * rng.randrange(days * 96))
        length = timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))
        out.append(
            Busy(
                Interval(start, start + length),
                buffer_before=rng.choice((0, 5, 15)),
                buffer_after=rng.choice((0, 10, 15)),
                appointment_id=f"appt-{n}",
            )
        )
    return out


def measure(query: SlotQuery, busy: list[Busy], runs: int) -> tuple[float, float, int]:
    """Median and p95 in milliseconds, and the number of slots returned."""
    found = len(compute_slots(query, busy, NOW))
    samples = []
    for _ in range(runs):
        began = clock.perf_counter()
        compute_slots(query, busy, NOW)
        samples.append((clock.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], found


def main() -> None:
    query, busy = make_query(31), make_busy(31, 500)
    median, p95, found = measure(query, busy, 500)
    print(f"reference: 1 host, 31 days, lunch break, 500 busy -> {found} slots")
    print(f"  compute_slots      median {median:.3f} ms  p95 {p95:.3f} ms  (target < 2 ms)")
    samples = []
    for _ in range(100):
        began = clock.perf_counter()
        troubleshoot_slots(query, busy, NOW)
        samples.append((clock.perf_counter() - began) * 1000)
    print(f"  troubleshoot_slots median {statistics.median(samples):.3f} ms")
    hosts = [make_busy(31, 50, seed=host) for host in range(10)]
    began = clock.perf_counter()
    for _ in range(50):
        for host_busy in hosts:
            compute_slots(query, host_busy, NOW)
    print(
        f"  10 hosts x 50 busy, 31 days: {(clock.perf_counter() - began) * 20:.3f} ms per 10 calls"
    )

    print("\nscaling (median / p95 ms per call, slots returned)")
    counts = (0, 100, 500, 2000)
    print(f"{'days':>5} " + " ".join(f"{f'{n} busy':>22}" for n in counts))
    medians: dict[tuple[int, int], float] = {}
    for days in (7, 31, 62):
        cells = []
        for count in counts:
            median, p95, found = measure(make_query(days), make_busy(days, count), 300)
            medians[days, count] = median
            cells.append(f"{median:6.3f}/{p95:6.3f} ({found:4d})")
        print(f"{days:>5} " + " ".join(f"{cell:>22}" for cell in cells))
    print("\ngrowth of the median:")
    for count in counts:
        ratios = medians[31, count] / medians[7, count], medians[62, count] / medians[31, count]
        print(f"  {count:>4} busy: 7->31 days x{ratios[0]:.2f}, 31->62 days x{ratios[1]:.2f}")
    for days in (7, 31, 62):
        ratio = medians[days, 2000] / medians[days, 500]
        print(f"  {days:>4} days: 500->2000 busy x{ratio:.2f}")


if __name__ == "__main__":
    main()
