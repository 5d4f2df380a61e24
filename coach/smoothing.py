"""One Euro filter on every landmark coordinate: steady when the body is still, little lag when it moves.

A fixed low-pass filter must choose between jitter (high cutoff) and lag (low cutoff). The One Euro filter
(Casiez, Roussel, Vogel, CHI 2012) raises its cutoff with the signal's speed, so a still landmark is smoothed hard
and a moving one is followed closely. Time comes from `Pose.t_ms`, never the wall clock.

Parameters (one set for image and world coordinates; both are O(1) units: frame fractions and metres):
- min_cutoff_hz: cutoff when still. Lower = less jitter at rest, but more lag when movement starts.
- beta: how fast the cutoff rises with speed (per unit/s). Higher = less lag in fast moves, more jitter passes.
- d_cutoff_hz: cutoff of the speed estimate itself. Lower = a calmer speed (the cutoff jumps less on noise),
  but the filter reacts later to a real change of speed.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from coach.pose import Pose

MIN_CUTOFF_HZ = 1.0
BETA = 5.0
D_CUTOFF_HZ = 1.0
RESET_GAP_MS = 500  # after a longer gap (or a lost pose) the old state says nothing about the new position


def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray | float:
    """Smoothing factor of a first-order low-pass filter with this cutoff, for one step of dt_s."""
    tau_s = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau_s / dt_s)


class OneEuroFilter:
    """One Euro filter over an array of independent coordinates (any shape)."""

    def __init__(self, min_cutoff_hz: float = MIN_CUTOFF_HZ, beta: float = BETA,
                 d_cutoff_hz: float = D_CUTOFF_HZ) -> None:
        self.min_cutoff_hz, self.beta, self.d_cutoff_hz = min_cutoff_hz, beta, d_cutoff_hz
        self.reset()

    def reset(self) -> None:
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None
        self._t_ms: int | None = None

    def apply(self, t_ms: int, value: np.ndarray) -> np.ndarray:
        """The filtered value at t_ms; the first call after a reset passes the value through."""
        value = np.asarray(value, dtype=float)
        if self._value is None or self._speed is None or self._t_ms is None or t_ms <= self._t_ms:
            self._value, self._speed, self._t_ms = value.copy(), np.zeros_like(value), t_ms
            return value.copy()
        dt_s = (t_ms - self._t_ms) / 1000.0
        raw_speed = (value - self._value) / dt_s
        self._speed = self._speed + _alpha(self.d_cutoff_hz, dt_s) * (raw_speed - self._speed)
        cutoff_hz = self.min_cutoff_hz + self.beta * np.abs(self._speed)
        self._value = self._value + _alpha(cutoff_hz, dt_s) * (value - self._value)
        self._t_ms = t_ms
        return self._value.copy()


class PoseSmoother:
    """Smooths image and world landmarks of successive poses; visibility and presence pass through unchanged."""

    def __init__(self, min_cutoff_hz: float = MIN_CUTOFF_HZ, beta: float = BETA, d_cutoff_hz: float = D_CUTOFF_HZ,
                 reset_gap_ms: int = RESET_GAP_MS) -> None:
        self._image = OneEuroFilter(min_cutoff_hz, beta, d_cutoff_hz)
        self._world = OneEuroFilter(min_cutoff_hz, beta, d_cutoff_hz)
        self.reset_gap_ms = reset_gap_ms
        self._last_t_ms: int | None = None

    def apply(self, pose: Pose | None) -> Pose | None:
        """The smoothed pose (None stays None and starts afresh, as does a gap longer than reset_gap_ms)."""
        if pose is None:
            self._reset()
            return None
        if self._last_t_ms is not None and pose.t_ms - self._last_t_ms > self.reset_gap_ms:
            self._reset()
        self._last_t_ms = pose.t_ms
        return replace(pose, image_xyz=self._image.apply(pose.t_ms, pose.image_xyz),
                       world_xyz=self._world.apply(pose.t_ms, pose.world_xyz))

    def _reset(self) -> None:
        self._image.reset()
        self._world.reset()
        self._last_t_ms = None
