"""Is someone really there? A returned pose is not yet a person.

MediaPipe returns a confident "pose" on empty scenes (flowers and a fire, clothes on a chair, a backpack): on two
real empty-room clips it did so in 310 of 498 and 605 of 1091 frames, with shoulder and hip visibility near 1.0.
What gives such a pose away is that it is not a body: its bones change length from frame to frame. Over one
second, the median coefficient of variation of the eight limb bones (3D, as fractions of the torso) read
0.09-0.26 (10th-90th percentile) on those empty rooms and 0.004-0.11 on twelve clips of real people, including
jumping jacks, squats, lunges and bridges.

So a pose counts as a person only once its bones have held steady for a short window, and stops counting when they
stop being steady for a while (hysteresis, so a fast move does not drop a real person). Everything runs on frame
timestamps; the first frames of someone walking in are held back for at most ACQUIRE_MS.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

from coach import geometry as g
from coach.landmarks import sided
from coach.pose import Pose

WINDOW_MS = 1000
"""Bone lengths are compared over this much frame time."""
MIN_FRAMES = 6
"""A window needs this many poses to judge (0.2 s at 30 fps)."""
ACQUIRE_MS = 250
"""Steady bones for this long make a person: real people were picked up 0.33-0.48 s after their first pose."""
STEADY_CV = 0.09
"""Median bone-length variation (std / mean over the window) at or under which the body reads as steady."""
UNSTEADY_CV = 0.14
"""Over this, for RELEASE_MS, a person is dropped: jumping jacks reached 0.11 at the 90th percentile."""
RELEASE_MS = 1000
LOST_AFTER_MS = 500
"""A gap with no pose this long starts afresh (MediaPipe's tracker has let go too); shorter dropouts are kept."""
LIMB_BONES = (("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist"))


def bone_ratios(pose: Pose) -> np.ndarray:
    """The eight limb bone lengths (3D) as fractions of the torso length."""
    torso_m = max(g.torso_length_m(pose), 1e-6)
    return np.array([
        float(np.linalg.norm(g.world(pose, sided(side, start)) - g.world(pose, sided(side, end)))) / torso_m
        for start, end in LIMB_BONES for side in ("left", "right")
    ])


class PersonGate:
    """apply(pose) -> the pose when a person is there, else None. One per stream; feed every frame in order."""

    def __init__(self) -> None:
        self._window: deque[tuple[int, np.ndarray]] = deque()
        self.present = False
        self._steady_since_ms: int | None = None
        self._unsteady_since_ms: int | None = None
        self._last_pose_ms: int | None = None
        self.steady_from_ms: int | None = None
        """Where the steady stretch that made (or is making) a person began: the oldest pose in its window."""

    def apply(self, pose: Pose | None) -> Pose | None:
        if pose is None:
            return None
        if self._last_pose_ms is not None and pose.t_ms - self._last_pose_ms > LOST_AFTER_MS:
            self._start_afresh()
        self._last_pose_ms = pose.t_ms
        self._window.append((pose.t_ms, bone_ratios(pose)))
        while self._window and pose.t_ms - self._window[0][0] > WINDOW_MS:
            self._window.popleft()
        variation = self._variation()
        self._update(pose.t_ms, variation)
        return pose if self.present else None

    def _variation(self) -> float | None:
        """Median over the bones of std / mean in the window; None while the window is too short to say."""
        if len(self._window) < MIN_FRAMES:
            return None
        ratios = np.array([r for _, r in self._window])
        return float(np.median(ratios.std(axis=0) / np.maximum(ratios.mean(axis=0), 1e-6)))

    def _update(self, t_ms: int, variation: float | None) -> None:
        if variation is None:
            return
        if variation <= STEADY_CV:
            self._unsteady_since_ms = None
            if self._steady_since_ms is None:
                self._steady_since_ms, self.steady_from_ms = t_ms, self._window[0][0]
            if t_ms - self._steady_since_ms >= ACQUIRE_MS:
                self.present = True
        elif variation > UNSTEADY_CV:
            self._steady_since_ms = None
            if self._unsteady_since_ms is None:
                self._unsteady_since_ms = t_ms
            if t_ms - self._unsteady_since_ms >= RELEASE_MS:
                self.present = False

    def _start_afresh(self) -> None:
        self._window.clear()
        self.present = False
        self._steady_since_ms = self._unsteady_since_ms = None


def people_in(timeline: Sequence[tuple[int, Pose | None]]) -> list[tuple[int, Pose | None]]:
    """The person gate over a whole recorded stream (replay, benchmarks): a pose is kept where the gate finds a
    person, and, since the whole stream is at hand, also back to where the steady stretch that found them began, so
    a recording does not lose its first half second (a live stream cannot look back and drops it)."""
    gate = PersonGate()
    kept: list[tuple[int, Pose | None]] = []
    for t_ms, pose in timeline:
        found = gate.apply(pose)
        if found is not None and not (kept and kept[-1][1] is not None) and gate.steady_from_ms is not None:
            for index in range(len(kept) - 1, -1, -1):
                if kept[index][0] < gate.steady_from_ms or kept[index][1] is not None:
                    break
                kept[index] = (kept[index][0], timeline[index][1])
        kept.append((t_ms, found))
    return kept
