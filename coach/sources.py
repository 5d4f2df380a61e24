"""Frame sources: a video file or a webcam, behind one iterator of timestamped BGR frames.

Every later stage times things from `Frame.t_ms`, never from the wall clock, so sources promise strictly increasing
timestamps: a file's come from its own presentation times (a replay gives the same result at any speed), a camera's
from a monotonic clock. Bad input is found when the source is opened (the first frame is decoded right away), so a
command can report it before any work starts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np

from coach.errors import CoachError

log = logging.getLogger(__name__)

FALLBACK_FPS = 30.0  # when a file or camera does not say its frame rate


class SourceError(CoachError):
    """The video or camera cannot be used; str() is one sentence for the user."""


@dataclass(frozen=True)
class Frame:
    image_bgr: np.ndarray  # (H, W, 3) uint8
    t_ms: int  # strictly increasing within one source
    index: int  # 0-based position in the source


class FrameSource:
    """An iterable of Frames with `.fps`, `.size` (w, h) and `.frame_count` (None when unknown)."""

    fps: float
    size: tuple[int, int]
    frame_count: int | None

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open_source(spec: str | int) -> FrameSource:
    """A webcam for an int or a digit string (its index), else a video file path."""
    if isinstance(spec, int) or spec.strip().isdigit():
        return CameraSource(int(spec))
    return FileSource(Path(spec))


class FileSource(FrameSource):
    """Decodes a video file with PyAV (FFmpeg); timestamps are the file's presentation times, first frame at 0."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            raise SourceError(f"No such video file: {path}.")
        if path.is_dir():
            raise SourceError(f"{path} is a directory, not a video file.")
        try:
            self._container = av.open(str(path))
        except (av.FFmpegError, OSError, UnicodeDecodeError):
            raise SourceError(_unreadable(path)) from None
        if not self._container.streams.video:
            self._container.close()
            raise SourceError(f"{path} contains no video frames.")
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate else FALLBACK_FPS
        self.size = (stream.codec_context.width, stream.codec_context.height)
        self.frame_count = stream.frames or None
        self._time_base: Fraction | None = stream.time_base
        self._frames = self._container.decode(stream)
        self.ended_early = False  # set when decoding stops on a damaged frame, not at the end of the file
        self._first = self._next_av_frame()
        if self._first is None:
            self._container.close()
            if self.ended_early:
                raise SourceError(_unreadable(path))
            raise SourceError(f"{path} contains no video frames.")
        self._start_pts = self._first.pts

    def _next_av_frame(self) -> av.VideoFrame | None:
        try:
            return next(self._frames)
        except StopIteration:
            return None
        except av.FFmpegError:
            self.ended_early = True
            return None

    def _t_ms(self, frame: av.VideoFrame, index: int) -> int:
        if frame.pts is None or self._start_pts is None or self._time_base is None:
            return round(index * 1000 / self.fps)
        return round(float((frame.pts - self._start_pts) * self._time_base) * 1000)

    def __iter__(self) -> Iterator[Frame]:
        last_t_ms = -1
        index = 0
        frame = self._first
        while frame is not None:
            t_ms = max(self._t_ms(frame, index), last_t_ms + 1)  # guard against repeated or reordered pts
            yield Frame(frame.to_ndarray(format="bgr24"), t_ms, index)
            last_t_ms, index = t_ms, index + 1
            frame = self._next_av_frame()
        if self.ended_early:
            log.warning("%s: decoding stopped at a damaged frame after %d frames; the file may be truncated.",
                        self.path, index)

    def close(self) -> None:
        self._container.close()


def _unreadable(path: Path) -> str:
    """The sentence for a file FFmpeg cannot open; MP4/MOV files are recognised by their 'ftyp' box."""
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError as exc:
        return f"Cannot read {path}: {exc.strerror or exc}."
    if head[4:8] == b"ftyp":
        return f"{path} looks like an MP4 video but cannot be read; it is truncated or corrupt."
    return f"{path} is not a video file FFmpeg can read."


class CameraSource(FrameSource):
    """A webcam through OpenCV; timestamps from a monotonic clock, starting at 0 with the first frame."""

    def __init__(self, index: int) -> None:
        self.index = index
        quiet_level = 0  # OpenCV's LOG_LEVEL_SILENT: a missing camera is reported once, below, not by each backend
        previous_level = cv2.getLogLevel()
        cv2.setLogLevel(quiet_level)
        try:
            self._capture = cv2.VideoCapture(index)
        finally:
            cv2.setLogLevel(previous_level)
        ok, first = self._capture.read() if self._capture.isOpened() else (False, None)
        if not ok or first is None:
            self._capture.release()
            raise SourceError(f"No camera is available at index {index} (is one connected and not used by another "
                              "program?); pass a video file instead.")
        self._first = first
        self._start_ns = time.monotonic_ns()
        self.fps = self._capture.get(cv2.CAP_PROP_FPS) or FALLBACK_FPS
        self.size = (first.shape[1], first.shape[0])
        self.frame_count = None

    def __iter__(self) -> Iterator[Frame]:
        image: np.ndarray | None = self._first
        last_t_ms = -1
        index = 0
        while image is not None:
            t_ms = max((time.monotonic_ns() - self._start_ns) // 1_000_000, last_t_ms + 1)
            yield Frame(image, t_ms, index)
            last_t_ms, index = t_ms, index + 1
            ok, image = self._capture.read()
            if not ok:
                image = None

    def close(self) -> None:
        self._capture.release()
