"""Keeping the pose model up with a live camera: `full` while it leaves headroom for the camera's frame rate, the
faster `lite` while it does not (a slow laptop, another program busy), and back to `full` once it would fit again.

Why: a live source keeps one frame waiting (coach.live), so a model slower than the camera drops frames, and a rep
that happens between two kept frames can be missed; lite took 14.3 ms a 640x480 frame where full took 18.8 ms on the
2-core bench machine (`speed-20261125-131321`), a quarter less.

The pose time of each frame is measured (the model call's duration, as a stopwatch would); every "for how long" is
frame time. Hysteresis keeps it from flapping:
- down when the median pose time over the last SLOW_FOR_MS of frames is above SLOW_SHARE of the frame interval;
- up when full's estimated time, the median lite time now scaled by how much slower full was than lite around the
  switch, has been under ROOM_SHARE of the frame interval for ROOM_FOR_MS; each later switch down doubles that wait
  (up to MAX_ROOM_FOR_MS), so a wrong estimate costs a few tries spread further and further apart.
"""

from __future__ import annotations

import statistics
from collections import deque

BEST = "full"
FAST = "lite"
SLOW_SHARE = 0.9  # the loop's own work (JPEG decode, checkers, events: 2-3 ms) needs the rest of the frame
ROOM_SHARE = 0.6  # full must be expected to leave 40% of the frame free before it is tried again
SLOW_FOR_MS = 3_000
ROOM_FOR_MS = 10_000
MAX_ROOM_FOR_MS = 120_000
JUDGE_EVERY_MS = 500  # a median over up to MAX_ROOM_FOR_MS of frames (3,600) is not worth taking every frame


class KeepUp:
    """Picks the model variant for the next frame from the pose times of the frames so far (one live session)."""

    def __init__(self, frame_ms: float) -> None:
        self.frame_ms = frame_ms  # the camera's frame interval: the time a frame's pose may take
        self.variant = BEST
        self._recent: deque[tuple[int, float]] = deque()  # (t_ms, pose_ms) on the current variant
        self._since_ms: int | None = None  # the first frame on the current variant
        self._judged_ms: int | None = None  # the last frame the median was taken on
        self._best_ms = 0.0  # full's median pose time when it was left
        self._fast_ref_ms: float | None = None  # lite's median over its first window, under the same load
        self._downs = 0

    def observe(self, t_ms: int, pose_ms: float) -> str | None:
        """Record one frame's pose time; the variant to use from the next frame on, or None to stay."""
        if self._since_ms is None:
            self._since_ms = t_ms
        window_ms = SLOW_FOR_MS if self.variant == BEST else self._room_for_ms()
        self._recent.append((t_ms, pose_ms))
        while self._recent[0][0] <= t_ms - window_ms:
            self._recent.popleft()
        if t_ms - self._since_ms < window_ms:
            return None  # not on this variant for long enough to judge it
        if self._judged_ms is not None and t_ms - self._judged_ms < JUDGE_EVERY_MS:
            return None
        self._judged_ms = t_ms
        median_ms = statistics.median(ms for _, ms in self._recent)
        if self.variant == BEST:
            if median_ms > SLOW_SHARE * self.frame_ms:
                self._best_ms = median_ms
                self._downs += 1
                return self._switch(FAST)
            return None
        if self._fast_ref_ms is None:
            self._fast_ref_ms = median_ms
        if self._best_ms * median_ms / self._fast_ref_ms < ROOM_SHARE * self.frame_ms:
            return self._switch(BEST)
        return None

    def _room_for_ms(self) -> int:
        return min(ROOM_FOR_MS * 2 ** (self._downs - 1), MAX_ROOM_FOR_MS)

    def _switch(self, variant: str) -> str:
        self.variant = variant
        self._recent.clear()
        self._since_ms = None
        self._judged_ms = None
        self._fast_ref_ms = None
        return variant
