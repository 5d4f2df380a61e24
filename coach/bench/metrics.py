"""The figures every benchmark table is built from, as plain functions on plain numbers (unit-tested)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default method); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50.0)


def p95(values: Sequence[float]) -> float:
    return percentile(values, 95.0)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def mae(errors: Sequence[float]) -> float:
    """Mean absolute error of signed errors (counted - labelled)."""
    return mean([abs(e) for e in errors])


def exact_rate(errors: Sequence[float]) -> float:
    """Fraction of errors that are exactly zero."""
    return mean([1.0 if e == 0 else 0.0 for e in errors])


def off_by_one_rate(errors: Sequence[float]) -> float:
    """Fraction of counts that are exactly one too many or one too few."""
    return mean([1.0 if abs(e) == 1 else 0.0 for e in errors])


def stage_stats(durations_ms: Sequence[float]) -> dict[str, float]:
    """Median, p95 and mean of one stage's per-frame durations, in ms (rounded to microseconds)."""
    return {"median_ms": round(median(durations_ms), 3), "p95_ms": round(p95(durations_ms), 3),
            "mean_ms": round(mean(durations_ms), 3)}
