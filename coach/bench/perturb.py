"""Camera and picture changes for `coach bench accuracy --perturb`: the same labelled clips, filmed worse.

A small set of real clips says little about the next person's camera. Replaying it mirrored, at a phone's low
resolution and frame rate with heavy compression, in a dim room, or with the laptop tilted and further away asks
whether the rules hold for what a user brings, without new footage and without tuning to the clips' exact numbers.
Replaying it faster asks the same of a brisker person. Each change is applied to the decoded frames in memory, so
third-party footage is never re-encoded or copied. Frame times stay the clip's own (a dropped frame leaves a gap,
as a slow camera does), except where the person is made faster: then they shrink, and the labels' times with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np

from coach.labels import ClipLabels
from coach.landmarks import OPPOSITE_SIDE

LOW_SHORT_SIDE_PX = 480
LOW_MAX_FPS = 24.0
"""Faster clips keep every other frame (a 30 fps clip plays at 15)."""
LOW_JPEG_QUALITY = 20
"""Blocky, smeared detail like a heavily compressed stream (H.264 at CRF >= 35 looks alike at these sizes)."""
DIM_GAMMA = 1.8
DIM_GAIN = 0.8
DIM_NOISE_SD = 6.0
"""Sensor noise in 8-bit levels, as a webcam pushes its gain up in a dim room."""
TILT_DEG = 7.0
TILT_ZOOM = 0.82
"""The camera rolled and further back: the person fills less of the picture."""
FAST_SPEED = 1.5
"""A brisker person: the stress renders' fast tempo is 1.33 times their normal, and people vary more than that."""


@dataclass(frozen=True)
class Perturbation:
    """One camera change: what it does to each frame, which frames it keeps, how fast the person moves, and what
    that makes of the labels."""

    name: str
    description: str
    picture: Callable[[np.ndarray, int], np.ndarray] = lambda image, index: image
    """(BGR frame, frame index) -> the changed frame."""
    shown: Callable[[int, float], bool] = lambda index, fps: True
    """(frame index, clip fps) -> whether the camera delivers the frame at all."""
    mirrored: bool = False
    """The picture is flipped left to right, so the person's left is labelled right."""
    speed: float = 1.0
    """The person moves this many times faster: every frame time is divided by it, and the frames are thinned to
    the clip's own rate (a camera shows a brisker person in fewer frames per rep)."""

    def keeps(self, index: int, fps: float) -> bool:
        """Whether the changed clip has this frame."""
        return self.shown(index, fps) and (index == 0 or int(index / self.speed) > int((index - 1) / self.speed))

    def t_ms(self, t_ms: int) -> int:
        """A frame's time in the changed clip."""
        return round(t_ms / self.speed)

    def relabel(self, labels: ClipLabels) -> ClipLabels:
        """The clip's labels -> the labels of the changed clip (sides swapped by a mirror, times shrunk by speed)."""
        if self.mirrored:
            labels = mirrored_labels(labels)
        return labels if self.speed == 1.0 else faster_labels(labels, self.speed)


def _mirror(image: np.ndarray, index: int) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1])


def _low(image: np.ndarray, index: int) -> np.ndarray:
    height_px, width_px = image.shape[:2]
    scale = LOW_SHORT_SIDE_PX / min(height_px, width_px)
    if scale < 1:
        image = cv2.resize(image, (round(width_px * scale), round(height_px * scale)), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, LOW_JPEG_QUALITY])
    return cv2.imdecode(encoded, cv2.IMREAD_COLOR) if ok else image


def _low_shown(index: int, fps: float) -> bool:
    return fps <= LOW_MAX_FPS or index % 2 == 0


_DIM_LEVELS = np.clip(255 * DIM_GAIN * (np.arange(256) / 255) ** DIM_GAMMA, 0, 255).astype(np.uint8)


def _dim(image: np.ndarray, index: int) -> np.ndarray:
    noise = np.random.default_rng(index).normal(0.0, DIM_NOISE_SD, image.shape)
    return np.clip(cv2.LUT(image, _DIM_LEVELS) + noise, 0, 255).astype(np.uint8)


def _tilt(image: np.ndarray, index: int) -> np.ndarray:
    height_px, width_px = image.shape[:2]
    turn = cv2.getRotationMatrix2D((width_px / 2, height_px / 2), TILT_DEG, TILT_ZOOM)
    return cv2.warpAffine(image, turn, (width_px, height_px), borderMode=cv2.BORDER_REFLECT)


def mirrored_labels(labels: ClipLabels) -> ClipLabels:
    """The labels of the clip flipped left to right: every left count, hold and segment side becomes right."""
    return replace(
        labels,
        expected={move: {"reps": _swap_sides(want["reps"]), "hold_s": _swap_sides(want["hold_s"])}
                  for move, want in labels.expected.items()},
        rep_accept={move: _swap_sides(accept) for move, accept in labels.rep_accept.items()},
        segments=[{**segment, "side": OPPOSITE_SIDE.get(segment.get("side"), segment.get("side"))}
                  for segment in labels.segments],
    )


def _swap_sides(by_side: dict) -> dict:
    return {OPPOSITE_SIDE.get(side, side): value for side, value in by_side.items()}


def faster_labels(labels: ClipLabels, speed: float) -> ClipLabels:
    """The labels of the clip played `speed` times faster: the same reps, every time and hold shrunk."""
    return replace(
        labels,
        duration_ms=round(labels.duration_ms / speed),
        expected={move: {"reps": dict(want["reps"]),
                         "hold_s": {side: seconds / speed for side, seconds in want["hold_s"].items()}}
                  for move, want in labels.expected.items()},
        segments=[{**segment, "start_ms": round(segment["start_ms"] / speed),
                   "end_ms": round(segment["end_ms"] / speed)} for segment in labels.segments],
    )


PERTURBATIONS = {p.name: p for p in (
    Perturbation("mirror", "flipped left to right (sides swapped in the labels)", _mirror, mirrored=True),
    Perturbation("low", f"short side at most {LOW_SHORT_SIDE_PX} px, JPEG quality {LOW_JPEG_QUALITY}, every other "
                        f"frame of clips over {LOW_MAX_FPS:g} fps", _low, shown=_low_shown),
    Perturbation("dim", f"darker (gamma {DIM_GAMMA:g}, gain {DIM_GAIN:g}) with sensor noise (sd {DIM_NOISE_SD:g})",
                 _dim),
    Perturbation("tilt", f"camera rolled {TILT_DEG:g} degrees and further back (zoom {TILT_ZOOM:g})", _tilt),
    Perturbation("fast", f"the person {FAST_SPEED:g} times faster (frame times and labelled times divided by "
                         f"{FAST_SPEED:g}, frames thinned to the clip's own rate)", speed=FAST_SPEED),
)}
