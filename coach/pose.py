"""The typed pose every later stage reads, and the MediaPipe PoseLandmarker wrapper that produces it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from coach.sources import Frame


@dataclass(frozen=True)
class Pose:
    """One person's landmarks in one frame.

    image_xyz: (33, 3) x, y normalised to the frame (0..1, y down), z relative depth (MediaPipe's scale).
    world_xyz: (33, 3) metres, origin between the hips, y down (MediaPipe's world frame).
    visibility, presence: (33,) 0..1 confidences from the model.
    image_size: (width_px, height_px) of the frame, to turn normalised coordinates into pixels.
    """

    t_ms: int
    image_xyz: np.ndarray
    world_xyz: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    image_size: tuple[int, int]

    def pixels(self) -> np.ndarray:
        """(33, 2) landmark positions in pixels."""
        width_px, height_px = self.image_size
        return self.image_xyz[:, :2] * np.array([width_px, height_px], dtype=float)


class PoseEstimator:
    """MediaPipe's PoseLandmarker in VIDEO mode (it tracks between frames: about twice as fast as per-image mode).

    Feed frames in order: timestamps must be strictly increasing, as MediaPipe requires; a frame that goes back in
    time raises ValueError here instead of failing deep inside the native graph. The model bundle is provisioned
    on first use (see coach.models); the estimator itself opens no network connection.
    """

    def __init__(self, variant: str = "full", model_path: Path | None = None) -> None:
        from coach.models import ensure_model

        path = model_path or ensure_model(variant)
        vision, base_options, self._mp = _mediapipe()
        options = vision.PoseLandmarkerOptions(
            base_options=base_options(model_asset_path=str(path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
        )
        with _native_stderr_silenced():
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        self._last_t_ms: int | None = None
        self._first_frame = True

    def detect(self, frame: Frame) -> Pose | None:
        """The person's pose in `frame`, or None when no person is found."""
        if self._last_t_ms is not None and frame.t_ms <= self._last_t_ms:
            raise ValueError(f"frame timestamps must increase: got {frame.t_ms} ms after {self._last_t_ms} ms")
        self._last_t_ms = frame.t_ms
        rgb = np.ascontiguousarray(frame.image_bgr[:, :, ::-1])
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if self._first_frame:  # the graph starts (and logs its delegate set-up) on the first frame
            self._first_frame = False
            with _native_stderr_silenced():
                result = self._landmarker.detect_for_video(image, frame.t_ms)
        else:
            result = self._landmarker.detect_for_video(image, frame.t_ms)
        if not result.pose_landmarks:
            return None
        image_lms, world_lms = result.pose_landmarks[0], result.pose_world_landmarks[0]
        height_px, width_px = frame.image_bgr.shape[:2]
        return Pose(
            t_ms=frame.t_ms,
            image_xyz=np.array([(lm.x, lm.y, lm.z) for lm in image_lms], dtype=float),
            world_xyz=np.array([(lm.x, lm.y, lm.z) for lm in world_lms], dtype=float),
            visibility=np.array([lm.visibility or 0.0 for lm in image_lms], dtype=float),
            presence=np.array([lm.presence or 0.0 for lm in image_lms], dtype=float),
            image_size=(width_px, height_px),
        )

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _mediapipe() -> tuple[Any, Any, Any]:
    """Import MediaPipe's Tasks API lazily (slow import) with its native INFO/WARNING logging turned off."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    return vision, BaseOptions, mp


@contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while native code prints set-up chatter that logging flags don't reach."""
    sys.stderr.flush()
    saved_fd = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
