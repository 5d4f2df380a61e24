"""The live loop: frames in -> pose -> smoothing -> circuit -> wire messages out, on its own thread.

Frames reach the loop through a one-frame slot, never a queue:
- live sources (the server's webcam, the browser's camera) overwrite the slot, so when inference is slower than
  the camera the stale frame is dropped and the loop always works on the newest one (counted in
  `frames_dropped`);
- a video file waits until the loop has taken its previous frame (a file is not live: nothing goes stale, and
  every frame is processed, so a replay gives identical results at any `speed`). `speed` only paces the file
  against the wall clock (1.0 = real time, 0 = as fast as the loop can go); all logic uses the file's own
  timestamps.
Controls (pause, skip, ...) are queued by the server and applied by this thread between frames; so are the source's
health changes (`SourceStatus`): an unplugged or frozen camera, or a browser camera that goes quiet (polled here
through `QuietWatch`), pauses the circuit with a warning, and its return resumes it (after one frame, so the time it
was away never counts as set time) with the set in progress kept.
On a live source the pose model keeps up by itself (`keep_up`, coach.keepup): full while it leaves headroom for the
camera's frame rate, lite while it does not, switched between two frames so counts and timers carry on.
The overlay's copy of each server-source frame (a JPEG, 0.5-1 ms at 640x480) is encoded by the feeder thread, next to
decoding and while the loop runs inference on the previous frame, and only while `video_wanted()` says a tab is ready
for one; the loop never encodes. A browser camera's frames are already JPEG: each is passed on just before its pose
event too, so other tabs (a laptop showing what a paired phone films) see the picture; the server sends them to every
tab but the camera's own, which draws its own video.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from pydantic import BaseModel

from coach.circuit import Circuit, SetResult
from coach.events import ErrorEvent, PoseEvent, Settings, WarningEvent
from coach.keepup import BEST, KeepUp
from coach.presence import PersonGate
from coach.sources import Frame, FrameSource, QuietWatch, SourceError, SourceStatus, open_source

if TYPE_CHECKING:
    from coach.pose import Pose, PoseModels, SharedEstimator

log = logging.getLogger(__name__)

JPEG_QUALITY = 70  # frames streamed to the overlay: small enough for 30 fps over a local socket
DARK_MEAN_LEVEL = 40  # mean grey level (0-255) below which the pose model starts to lose the person
OVERLAY_MIN_VISIBILITY = 0.5  # below this a landmark is left out of the drawn skeleton
TAKE_TIMEOUT_S = 0.1  # how often an idle loop looks at the control queue
CROWD_CHECK_MS = 2_000  # how often (frame time) the estimator counts the people in view
CROWD_WARNING_REPEAT_MS = 15_000  # "someone else is in view" is said again after this long
CROWD_WARNING = ("Someone else is in view: the coach keeps following the person it was already following; if the "
                 "counts look wrong, ask them to step out of the picture.")
BROWSER_CAMERA_FPS = 30.0  # the rate browsers' cameras deliver by default; the page sends no rate with its frames
FASTER_MODEL = "Using the faster pose model to keep up"
NO_FASTER_MODEL = ("The pose model can't keep up with the camera and the faster model is not available on this "
                   "machine (see `coach models --variant lite`), so some movements may be missed.")
FILE_END = object()

Emit = Callable[[list[BaseModel | bytes]], None]  # events and JPEG frames (bytes), in send order


@dataclass
class SlotItem:
    """One captured frame: decoded (server sources) or raw JPEG bytes (browser camera)."""

    frame: Frame | None
    jpeg: bytes | None
    t_ms: int
    index: int
    captured_wall_ms: float
    overlay_jpeg: bytes | None = None  # a server-source frame encoded for the tabs, sent just before its pose event


class FrameSlot:
    """Holds at most one frame. `offer` replaces a waiting frame (live); `put_wait` blocks until it is taken (file)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Any = None
        self.dropped = 0

    def offer(self, item: Any) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()

    def put_wait(self, item: Any, stop: threading.Event) -> bool:
        with self._cond:
            while self._item is not None:
                if stop.is_set():
                    return False
                self._cond.wait(TAKE_TIMEOUT_S)
            self._item = item
            self._cond.notify_all()
            return True

    def take(self, timeout_s: float) -> Any:
        with self._cond:
            if self._item is None:
                self._cond.wait(timeout_s)
            item, self._item = self._item, None
            self._cond.notify_all()
            return item


