"""Fakes for fault injection: a scripted camera (pictures, repeats, unplugs), a fake clock, a pose estimator that
needs no model, and a tiny move set whose counts depend only on frame time. No hardware, no sleeping.

A camera script is a list of steps, one per `read()`:
- an image (np.ndarray): a new picture;
- `SAME`: the previous picture again (a frozen driver);
- `Unplug(gap_ms, failed_opens)`: the read fails; the next `failed_opens` attempts to open the camera fail, and the
  clock jumps `gap_ms` before it opens again.
When the script runs out the camera is gone for good (reads and opens fail).

`Lockstep` keeps a camera and a pipeline in step (one new picture per processed frame), so a threaded live session
sees every picture and the test is deterministic.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from history_fixture import FakeSummary

from coach.circuit import CircuitMoves
from coach.events import MoveInfo, Settings
from coach.pose import Pose, PoseModels
from coach.sources import Frame

FRAME_MS = 33
LOCKSTEP_TIMEOUT_S = 10.0  # a bound so a broken test fails instead of hanging


class FakeClock:
    """A monotonic nanosecond clock that moves only when told."""

    def __init__(self) -> None:
        self.ns = 1_000_000_000

    def __call__(self) -> int:
        return self.ns

    def advance(self, ms: int) -> None:
        self.ns += ms * 1_000_000


def picture(n: int, size: tuple[int, int] = (16, 12), person: bool = True, crowd: bool = False) -> np.ndarray:
    """A distinct small BGR image for step n; the fake estimator sees nobody in a dark one (`person=False`) and two
    people in a very bright one (`crowd=True`)."""
    width, height = size
    image = np.zeros((height, width, 3), np.uint8)
    if person:
        image[:, :] = 220 if crowd else 128
    image[0, 0] = (n % 256, (n // 256) % 256, 7)  # makes every picture differ
    return image


SAME = "same"


@dataclass(frozen=True)
class Unplug:
    gap_ms: int = 3_000
    failed_opens: int = 2


class Lockstep:
    """The camera waits for a token before each new picture; the estimator gives one per processed frame."""

    def __init__(self) -> None:
        self._tokens = threading.Semaphore(0)

    def processed(self) -> None:
        self._tokens.release()

    def wait(self) -> None:
        if not self._tokens.acquire(timeout=LOCKSTEP_TIMEOUT_S):
            raise TimeoutError("the pipeline stopped taking frames")


class FakeCamera:
    """`open_capture` for `CameraSource`: plays the script; `opens` counts how often the camera was opened."""

    def __init__(self, script: Sequence[Any], clock: FakeClock | None = None, lockstep: Lockstep | None = None,
                 fps: float = 30.0) -> None:
        self.script = list(script)
        self.clock = clock or FakeClock()
        self.lockstep = lockstep
        self.fps = fps
        self.position = 0
        self.opens = 0
        self.failed_opens_left = 0
        self.previous: np.ndarray | None = None
        self.reads = 0
        self.exhausted = threading.Event()

    def __call__(self, index: int) -> FakeCapture:
        self.opens += 1
        if self.position >= len(self.script):
            return FakeCapture(self, opened=False)
        if self.failed_opens_left > 0:
            self.failed_opens_left -= 1
            return FakeCapture(self, opened=False)
        return FakeCapture(self, opened=True)

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.position >= len(self.script):
            self.exhausted.set()
            return False, None
        step = self.script[self.position]
        self.position += 1
        if isinstance(step, Unplug):
            self.failed_opens_left = step.failed_opens
            self.clock.advance(step.gap_ms)
            return False, None
        if step is SAME or (isinstance(step, str) and step == SAME):
            self.clock.advance(FRAME_MS)
            return True, None if self.previous is None else self.previous.copy()
        if self.lockstep is not None and self.reads > 0:
            self.lockstep.wait()
        self.reads += 1
        self.clock.advance(FRAME_MS)
        self.previous = step
        return True, step.copy()


def play_camera_script(session: Any, camera: FakeCamera, wait_s: float) -> None:
    """Run a live session until its fake camera has played all its frames, then stop it and wait for the end."""
    session.start()
    try:
        assert camera.exhausted.wait(wait_s), "the camera script did not finish"
        session.control("stop")
        assert session.done.wait(wait_s), "the session did not stop"
    finally:
        session.stop()


class FakeCapture:
    """The part of cv2.VideoCapture that CameraSource uses."""

    def __init__(self, camera: FakeCamera, opened: bool) -> None:
        self.camera = camera
        self.opened = opened

    def isOpened(self) -> bool:
        return self.opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        if not self.opened:
            return False, None
        return self.camera.read()

    def get(self, prop: int) -> float:
        return self.camera.fps

    def release(self) -> None:
        self.opened = False


class MissingCamera:
    """Nothing is plugged in: the capture never opens."""

    def __call__(self, index: int) -> FakeCapture:
        return FakeCapture(FakeCamera([]), opened=False)


class BusyCamera:
    """Another program holds the camera: it opens but never delivers a picture."""

    def __call__(self, index: int) -> FakeCapture:
        return FakeCapture(FakeCamera([]), opened=True)


# ------------------------------------------------------------------------------------------------ poses and moves
def make_pose(t_ms: int, center_x: float = 0.5, center_y: float = 0.5, scale: float = 0.3) -> Pose:
    """A stick figure (all 33 landmarks visible) centred at (center_x, center_y) in normalised image coordinates."""
    rng = np.random.default_rng(7)
    offsets = rng.uniform(-0.5, 0.5, (33, 2)) * scale
    image = np.zeros((33, 3))
    image[:, 0] = center_x + offsets[:, 0]
    image[:, 1] = center_y + offsets[:, 1]
    world = np.zeros((33, 3))
    world[:, :2] = offsets
    ones = np.ones(33)
    return Pose(t_ms, image, world, ones, ones.copy(), (640, 480))


class FakeEstimator:
    """Sees a person in a grey frame, nobody in a dark one, two people in a very bright one (`people_in_view`);
    tells a Lockstep each frame it processed."""

    def __init__(self, lockstep: Lockstep | None = None, **_model_options: object) -> None:
        self.lockstep = lockstep
        self.frames: list[int] = []
        self.people_in_view = 0
        self.detect_ms = 0.0  # no model: it always keeps up
        self.sessions_begun = 0

    def begin_session(self) -> None:
        self.sessions_begun += 1

    def detect(self, frame: Frame) -> Pose | None:
        self.frames.append(frame.t_ms)
        if self.lockstep is not None:
            self.lockstep.processed()
        brightness = frame.image_bgr.mean()
        self.people_in_view = 0 if brightness <= 32 else 2 if brightness > 200 else 1
        return make_pose(frame.t_ms) if self.people_in_view else None

    def close(self) -> None:
        pass


PoseTime = Callable[[str, int], float]  # (variant, frame t_ms) -> ms the model takes for that frame


class TimedEstimator(FakeEstimator):
    """A FakeEstimator of one model variant whose time per frame (`detect_ms`) the test sets: no model, no sleeping."""

    def __init__(self, variant: str, pose_ms: PoseTime, lockstep: Lockstep | None = None) -> None:
        super().__init__(lockstep)
        self.variant = variant
        self.pose_ms = pose_ms

    def detect(self, frame: Frame) -> Pose | None:
        self.detect_ms = self.pose_ms(self.variant, frame.t_ms)
        return super().detect(frame)


def fake_live_models(variant: str = "full") -> PoseModels:
    """Stands in for `coach.server.live_models`: the server's pose models, each variant a FakeEstimator."""
    return PoseModels(lambda _variant: FakeEstimator(), variant)


