"""PoseEstimator: typed poses, the timestamp guard, sessions in turn on one estimator, and no network use at all."""

import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from coach.models import ensure_model
from coach.pose import Pose, PoseEstimator, SharedEstimator
from coach.sources import Frame, open_source


def _frames(person_clip_or_none: Path | None, count: int) -> list[Frame]:
    if person_clip_or_none is None:
        return [Frame(np.full((480, 640, 3), 90, np.uint8), i * 33, i) for i in range(count)]
    with open_source(str(person_clip_or_none)) as source:
        return [frame for frame, _ in zip(source, range(count), strict=False)]


@pytest.fixture
def clip_or_none(request) -> Path | None:
    try:
        return request.getfixturevalue("person_clip")[0]
    except pytest.skip.Exception:
        return None


def test_timestamps_must_increase() -> None:
    blank = np.zeros((120, 160, 3), np.uint8)
    with PoseEstimator() as estimator:
        estimator.detect(Frame(blank, 100, 0))
        with pytest.raises(ValueError, match="frame timestamps must increase: got 100 ms after 100 ms"):
            estimator.detect(Frame(blank, 100, 1))


class _GraphTimes:
    """Stands in for MediaPipe's landmarker, recording every timestamp the estimator feeds it."""

    def __init__(self, landmarker) -> None:
        self._landmarker, self.t_ms = landmarker, []

    def detect_for_video(self, image, t_ms: int):
        self.t_ms.append(t_ms)
        return self._landmarker.detect_for_video(image, t_ms)

    def close(self) -> None:
        self._landmarker.close()


def test_a_new_session_restarts_at_0_while_mediapipe_times_keep_increasing(person_clip) -> None:
    frames = _frames(person_clip[0], 8)
    with PoseEstimator() as estimator:
        graph = estimator._landmarker = _GraphTimes(estimator._landmarker)
        first = [estimator.detect(frame) for frame in frames]
        estimator.begin_session()
        second = [estimator.detect(frame) for frame in frames]  # the same frames, t_ms from 0 again
        with pytest.raises(ValueError, match="frame timestamps must increase"):
            estimator.detect(frames[0])  # within a session time still only goes forward
    assert all(later > earlier for earlier, later in zip(graph.t_ms, graph.t_ms[1:], strict=False))
    assert len(graph.t_ms) == 2 * len(frames) + 1  # the black frame between the sessions that drops the person
    assert [p.t_ms for p in second if p is not None] == [f.t_ms for f in frames]
    # nothing of the first session's person carries over: the second sees the clip as a fresh estimator did
    assert all(abs(a.image_xyz - b.image_xyz).max() < 1e-3 for a, b in zip(first, second, strict=True))


class _FakeEstimator:
    def __init__(self) -> None:
        self.sessions, self.closed = 1, False

    def begin_session(self) -> None:
        self.sessions += 1

    def close(self) -> None:
        self.closed = True


def test_shared_estimator_is_built_once_and_rebuilt_only_after_a_failed_session() -> None:
    built: list[_FakeEstimator] = []
    shared = SharedEstimator(lambda: built.append(_FakeEstimator()) or built[-1])
    for _ in range(3):
        with shared.lend():
            pass
    assert len(built) == 1 and built[0].sessions == 3 and not built[0].closed
    with pytest.raises(RuntimeError), shared.lend():
        raise RuntimeError("the graph failed")
    assert built[0].closed  # a failed session may leave the graph broken: not lent again
    with shared.lend() as estimator:
        assert estimator is built[1] and estimator.sessions == 1
    shared.close()
    assert built[1].closed


def test_person_clip_gives_typed_poses(person_clip) -> None:
    with PoseEstimator() as estimator:
        poses = [p for p in map(estimator.detect, _frames(person_clip[0], 30)) if p is not None]
    assert len(poses) >= 20
    pose = poses[-1]
    assert isinstance(pose, Pose)
    assert pose.image_xyz.shape == pose.world_xyz.shape == (33, 3)
    assert pose.visibility.shape == pose.presence.shape == (33,)
    assert pose.image_size == (person_clip[1]["width"], person_clip[1]["height"])


