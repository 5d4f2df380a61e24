"""`coach replay` end to end, run as the installed console script in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

COACH = Path(sys.executable).parent / "coach"  # the console script installed by `pip install -e .`


def _coach(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(COACH), *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300,
                          env={**os.environ, "CI": "true"})


def test_replay_finds_the_person_and_writes_the_report(person_clip, tmp_path: Path) -> None:
    video, labels = person_clip
    done = _coach("replay", str(video), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / f"{video.stem}.json").read_text())
    assert report["frames"] == labels["frame_count"]
    assert report["clip_fps"] == pytest.approx(labels["fps"])
    assert report["duration_ms"] == pytest.approx(labels["duration_ms"], abs=40)
    assert report["frames_with_person"] >= 0.8 * labels["person_frames"]
    assert report["processing_fps"] > 0
    assert isinstance(report["moves"], dict) and isinstance(report["segments"], list)
    assert f"Frames: {labels['frame_count']} " in done.stdout
    assert "Person found in" in done.stdout and "Processing:" in done.stdout


def test_replay_summary_and_report_on_a_tiny_clip(make_video, tmp_path: Path) -> None:
    video = make_video("room.mp4", 12, size=(96, 64), fps=24)
    done = _coach("replay", str(video), "--out", str(tmp_path / "reports"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "reports" / "room.json").read_text())
    assert report == {**report, "video": str(video), "frames": 12, "duration_ms": 500, "clip_fps": 24.0,
                      "frames_with_person": 0, "moves": {}, "segments": []}
    assert "Frames: 12 (0.5 s at 24.0 fps)" in done.stdout
    assert "Person found in 0 of 12 frames (0%)" in done.stdout
    assert "\r" not in done.stderr  # no progress bar outside a terminal


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("missing.mp4", "No such video file: {path}."),
        ("notes.mp4", "{path} is not a video file FFmpeg can read."),
        ("cut.mp4", "{path} looks like an MP4 video but cannot be read; it is truncated or corrupt."),
        ("empty.mp4", "{path} contains no video frames."),
        ("folder", "{path} is a directory, not a video file."),
    ],
)
def test_bad_input_exits_2_with_one_sentence(make_bad_video, tmp_path: Path, name: str, sentence: str) -> None:
    path = make_bad_video(name)
    done = _coach("replay", str(path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"coach: error: {sentence.format(path=path)}\n"
    assert done.stdout == ""