class LiveSession:
    """One run of the circuit over one source. `start()` launches the threads; controls arrive via `control()`."""

    def __init__(
        self,
        settings: Settings,
        emit: Emit,
        source_spec: str | None,
        speed: float = 1.0,
        on_set_done: Callable[[SetResult], None] | None = None,
        on_finish: Callable[[], None] | None = None,
        make_circuit: Callable[..., Circuit] = Circuit,
        make_estimator: Callable[[], Any] | None = None,
        shared_estimator: SharedEstimator | None = None,
        make_smoother: Callable[[], Any] | None = None,
        make_source: Callable[[str], FrameSource] = open_source,
        video_wanted: Callable[[], bool] | None = None,
        clock_s: Callable[[], float] = time.monotonic,
        keep_up: bool = False,
    ) -> None:
        """`source_spec`: a file path or webcam index for a server source; None = the browser sends frames.
        `video_wanted`: asked by the feeder before each frame; True = encode it for the overlay (None: never).
        `clock_s`: the browser camera's watchdog clock (monotonic seconds), a seam for tests.
        The pose estimator: `shared_estimator` (the server's, lent for this session) when given, else one from
        `make_estimator` (default `live_models`), closed when the session ends.
        `keep_up`: on a live source, switch the estimator (a `PoseModels`) to the faster model while the full one
        cannot keep up with the camera (coach.keepup). A file never switches: its counts must not depend on the
        machine's load."""
        self.settings = settings
        self.emit = emit
        self.source_spec = source_spec
        self.speed = speed
        self.slot = FrameSlot()
        self.stop_event = threading.Event()
        self.resume_event = threading.Event()
        self.resume_event.set()
        self.controls: queue.SimpleQueue[str | SourceStatus] = queue.SimpleQueue()
        self.circuit = make_circuit(settings, on_set_done=on_set_done)
        self.on_finish = on_finish
        self._make_estimator = make_estimator or live_models
        self._shared_estimator = shared_estimator
        self._make_smoother = make_smoother
        self._make_source = make_source
        self._video_wanted = video_wanted
        self._keep_up = keep_up and not self.is_file
        self._pace: KeepUp | None = None  # made on the first frame, when the camera's frame rate is known
        self._camera_fps = BROWSER_CAMERA_FPS  # a webcam's own rate replaces it when the feeder opens it
        self._said_faster = False
        self._source_paused = False  # the circuit was paused because the camera went away or froze
        self._resume_after_frame = False  # the camera is back: resume once its first frame has been seen
        self._last_t_ms = 0
        self._crowd_warned_ms: int | None = None
        self._threads: list[threading.Thread] = []
        self._browser_first_ms: float | None = None
        self._browser_last_t_ms = -1
        self._browser_index = 0
        self._quiet_watch = QuietWatch(clock_s=clock_s) if source_spec is None else None
        self.done = threading.Event()

    @property
    def is_file(self) -> bool:
        return self.source_spec is not None and not str(self.source_spec).isdigit()

    def start(self) -> None:
        targets: list[Callable[[], None]] = [self._run_pipeline]
        if self.source_spec is not None:
            targets.append(self._run_feeder)
        for target in targets:
            thread = threading.Thread(target=target, name=f"coach-{target.__name__}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop without a summary (a new session replaces this one, or the server shuts down)."""
        self.stop_event.set()
        self.resume_event.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout_s)

    def control(self, kind: str) -> None:
        """pause | resume | skip | stop, applied by the pipeline thread between frames."""
        self.controls.put(kind)

    def offer_browser_frame(self, jpeg: bytes, client_ms: float) -> None:
        """A JPEG from the browser's camera; its time is the browser's capture clock, rebased to 0."""
        if self._browser_first_ms is None:
            self._browser_first_ms = client_ms
        t_ms = round(client_ms - self._browser_first_ms)
        if t_ms <= self._browser_last_t_ms:
            return  # a frame from the past (reordered or repeated) would run the clocks backwards
        self._browser_last_t_ms = t_ms
        if self._quiet_watch is not None:
            self._quiet_watch.arrived()
        self.slot.offer(SlotItem(None, jpeg, t_ms, self._browser_index, time.time() * 1000))
        self._browser_index += 1

    # ---- threads ----

    def _run_feeder(self) -> None:
        assert self.source_spec is not None
        try:
            source = self._make_source(self.source_spec)
        except SourceError as exc:
            self.slot.put_wait(ErrorEvent(code="source", message=str(exc)), self.stop_event)
            return
        source.watch(self.controls.put, self.stop_event)
        self._camera_fps = source.fps
        with source:
            start_wall_s = time.monotonic()
            paused_s = 0.0
            for frame in source:
                if not self.resume_event.is_set():
                    pause_start_s = time.monotonic()
                    while not self.resume_event.wait(TAKE_TIMEOUT_S) and not self.stop_event.is_set():
                        pass
                    paused_s += time.monotonic() - pause_start_s
                if self.stop_event.is_set():
                    return
                late_s = 0.0
                if self.is_file and self.speed > 0:
                    due_s = start_wall_s + paused_s + frame.t_ms / 1000 / self.speed
                    delay_s = due_s - time.monotonic()
                    if delay_s > 0:
                        self.stop_event.wait(delay_s)
                    late_s = max(0.0, time.monotonic() - due_s)
                item = self._slot_item(frame, late_s)
                if self.is_file:
                    if not self.slot.put_wait(item, self.stop_event):
                        return
                else:
                    self.slot.offer(item)
        self.slot.put_wait(FILE_END, self.stop_event)

    def _slot_item(self, frame: Frame, late_s: float = 0.0) -> SlotItem:
        """The feeder's part of a frame's work: stamp it and, when a tab is ready for video, its overlay JPEG.

        The stamp is when the frame was captured, as far as latency goes: a paced file's frame counts as captured
        when it was due (`late_s` ago), so a loop that holds the feeder up shows as latency rather than hiding it."""
        item = SlotItem(frame, None, frame.t_ms, frame.index, time.time() * 1000 - late_s * 1000)
        if self._video_wanted is not None and self._video_wanted():
            ok, encoded = cv2.imencode(".jpg", frame.image_bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if ok:
                item.overlay_jpeg = encoded.tobytes()
        return item

    def _run_pipeline(self) -> None:
        try:
            self._pipeline()
        except Exception as exc:  # the session dies, the server lives: tell the clients why
            log.exception("live pipeline failed")
            self.emit([ErrorEvent(code="pipeline", message=f"The coach stopped: {exc}.")])
        finally:
            self.stop_event.set()
            if self.on_finish is not None:
                self.on_finish()
            self.done.set()

    def _pipeline(self) -> None:
        if self._make_smoother is None:
            from coach.smoothing import PoseSmoother

            self._make_smoother = PoseSmoother
        smoother = self._make_smoother()
        person_gate = PersonGate()
        with self._estimator() as estimator:
            while not self.stop_event.is_set():
                self._apply_controls()
                if self.circuit.state == "finished":
                    return
                self._poll_browser_camera()
                item = self.slot.take(TAKE_TIMEOUT_S)
                if item is None:
                    continue
                if item is FILE_END:
                    self.emit(self.circuit.finish())
                    return
                if isinstance(item, ErrorEvent):
                    self.emit([item])
                    return
                self._process(item, estimator, person_gate, smoother)

    def _poll_browser_camera(self) -> None:
        """A browser camera that stopped sending (or came back) is handled like a server camera's status change."""
        status = self._quiet_watch.poll() if self._quiet_watch is not None else None
        if status is not None:
            self.emit(self._source_status(status))

    def _estimator(self) -> contextlib.AbstractContextManager[Any]:
        """The pose estimator for this session's frames: lent by the server, or made here and closed at the end."""
        if self._shared_estimator is not None:
            return self._shared_estimator.lend()
        return contextlib.closing(self._make_estimator())

    def _apply_controls(self) -> None:
        while True:
            try:
                kind = self.controls.get_nowait()
            except queue.Empty:
                return
            if isinstance(kind, SourceStatus):
                events = self._source_status(kind)
            elif kind == "pause":
                events = self.circuit.pause()
                if self.is_file and events:
                    self.resume_event.clear()
            elif kind == "resume":
                events = self.circuit.resume()
                self.resume_event.set()
            elif kind == "skip":
                events = self.circuit.skip()
            else:
                events = self.circuit.finish()
                self.stop_event.set()
            self.emit(events)

    def _source_status(self, status: SourceStatus) -> list[Any]:
        """Camera lost, frozen or quiet: pause (unless the user already did) and say why; back: resume after its next
        frame."""
        events: list[Any] = [WarningEvent(t_ms=self._last_t_ms, warning_id=f"camera_{status.kind}", text=status.text)]
        if status.kind == "ok":
            self._resume_after_frame = self._source_paused
            return events
        self._resume_after_frame = False
        paused = self.circuit.pause()
        self._source_paused = self._source_paused or bool(paused)
        return events + paused

    def _keep_pace(self, estimator: Any, t_ms: int) -> list[WarningEvent]:
        """Feed the frame's pose time to the model choice and switch when it says so; the first switch down in a
        session is said once, and so is a faster model that cannot be had (the session then stays as it is)."""
        if self._pace is None:
            self._pace = KeepUp(frame_ms=1000 / self._camera_fps)
        pose_ms = estimator.detect_ms  # read before a switch: afterwards it is the new model's, which has not run yet
        variant = self._pace.observe(t_ms, pose_ms)
        if variant is None:
            return []
        if not estimator.use(variant):
            self._keep_up = False
            return [WarningEvent(t_ms=t_ms, warning_id="no_faster_model", text=NO_FASTER_MODEL)]
        log.info("pose model: %s from %d ms (last pose %.1f ms a frame at %.0f fps)", variant, t_ms, pose_ms,
                 self._camera_fps)
        if variant == BEST or self._said_faster:
            return []
        self._said_faster = True
        return [WarningEvent(t_ms=t_ms, warning_id="faster_model", text=FASTER_MODEL)]

    def _process(self, item: SlotItem, estimator: Any, person_gate: PersonGate, smoother: Any) -> None:
        messages: list[BaseModel | bytes] = []
        frame = item.frame
        if frame is None:
            assert item.jpeg is not None
            image = cv2.imdecode(np.frombuffer(item.jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                self.emit([ErrorEvent(t_ms=item.t_ms, code="bad_frame",
                                      message="A camera frame could not be decoded as JPEG; it was skipped.")])
                return
            frame = Frame(image, item.t_ms, item.index)
            messages.append(item.jpeg)
        elif item.overlay_jpeg is not None:
            messages.append(item.overlay_jpeg)
        detected = estimator.detect(frame)
        pose_notes = self._keep_pace(estimator, frame.t_ms) if self._keep_up else []
        pose = smoother.apply(person_gate.apply(detected))
        events = self.circuit.update(frame.t_ms, pose) + pose_notes
        self._last_t_ms = frame.t_ms
        if getattr(estimator, "people_in_view", 1) > 1 and (
                self._crowd_warned_ms is None or frame.t_ms - self._crowd_warned_ms >= CROWD_WARNING_REPEAT_MS):
            self._crowd_warned_ms = frame.t_ms
            events.append(WarningEvent(t_ms=frame.t_ms, warning_id="two_people", text=CROWD_WARNING))
        if self._resume_after_frame:
            self._resume_after_frame = self._source_paused = False
            events += self.circuit.resume()
        if _too_dark(frame.image_bgr):
            events += self.circuit.warn(frame.t_ms, "too_dark", "It is too dark: turn on a light or face a window")
        result = self.circuit.last_result
        height_px, width_px = frame.image_bgr.shape[:2]
        points = overlay_points(pose)
        status = dict(getattr(result, "joint_status", {}) or {}) if pose is not None else {}
        messages.append(PoseEvent(
            t_ms=frame.t_ms, frame_index=frame.index, image_size=(width_px, height_px), points=points,
            joint_status={int(k): v for k, v in status.items()}, form_ok=bool(getattr(result, "form_ok", True)),
            captured_wall_ms=item.captured_wall_ms))
        for event in events:
            if event.type == "state":
                event.frames_dropped = self.slot.dropped
            messages.append(event)
        self.emit(messages)


def overlay_points(pose: Pose | None) -> list[tuple[float, float] | None]:
    """The landmarks an overlay draws: normalised (x, y) per landmark, None where the model does not see it."""
    if pose is None:
        return []
    visible = pose.visibility >= OVERLAY_MIN_VISIBILITY
    return [(round(float(x), 4), round(float(y), 4)) if ok else None
            for (x, y, _z), ok in zip(pose.image_xyz, visible, strict=True)]


def live_models(variant: str = "full") -> PoseModels:
    """The live loop's pose models, starting on `variant`: one person tracked, the people in view counted every
    CROWD_CHECK_MS."""
    from coach.pose import PoseEstimator, PoseModels

    return PoseModels(lambda name: PoseEstimator(variant=name, crowd_check_ms=CROWD_CHECK_MS), variant)


def _too_dark(image_bgr: np.ndarray) -> bool:
    small = cv2.resize(image_bgr, (32, 24), interpolation=cv2.INTER_AREA)
    return float(small.mean()) < DARK_MEAN_LEVEL


def sample_video() -> Path | None:
    """The bundled full-circuit clip (for a first run without a webcam), if this checkout has it."""
    path = Path(__file__).resolve().parent.parent / "sample_videos" / "circuit_full.mp4"
    return path if path.exists() else None
