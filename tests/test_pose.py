"""PoseEstimator: typed poses, the timestamp guard, and no network use at all."""

import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from coach.models import ensure_model
from coach.pose import Pose, PoseEstimator
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