def test_estimator_runs_with_sockets_blocked(monkeypatch, clip_or_none) -> None:
    """Python-level guard: any socket the process tries to open fails the test."""
    ensure_model("full")
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with PoseEstimator() as estimator:
        results = [estimator.detect(frame) for frame in _frames(clip_or_none, 20)]
    assert attempts == []
    if clip_or_none is not None:
        assert sum(r is not None for r in results) >= 10


def test_native_code_opens_no_network_socket(tmp_path: Path) -> None:
    """OS-level check: strace every socket() the process (native code included) makes while the estimator runs."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (scripts/setup.sh installs it)")
    ensure_model("full")
    script = textwrap.dedent("""
        import numpy as np
        from coach.pose import PoseEstimator
        from coach.sources import Frame
        with PoseEstimator() as estimator:
            for i in range(10):
                estimator.detect(Frame(np.full((480, 640, 3), 90, np.uint8), i * 33, i))
        print("ran")
    """)
    log = tmp_path / "strace.log"
    done = subprocess.run([strace, "-f", "-e", "trace=socket,connect", "-o", str(log), sys.executable, "-c", script],
                          capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0 and "ptrace" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip().splitlines()[0]}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ran"
    network_calls = [line for line in log.read_text().splitlines() if "AF_INET" in line]
    assert network_calls == []


def test_switching_model_variants_mid_session_keeps_finding_the_person(person_clip) -> None:
    """The real models behind PoseModels, as the live loop's keep-up switch uses them: full, lite, full again, all in
    one session of increasing frame times (skipped until `coach models --variant lite` has built the lite model: a
    test does not fetch it)."""
    from coach.models import is_valid_bundle, model_path
    from coach.pose import PoseModels

    if not is_valid_bundle(model_path("lite")):
        pytest.skip("no lite model here; `coach models --variant lite` builds it")
    frames = _frames(person_clip[0], 60)
    models = PoseModels(PoseEstimator)
    try:
        seen = []
        for frame in frames:
            if frame.index in (20, 40):
                assert models.use("lite" if frame.index == 20 else "full")
            pose = models.detect(frame)
            seen.append((models.variant, pose is not None and pose.t_ms == frame.t_ms))
    finally:
        models.close()
    assert [variant for variant, _ in seen] == ["full"] * 20 + ["lite"] * 20 + ["full"] * 20
    assert all(found for _, found in seen[5:])  # after the tracker's first lock-on, every frame has the person


def _result(wrist_visibility: float, wrist_y: float, body_x: float = 0.5) -> SimpleNamespace:
    """One person standing at `body_x`; both wrists at `wrist_y` with `wrist_visibility`. World = image here."""
    points = [SimpleNamespace(x=body_x, y=0.3 + 0.015 * i, z=0.0, visibility=0.9, presence=0.9) for i in range(33)]
    for wrist in (15, 16):
        points[wrist] = SimpleNamespace(x=body_x - 0.05, y=wrist_y, z=0.0, visibility=wrist_visibility, presence=0.9)
    return SimpleNamespace(pose_landmarks=[points], pose_world_landmarks=[points])


class _Tracker:
    """Stands in for the VIDEO-mode landmarker: it keeps both wrists low and faint (raised hands it lost), except at
    the frame times in `wrists_seen_at_ms`."""

    def __init__(self, wrists_seen_at_ms: frozenset[int] = frozenset()) -> None:
        self.wrists_seen_at_ms = wrists_seen_at_ms

    def detect_for_video(self, image, t_ms: int) -> SimpleNamespace:
        return _result(wrist_visibility=0.9 if t_ms in self.wrists_seen_at_ms else 0.03, wrist_y=0.6)

    def close(self) -> None:
        pass


class _SecondLook:
    """Stands in for the per-image landmarker: sees the wrists raised, with this visibility, on this person."""

    def __init__(self, wrist_visibility: float, body_x: float = 0.5) -> None:
        self.wrist_visibility, self.body_x, self.calls = wrist_visibility, body_x, 0

    def detect(self, image) -> SimpleNamespace:
        self.calls += 1
        return _result(self.wrist_visibility, wrist_y=0.1, body_x=self.body_x)

    def close(self) -> None:
        pass


def _poses_seen(second_look: _SecondLook, frame_times_ms: list[int], tracker: _Tracker | None = None) -> list[Pose]:
    """The estimator's pose in each frame, with this fake tracker (by default one that loses both wrists) and this
    fake second look."""
    image = np.full((120, 160, 3), 90, np.uint8)
    with PoseEstimator() as estimator:
        estimator._landmarker.close()
        estimator._second_look.close()
        estimator._landmarker, estimator._second_look = tracker or _Tracker(), second_look
        poses = [estimator.detect(Frame(image, t_ms, i)) for i, t_ms in enumerate(frame_times_ms)]
    assert all(pose is not None for pose in poses)
    return poses


def _wrists_seen(second_look: _SecondLook, frame_times_ms: list[int]) -> list[float]:
    """The left wrist's image height in each frame."""
    return [round(float(pose.image_xyz[15, 1]), 2) for pose in _poses_seen(second_look, frame_times_ms)]