class PassThroughSmoother:
    def apply(self, pose: Pose | None) -> Pose | None:
        return pose


@dataclass
class RepCounted:  # the moves contract's event name, which the circuit translates into a rep event
    t_ms: int
    side: str
    count: int
    rom_value: float | None = None
    rom_name: str = "tick_deg"


@dataclass
class TickResult:
    reps: dict[str, int]
    hold_ms: dict[str, int]
    events: list[Any]
    side: str | None = "left"
    form_ok: bool = True
    joint_status: dict[int, str] = field(default_factory=dict)


class TickChecker:
    """Counts one rep per `rep_ms` of frame time with a person in view; frames without a person count nothing."""

    def __init__(self, rep_ms: int = 1_000, move_id: str = "tick_a") -> None:
        self.rep_ms = rep_ms
        self.move_id = move_id
        self.person_ms = 0
        self.reps = 0
        self._last_t_ms: int | None = None

    def update(self, t_ms: int, pose: Pose | None) -> TickResult:
        events: list[Any] = []
        if pose is not None and self._last_t_ms is not None:
            self.person_ms += min(t_ms - self._last_t_ms, 250)
            if self.person_ms // self.rep_ms > self.reps:
                self.reps += 1
                events.append(RepCounted(t_ms, "left", self.reps))
        self._last_t_ms = t_ms
        return TickResult({"left": self.reps}, {}, events)

    def restart_clock(self) -> None:
        self._last_t_ms = None

    def summary(self) -> FakeSummary:
        return FakeSummary(self.move_id, reps={"left": self.reps}, rom_name="tick_deg")


