"""What a cheap webcam adds to the rendered image: motion blur on moving limbs and sensor noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sensor:
    noise_sd: float  # grey levels (0..255) of per-pixel Gaussian noise; dim rooms get more (higher gain)
    blur: float  # 0..1: share of the previous frame mixed in, a shutter open over part of the frame interval


NOISE_FRAMES = 12
"""Noise comes from a bank of this many precomputed frames, picked at random: drawing a fresh Gaussian field for
every HD frame cost as much as rendering it."""


class Exposure:
    """Frame by frame: blends the previous clean frame in (still parts stay sharp, moving limbs smear) and adds
    noise from a seeded generator, so a clip is reproducible."""

    def __init__(self, sensor: Sensor, rng: np.random.Generator, size: tuple[int, int]) -> None:
        self.rng = rng
        self._blur_256 = round(256 * sensor.blur)
        self._noise = (rng.normal(0.0, sensor.noise_sd, size=(NOISE_FRAMES, size[1], size[0], 1)).round()
                       .astype(np.int16) if sensor.noise_sd > 0 else None)
        self._previous: np.ndarray | None = None

    def apply(self, image: np.ndarray) -> np.ndarray:
        clean = image.astype(np.int32)
        out = clean
        if self._previous is not None and self._blur_256:
            out = (clean * (256 - self._blur_256) + self._previous * self._blur_256) >> 8
        self._previous = clean
        if self._noise is not None:
            out = out + self._noise[int(self.rng.integers(NOISE_FRAMES))]
        return np.clip(out, 0, 255).astype(np.uint8)