def test_an_arm_the_tracker_lost_comes_from_a_second_look_while_that_look_keeps_finding_it() -> None:
    second_look = _SecondLook(wrist_visibility=0.95)
    assert _wrists_seen(second_look, [0, 33, 66, 100]) == [0.1, 0.1, 0.1, 0.1]
    assert second_look.calls == 4  # every frame while it finds the wrist


def test_a_second_look_that_finds_no_wrist_is_tried_again_only_after_250_ms() -> None:
    second_look = _SecondLook(wrist_visibility=0.2)
    assert _wrists_seen(second_look, [0, 1, 100, 300, 301]) == [0.6] * 5
    assert second_look.calls == 2  # at 0 and at 300 ms of frame time


def test_second_looks_that_keep_finding_nothing_wait_twice_as_long_each_time_up_to_a_second() -> None:
    second_look = _SecondLook(wrist_visibility=0.2)
    _poses_seen(second_look, list(range(0, 4_000, 250)))
    assert second_look.calls == 6  # at 0, 250, 750, 1750, 2750 and 3750 ms: waits of 250, 500, then 1000 ms


def test_a_wrist_the_tracker_sees_again_brings_the_wait_back_to_250_ms() -> None:
    second_look = _SecondLook(wrist_visibility=0.2)
    _poses_seen(second_look, [0, 250, 750, 800, 1050, 1100], _Tracker(wrists_seen_at_ms=frozenset({800})))
    assert second_look.calls == 4  # at 0, 250 and 750 ms, then 250 ms after the last: 1050 (not 1750)


def test_a_second_look_at_someone_else_is_not_taken() -> None:
    assert _wrists_seen(_SecondLook(wrist_visibility=0.95, body_x=0.8), [0, 300]) == [0.6, 0.6]


def test_a_found_arm_hangs_from_the_tracked_shoulder_in_3d() -> None:
    [pose] = _poses_seen(_SecondLook(0.95, body_x=0.55), [0])
    # the second look's wrist sits 0.05 left of its shoulder and at height 0.1: so it does from the tracked shoulder
    np.testing.assert_allclose(pose.world_xyz[15, :2], [0.5 - 0.05, 0.1], atol=1e-9)
    np.testing.assert_allclose(pose.world_xyz[11, :2], [0.5, 0.3 + 0.015 * 11], atol=1e-9)
