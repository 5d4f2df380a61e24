"""Frame sources: a video file or a webcam, behind one iterator of timestamped BGR frames.

Every later stage times things from `Frame.t_ms`, never from the wall clock, so sources promise strictly increasing
timestamps: a file's come from its own presentation times (a replay gives the same result at any speed), a camera's
from a monotonic clock. Bad input is found when the source is opened (the first frame is decoded right away), so a
command can report it before any work starts. Frames are always upright: a phone video's rotation metadata is applied.

Live cameras fail in homes (unplugged cables, a video call holding the device, a driver that repeats the last
picture), so the camera source handles that here, once, for every consumer: a watched camera (`watch`) reports its
health as `SourceStatus` changes, waits for an unplugged camera to come back, and never passes on a repeated
(frozen) picture, so nothing is counted on stale frames. The browser's camera (frames pushed over the WebSocket) fails
by going quiet (tab hidden, phone locked, permission revoked, network dropped); `QuietWatch` reports that as the same
`SourceStatus` changes.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import av
import cv2
import numpy as np

from coach.errors import CoachError

log = logging.getLogger(__name__)

FALLBACK_FPS = 30.0  # when a file or camera does not say its frame rate
INDEX_SLACK_FRAMES = 2  # an index may list a frame or two that an edit list hides; more missing means truncated
CAMERA_RETRY_S = 1.0  # how often an unplugged camera is looked for again (wall clock: hardware polling, not logic)
FROZEN_AFTER_MS = 1_500  # identical pictures for this long: the camera is reported frozen
BROWSER_QUIET_AFTER_MS = 2_000  # no browser-camera frame for this long: it stopped (it sends 10-30 a second)
BROWSER_QUIET_TEXT = "The browser camera stopped; the set is paused. Keep this tab in front."  # fits the overlay
BROWSER_BACK_TEXT = "The browser camera is back."
CAMERA_HELP = ("pick another camera with --source 1, play a video with --source FILE, or choose \"This device's "
               "camera\" on the coach's start page")


class SourceError(CoachError):
    """The video or camera cannot be used; str() is one sentence for the user."""


@dataclass(frozen=True)
class Frame:
    image_bgr: np.ndarray  # (H, W, 3) uint8
    t_ms: int  # strictly increasing within one source
    index: int  # 0-based position in the source


@dataclass(frozen=True)
class SourceStatus:
    """A live source's health changed. kind: "lost" (unplugged), "frozen" (same picture repeated) or "ok" (back)."""

    kind: Literal["lost", "frozen", "ok"]
    text: str  # one sentence for the user


StatusCallback = Callable[[SourceStatus], None]


class FrameSource:
    """An iterable of Frames with `.fps`, `.size` (w, h) and `.frame_count` (None when unknown)."""

    fps: float
    size: tuple[int, int]
    frame_count: int | None
    _on_status: StatusCallback | None = None
    _cancel: threading.Event | None = None

    def watch(self, on_status: StatusCallback, cancel: threading.Event) -> None:
        """Report health changes to `on_status` (from the iterating thread); give up waiting once `cancel` is set.

        Files have nothing to report; a watched camera waits for an unplugged device to return instead of ending.
        """
        self._on_status, self._cancel = on_status, cancel

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
        self._quarter_turns = round((self._first.rotation or 0) / 90) % 4  # counter-clockwise, as players show it
        if self._quarter_turns % 2:
            self.size = (self.size[1], self.size[0])

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
            yield Frame(self._upright(frame.to_ndarray(format="bgr24")), t_ms, index)
            last_t_ms, index = t_ms, index + 1
            frame = self._next_av_frame()
        if self.frame_count and index < self.frame_count - INDEX_SLACK_FRAMES:
            self.ended_early = True  # the file's index lists frames that are not there: it was cut short
        if self.ended_early:
            log.warning("%s: decoding stopped at a damaged frame after %d frames; the file may be truncated.",
                        self.path, index)

    def _upright(self, image: np.ndarray) -> np.ndarray:
        """Apply the display rotation (a phone filmed upright stores sideways pixels plus a rotation)."""
        if not self._quarter_turns:
            return image
        return np.ascontiguousarray(np.rot90(image, self._quarter_turns))

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


def _open_capture(index: int) -> Any:
    """cv2.VideoCapture with OpenCV's own logging off: a missing camera is reported once, by us, not per backend."""
    quiet_level = 0  # OpenCV's LOG_LEVEL_SILENT
    previous_level = cv2.getLogLevel()
    cv2.setLogLevel(quiet_level)
    try:
        return cv2.VideoCapture(index)
    finally:
        cv2.setLogLevel(previous_level)


def _device_exists(index: int) -> bool:
    """On Linux a camera that is plugged in has a device node even while another program holds it."""
    return sys.platform.startswith("linux") and Path(f"/dev/video{index}").exists()