class AlwaysRecognizer:
    """Recognises whichever move it is told (default: the first), so get-ready ends after its minimum."""

    def __init__(self, move_id: str = "tick_a") -> None:
        self.move_id = move_id

    def update(self, t_ms: int, pose: Pose | None) -> str | None:
        return self.move_id if pose is not None else None


def tick_moves(move_ids: Sequence[str] = ("tick_a", "tick_b")) -> CircuitMoves:
    """A two-move circuit of TickCheckers (reps on the left side, one a second)."""

    def info(move_id: str) -> MoveInfo:
        return MoveInfo(move_id=move_id, title=move_id.replace("_", " "), kind="reps", one_sided=False,
                        setup_tip="Stand side-on")

    make_recognizer: Callable[[], AlwaysRecognizer] = lambda: AlwaysRecognizer(move_ids[0])  # noqa: E731
    return CircuitMoves(move_ids=tuple(move_ids), info=info, make_checker=lambda move_id: TickChecker(move_id=move_id),
                        make_recognizer=make_recognizer)


# ------------------------------------------------------------------------------------------------ crash child
def run_sessions_forever(data_dir: str, max_sessions: int = 1_000) -> None:
    """The kill -9 test's child: guided sessions of the tick circuit (2 moves x 2 rounds, frames every 33 ms),
    recording every finished set through the live coach's history seam; prints `SET <session> <set id>` once a set
    is committed. Runs until killed (or `max_sessions`, so a forgotten process ends)."""
    from coach.circuit import Circuit
    from coach.history import HistoryRecorder

    recorder = HistoryRecorder.open(data_dir)
    for _ in range(max_sessions):
        session_id = recorder.start_session(rounds=2, set_seconds=30)

        def on_set_done(result: Any, session_id: int | None = session_id) -> None:
            set_id = recorder.record_set_result(result)
            if set_id is None:
                raise SystemExit(f"a set was not saved: {recorder.warning}")
            print(f"SET {session_id} {set_id}", flush=True)

        circuit = Circuit(Settings(rounds=2, seconds=30, mode="timed"), tick_moves(), on_set_done=on_set_done)
        t_ms = 0
        while circuit.state != "finished":
            circuit.update(t_ms, make_pose(t_ms))
            t_ms += FRAME_MS
        recorder.end_session()


if __name__ == "__main__":
    import sys

    run_sessions_forever(sys.argv[1])
