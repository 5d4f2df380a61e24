"""The typed pose every later stage reads, and the MediaPipe PoseLandmarker wrapper that produces it."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from coach.sources import Frame

log = logging.getLogger(__name__)


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

    Several people: with `num_poses` > 1 every frame reports everyone and the estimator keeps following the person
    nearest to the one it followed last (`pick_person`); that halves throughput, so the default tracks one person
    (MediaPipe's tracker stays on them) and, with `crowd_check_ms`, counts the people in view once per that much
    frame time with a second, per-image model. `people_in_view` is the latest count either way.

    Sessions: one estimator can serve many sessions in turn (a graph per session costs memory: see `SharedEstimator`).
    `begin_session()` lets the next frame's clock start again (at 0, say); MediaPipe still sees increasing times
    because each session's frames are fed shifted by an offset, past the last session's end, while the poses keep the
    session's own `t_ms`. The last session's person does not leak into the next: the first frame of a new session is
    preceded by one black frame, on which MediaPipe finds nobody, so its tracker drops the person it followed (the
    next frame runs the person detector, as a fresh graph's first frame does) and its landmark smoothing filters
    reset; the estimator's own memory (the person followed, the crowd count) is cleared too.

    A second look for a lost hand: VIDEO mode crops each frame around the landmarks it found in the last one, and a
    hand raised fast can leave that crop; MediaPipe then keeps the wrist where it was, at visibility 0.02-0.06, for a
    second or for the whole hold (rendered overhead reaches), while a per-image pass (the person detector first, no
    crop from the last frame) finds it raised at 0.5-0.97. So while a wrist reads lost the frame also gets a
    per-image pass, on every frame for as long as one keeps finding it; found, that arm (shoulder to fingers) comes
    from the per-image pass. A pass that finds nothing waits RELOOK_FIRST_WAIT_MS of frame time before the next,
    and each further miss in a row doubles the wait up to RELOOK_MAX_WAIT_MS: a far hand hidden behind the body for
    a whole set costs a pass a second, not four, and the frames that pay for two passes stay out of the latency's
    95th percentile. Only the arm: a per-image pass on every frame for the whole body loses raised arms that
    tracking keeps (hip flexor holds timed right 12 -> 8 of 30 on the tuning renders, arms alone 12 -> 14), and costs
    twice the time. Dropping the tracker instead (a black frame) does not help: its next frame keeps the wrist lost.
    """

    def __init__(self, variant: str = "full", model_path: Path | None = None, num_poses: int = 1,
                 crowd_check_ms: int | None = None) -> None:
        from coach.models import ensure_model

        path = model_path or ensure_model(variant)
        vision, base_options, self._mp = _mediapipe()

        def landmarker(mode: Any, poses: int) -> Any:
            options = vision.PoseLandmarkerOptions(base_options=base_options(model_asset_path=str(path)),
                                                   running_mode=mode, num_poses=poses)
            with _native_stderr_silenced():
                return vision.PoseLandmarker.create_from_options(options)

        self._landmarker = landmarker(vision.RunningMode.VIDEO, num_poses)
        self._second_look = landmarker(vision.RunningMode.IMAGE, 1)
        self._second_look_ms = 0  # the frame time of the last per-image pass (read only after a miss)
        self._second_looks_missed = 0  # per-image passes in a row that found no lost wrist
        self._crowd = None if crowd_check_ms is None else landmarker(vision.RunningMode.IMAGE, CROWD_MAX_PEOPLE)
        self._crowd_check_ms = crowd_check_ms or 0
        self._crowd_checked_ms: int | None = None
        self.people_in_view = 0
        self._followed: np.ndarray | None = None  # image xyz of the person followed in the last frame
        self._last_t_ms: int | None = None  # this session's last frame time
        self._offset_ms = 0  # added to this session's frame times to get MediaPipe's
        self._graph_t_ms: int | None = None  # the last time MediaPipe was fed, over the estimator's whole life
        self._new_session = False
        self._first_frame = True
        self.detect_ms = 0.0

    def begin_session(self) -> None:
        """The next frame starts a new session: its clock may start again from any t_ms, and nothing of the last
        session's person carries over (see the class notes)."""
        self._last_t_ms = None
        self._new_session = self._graph_t_ms is not None
        self._followed = None
        self._crowd_checked_ms = None
        self._second_look_ms, self._second_looks_missed = 0, 0
        self.people_in_view = 0

    def detect(self, frame: Frame) -> Pose | None:
        """The person's pose in `frame`, or None when no person is found. `detect_ms` says how long it took (a
        measurement for the live loop's model choice, see coach.keepup; no frame time depends on it)."""
        started_s = time.perf_counter()
        pose = self._detect(frame)
        self.detect_ms = (time.perf_counter() - started_s) * 1000
        return pose

    def _detect(self, frame: Frame) -> Pose | None:
        if self._last_t_ms is not None and frame.t_ms <= self._last_t_ms:
            raise ValueError(f"frame timestamps must increase: got {frame.t_ms} ms after {self._last_t_ms} ms")
        self._last_t_ms = frame.t_ms
        if self._new_session:
            self._new_session = False
            self._forget_last_person(frame)
        self._graph_t_ms = frame.t_ms + self._offset_ms
        rgb = np.ascontiguousarray(frame.image_bgr[:, :, ::-1])
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if self._first_frame:  # the graph starts (and logs its delegate set-up) on the first frame
            self._first_frame = False
            with _native_stderr_silenced():
                result = self._landmarker.detect_for_video(image, self._graph_t_ms)
        else:
            result = self._landmarker.detect_for_video(image, self._graph_t_ms)
        self._count_people(image, frame.t_ms, len(result.pose_landmarks))
        if not result.pose_landmarks:
            return None
        candidates = [np.array([(lm.x, lm.y, lm.z) for lm in lms], dtype=float) for lms in result.pose_landmarks]
        chosen = pick_person(candidates, self._followed)
        self._followed = candidates[chosen]
        height_px, width_px = frame.image_bgr.shape[:2]
        size = (width_px, height_px)
        pose = _pose(frame.t_ms, result.pose_landmarks[chosen], result.pose_world_landmarks[chosen], size)
        return self._with_lost_arms_found(pose, image)

    def _with_lost_arms_found(self, pose: Pose, image: Any) -> Pose:
        """`pose` with each arm whose wrist the tracker lost taken from a per-image pass that sees it (see the class
        notes)."""
        lost = [arm for arm in ARMS if pose.visibility[arm[WRIST_IN_ARM]] < WRIST_LOST_VISIBILITY]
        if not lost:  # the tracker sees the wrists: the next lost one waits no longer than the first wait
            self._second_looks_missed = min(self._second_looks_missed, 1)
            return pose
        if self._second_looks_missed and pose.t_ms - self._second_look_ms < self._relook_wait_ms():
            return pose
        self._second_look_ms = pose.t_ms
        seen = self._look_again(pose, image)
        found = [] if seen is None else [arm for arm in lost
                                         if seen.visibility[arm[WRIST_IN_ARM]] >= WRIST_FOUND_VISIBILITY]
        if seen is None or not found:
            self._second_looks_missed += 1
            return pose
        self._second_looks_missed = 0
        return _with_arms(pose, seen, found)

    def _relook_wait_ms(self) -> int:
        """Frame time to wait after the last per-image pass, which found nothing (see the class notes)."""
        return min(RELOOK_FIRST_WAIT_MS * 2 ** (self._second_looks_missed - 1), RELOOK_MAX_WAIT_MS)

    def _look_again(self, tracked: Pose, image: Any) -> Pose | None:
        """The per-image pass's pose of the person the tracker follows, or None when it found nobody or someone else
        (torso landmarks apart by SAME_PERSON_TORSO_SHARE of the picture on average)."""
        result = self._second_look.detect(image)
        if not result.pose_landmarks:
            return None
        seen = _pose(tracked.t_ms, result.pose_landmarks[0], result.pose_world_landmarks[0], tracked.image_size)
        torso = list(TORSO)
        gaps = np.linalg.norm(tracked.image_xyz[torso, :2] - seen.image_xyz[torso, :2], axis=1)
        return seen if float(gaps.mean()) < SAME_PERSON_TORSO_SHARE else None

    def _forget_last_person(self, frame: Frame) -> None:
        """Between sessions: one black frame of `frame`'s size, SESSION_GAP_MS after the last session's end, then
        `frame` another SESSION_GAP_MS later. MediaPipe finds nobody in black, which drops its tracked person and
        resets its landmark filters."""
        assert self._graph_t_ms is not None
        black = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.zeros_like(frame.image_bgr))
        self._landmarker.detect_for_video(black, self._graph_t_ms + SESSION_GAP_MS)
        self._offset_ms = self._graph_t_ms + 2 * SESSION_GAP_MS - frame.t_ms

    def _count_people(self, image: Any, t_ms: int, tracked: int) -> None:
        if self._crowd is None:
            self.people_in_view = tracked
            return
        if self._crowd_checked_ms is None or t_ms - self._crowd_checked_ms >= self._crowd_check_ms:
            self._crowd_checked_ms = t_ms
            self.people_in_view = len(self._crowd.detect(image).pose_landmarks)

    def close(self) -> None:
        self._landmarker.close()
        self._second_look.close()
        if self._crowd is not None:
            self._crowd.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class PoseModels:
    """Pose estimators of several model variants behind one `detect`, so the live loop can change variant between two
    frames of a session (see coach.keepup) while everything after the pose, counts and timers, carries on.

    Each variant's estimator is built on first use and kept: a switch back costs nothing, and memory stays one graph
    per variant used. An estimator taken up again after a break begins a new session on it (`begin_session`), so it
    forgets the person it tracked seconds ago instead of looking for them where they were. A variant that cannot be
    provided (lite needs Google's download or npm) is remembered, and `use` refuses it without trying again.
    """

    def __init__(self, make: Callable[[str], PoseEstimator], variant: str = "full") -> None:
        self._make = make
        self._first_variant = variant
        self._estimators = {variant: make(variant)}
        self._unavailable: set[str] = set()
        self.variant = variant

    @property
    def _current(self) -> PoseEstimator:
        return self._estimators[self.variant]

    @property
    def people_in_view(self) -> int:
        return self._current.people_in_view

    @property
    def detect_ms(self) -> float:
        return self._current.detect_ms

    def detect(self, frame: Frame) -> Pose | None:
        return self._current.detect(frame)

    def use(self, variant: str) -> bool:
        """Detect with `variant` from the next frame on; False (and no change) when it cannot be provided."""
        from coach.models import ModelError

        if variant == self.variant:
            return True
        if variant in self._unavailable:
            return False
        estimator = self._estimators.get(variant)
        if estimator is None:
            try:
                self._estimators[variant] = self._make(variant)
            except ModelError as exc:
                log.warning("The %s pose model is unavailable: %s", variant, exc)
                self._unavailable.add(variant)
                return False
        else:
            estimator.begin_session()
        self.variant = variant
        return True

    def begin_session(self) -> None:
        """A new session starts on the first variant again, and no estimator remembers the last session's person."""
        for estimator in self._estimators.values():
            estimator.begin_session()
        self.variant = self._first_variant

    def close(self) -> None:
        for estimator in self._estimators.values():
            estimator.close()