class CameraSource(FrameSource):
    """A webcam through OpenCV; timestamps from a monotonic clock, starting at 0 with the first frame.

    `open_capture` and `clock_ns` are seams for fault-injection tests (a scripted fake camera and clock).
    """

    def __init__(self, index: int, open_capture: Callable[[int], Any] = _open_capture,
                 clock_ns: Callable[[], int] = time.monotonic_ns, retry_s: float = CAMERA_RETRY_S) -> None:
        self.index = index
        self._open_capture = open_capture
        self._clock_ns = clock_ns
        self._retry_s = retry_s
        self._closed = threading.Event()
        self._capture = open_capture(index)
        if not self._capture.isOpened():
            self._capture.release()
            if _device_exists(index):
                raise SourceError(f"Camera {index} exists but cannot be opened: another program (a video call?) may "
                                  f"be using it, or you lack permission (join the 'video' group); close it, or "
                                  f"{CAMERA_HELP}.")
            raise SourceError(f"No camera is available at index {index} (is one connected?); {CAMERA_HELP}.")
        ok, first = self._capture.read()
        if not ok or first is None:
            self._capture.release()
            raise SourceError(f"No camera is available at index {index}: it opened but sends no picture, so another "
                              f"program (a video call?) is probably using it; close that program, or {CAMERA_HELP}.")
        self._first = first
        self._start_ns = clock_ns()
        self.fps = self._capture.get(cv2.CAP_PROP_FPS) or FALLBACK_FPS
        self.size = (first.shape[1], first.shape[0])
        self.frame_count = None

    def __iter__(self) -> Iterator[Frame]:
        image: np.ndarray | None = self._first
        previous: np.ndarray | None = None
        repeated_since_ms: int | None = None  # time of the first repeat of the current picture
        frozen = False
        last_t_ms = -1
        index = 0
        while image is not None:
            t_ms = max((self._clock_ns() - self._start_ns) // 1_000_000, last_t_ms + 1)
            if previous is not None and previous.shape == image.shape and np.array_equal(previous, image):
                repeated_since_ms = t_ms if repeated_since_ms is None else repeated_since_ms
                if not frozen and t_ms - repeated_since_ms >= FROZEN_AFTER_MS:
                    frozen = True
                    self._report("frozen", f"The picture from camera {self.index} is frozen; counting waits until "
                                           "it moves again (replug the camera if it stays frozen).")
            else:  # a repeat carries no new information: never passed on, so nothing counts on a stale picture
                repeated_since_ms = None
                if frozen:
                    frozen = False
                    self._report("ok", f"Camera {self.index} is moving again.")
                yield Frame(image, t_ms, index)
                last_t_ms, index = t_ms, index + 1
            previous = image
            image = self._read()

    def _read(self) -> np.ndarray | None:
        """The next picture; None when the camera is gone for good (or nobody watches it) or the source is closed."""
        ok, image = self._capture.read()
        if ok and image is not None:
            return image
        self._capture.release()
        if self._cancel is None:
            log.warning("camera %d stopped sending pictures", self.index)
            return None
        self._report("lost", f"Camera {self.index} disconnected; the session is paused and carries on when it is "
                             "back (check the cable).")
        while not self._cancel.wait(self._retry_s) and not self._closed.is_set():
            capture = self._open_capture(self.index)
            ok, image = capture.read() if capture.isOpened() else (False, None)
            if ok and image is not None:
                self._capture = capture
                self._report("ok", f"Camera {self.index} is back.")
                return image
            capture.release()
        return None

    def _report(self, kind: Literal["lost", "frozen", "ok"], text: str) -> None:
        if self._on_status is None:
            log.warning("%s", text)
        else:
            self._on_status(SourceStatus(kind, text))

    def close(self) -> None:
        self._closed.set()
        self._capture.release()


class QuietWatch:
    """Notices a pushed stream (the browser's camera) that stops: a stream that stops has no next frame whose
    timestamp could show the gap, so this watchdog is the one place a clock decides, and only whether frames still
    arrive. `arrived` is called for each frame (any thread); `poll` (the session loop, between frames) returns a
    status on a change: "lost" once the stream has been quiet for `quiet_after_ms`, "ok" once frames arrive again.
    `clock_s` (monotonic seconds) is the seam that keeps tests free of sleeping."""

    def __init__(self, quiet_after_ms: int = BROWSER_QUIET_AFTER_MS,
                 clock_s: Callable[[], float] = time.monotonic) -> None:
        self.quiet_after_ms = quiet_after_ms
        self._clock_s = clock_s
        self._lock = threading.Lock()
        self._last_arrival_s: float | None = None  # None until the first frame: a camera still starting is not quiet
        self._quiet = False

    def arrived(self) -> None:
        with self._lock:
            self._last_arrival_s = self._clock_s()

    def poll(self) -> SourceStatus | None:
        with self._lock:
            if self._last_arrival_s is None:
                return None
            quiet = (self._clock_s() - self._last_arrival_s) * 1000 >= self.quiet_after_ms
            if quiet == self._quiet:
                return None
            self._quiet = quiet
        return SourceStatus("lost", BROWSER_QUIET_TEXT) if quiet else SourceStatus("ok", BROWSER_BACK_TEXT)
