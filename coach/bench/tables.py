"""Markdown tables and PASS/MISS target lines, shared by the three benchmarks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub Markdown table; numbers should be formatted by the caller (see `num`)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def num(value: float | None, digits: int = 1, suffix: str = "") -> str:
    """A figure for a table cell; missing or NaN values read as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}{suffix}"


def pct(value: float | None) -> str:
    return num(None if value is None else 100.0 * value, 0, "%")


@dataclass(frozen=True)
class Target:
    """One published target: passes when `value` is at least (or at most) `limit`."""

    name: str
    value: float | None
    limit: float
    at_least: bool
    unit: str = ""

    @property
    def passed(self) -> bool:
        if self.value is None or math.isnan(self.value):
            return False
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def line(self) -> str:
        sign = ">=" if self.at_least else "<="
        value = "not measured" if self.value is None else f"{self.value:.3g}{self.unit}"
        return f"{'PASS' if self.passed else 'MISS'}  {self.name}: {value} (target {sign} {self.limit:g}{self.unit})"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "pass": self.passed}
