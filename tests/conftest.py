"""Shared fixtures: tiny (and broken) videos made at test time, and the first committed sample clip with a person."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent


def encode_video(path: Path, frame_count: int, size: tuple[int, int] = (64, 48), fps: int = 30) -> Path:
    """Write an H.264 mp4 of `frame_count` flat grey frames (zero frames gives a valid file with no frames)."""
    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        container.start_encoding()
        for index in range(frame_count):
            image = np.full((height, width, 3), (index * 7) % 256, dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode())
    return path


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    """make_video(name, frame_count, size=(64, 48), fps=30) -> path of a fresh mp4 in tmp_path."""
    return lambda name, frame_count, **kwargs: encode_video(tmp_path / name, frame_count, **kwargs)


@pytest.fixture
def make_bad_video(tmp_path: Path, make_video: Callable[..., Path]) -> Callable[[str], Path]:
    """make_bad_video(name) -> a path in tmp_path that no video reader accepts, chosen by name: "missing.mp4"
    (absent), "notes.mp4" (text), "cut.mp4" (the first half of an mp4), "empty.mp4" (no frames), "folder"."""

    def make(name: str) -> Path:
        path = tmp_path / name
        if name == "notes.mp4":
            path.write_text("not a video\n")
        elif name == "cut.mp4":
            whole = make_video("whole.mp4", 30).read_bytes()
            path.write_bytes(whole[: len(whole) // 2])
        elif name == "empty.mp4":
            make_video(name, 0)
        elif name == "folder":
            path.mkdir()
        elif name != "missing.mp4":
            raise ValueError(f"no bad video called {name!r}")
        return path

    return make


@pytest.fixture(scope="session")
def person_clip() -> tuple[Path, dict]:
    """The first committed sample clip that shows a person, with its label sidecar."""
    for video in sorted((REPO / "sample_videos").glob("*.mp4")):
        sidecar = video.with_suffix(".json")
        if sidecar.is_file():
            labels = json.loads(sidecar.read_text())
            if labels.get("person_frames", 0) > 0:
                return video, labels
    pytest.skip("no sample clip with a person is committed in sample_videos/ yet")


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder (history, routines), so none reads or writes the person's real one."""
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("COACH_DATA_DIR", str(folder))
    return folder
