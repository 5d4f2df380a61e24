"""The typed pose every later stage reads. The PoseLandmarker wrapper is added by the foundation work."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