class SharedEstimator:
    """One PoseEstimator (or one PoseModels, an estimator per variant) for a server's whole life, lent to one session
    at a time.

    A MediaPipe graph per session, each on its session's new thread (glibc gives every thread its own malloc arena),
    grew the server's memory with every start: 277 -> 781 MB over 17 starts. The estimator is built on the first
    `lend` (a server nobody coaches never loads the model) and every later lend begins a new session on it. The lock
    keeps a session that starts while the last one is still winding down waiting for it, rather than feeding the graph
    from two threads. A session that fails hands back an estimator that may be broken: it is closed, and the next
    lend builds a new one.
    """

    def __init__(self, make: Callable[[], PoseEstimator | PoseModels]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._estimator: PoseEstimator | PoseModels | None = None

    @contextmanager
    def lend(self) -> Iterator[PoseEstimator | PoseModels]:
        """The estimator, for one session's frames (strictly increasing t_ms within the session)."""
        with self._lock:
            if self._estimator is None:
                self._estimator = self._make()
            else:
                self._estimator.begin_session()
            try:
                yield self._estimator
            except BaseException:
                self._close_locked()
                raise

    def close(self) -> None:
        """Free the model (the server shuts down); waits for a session still using it."""
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._estimator is not None:
            estimator, self._estimator = self._estimator, None
            estimator.close()


CROWD_MAX_PEOPLE = 2  # enough to notice "someone else is in view"
SESSION_GAP_MS = 1_000  # MediaPipe time between one session's last frame, the black frame, and the next's first
TORSO = (11, 12, 23, 24)  # shoulders and hips: the steadiest landmarks to tell people apart
ARMS = ([11, 13, 15, 17, 19, 21], [12, 14, 16, 18, 20, 22])  # shoulder, elbow, wrist, pinky, index, thumb
WRIST_IN_ARM = 2
WRIST_LOST_VISIBILITY = 0.15
WRIST_FOUND_VISIBILITY = 0.5
"""A wrist the tracker lost reads under 0.15 (0.02-0.06 while it kept a raised hand at the hip); a per-image pass
that sees it reads 0.5-0.97."""
RELOOK_FIRST_WAIT_MS = 250
RELOOK_MAX_WAIT_MS = 1_000
"""Between second looks that find nothing: a far hand hidden behind the body reads faint too (a fifth of the frames
on the side-on tuning renders; 278 of bridge_march_a's 684, 205 of them in a row), and each such frame must not cost a
second pass. The cap keeps a hand raised out of the tracker's crop found within about a second."""
SAME_PERSON_TORSO_SHARE = 0.1
"""The per-image pass found the person the tracker follows when their torso landmarks lie within this share of the
picture of each other on average."""


def _pose(t_ms: int, image_landmarks: Any, world_landmarks: Any, image_size: tuple[int, int]) -> Pose:
    """A Pose from one person's MediaPipe landmark lists."""
    return Pose(
        t_ms=t_ms,
        image_xyz=np.array([(lm.x, lm.y, lm.z) for lm in image_landmarks], dtype=float),
        world_xyz=np.array([(lm.x, lm.y, lm.z) for lm in world_landmarks], dtype=float),
        visibility=np.array([lm.visibility or 0.0 for lm in image_landmarks], dtype=float),
        presence=np.array([lm.presence or 0.0 for lm in image_landmarks], dtype=float),
        image_size=image_size,
    )


def _with_arms(pose: Pose, source: Pose, arms: list[list[int]]) -> Pose:
    """`pose` with these arms' landmarks from `source`; in 3D each arm hangs from `pose`'s own shoulder."""
    image_xyz, world_xyz = pose.image_xyz.copy(), pose.world_xyz.copy()
    visibility, presence = pose.visibility.copy(), pose.presence.copy()
    for arm in arms:
        shoulder = arm[0]
        image_xyz[arm] = source.image_xyz[arm]
        world_xyz[arm] = pose.world_xyz[shoulder] + source.world_xyz[arm] - source.world_xyz[shoulder]
        visibility[arm], presence[arm] = source.visibility[arm], source.presence[arm]
    return Pose(pose.t_ms, image_xyz, world_xyz, visibility, presence, pose.image_size)


def pick_person(candidates: list[np.ndarray], followed: np.ndarray | None) -> int:
    """Index of the candidate (33, 3) landmarks whose torso is nearest the person followed so far; without one, the
    person nearest the middle of the picture (the likeliest to be the one exercising)."""
    centres = [c[list(TORSO), :2].mean(axis=0) for c in candidates]
    target = np.array([0.5, 0.5]) if followed is None else followed[list(TORSO), :2].mean(axis=0)
    return int(np.argmin([np.linalg.norm(centre - target) for centre in centres]))


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
