"""Every committed sample clip has a valid label sidecar (no video decoding, no torch): the replay tests and the
benchmark trust these labels, so their shape and internal consistency are checked here."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
SIDECARS = sorted(p for p in SAMPLES.glob("*.json") if p.with_suffix(".mp4").is_file())
MOVE_IDS = {"hip_90_90", "lunge_rotation", "bridge_march", "hamstring_scoop", "hip_flexor_reach",
            "forward_fold_pedals", "hamstring_strap"}
SIDE_KEYS = {"left", "right", "both"}
MAX_CLIP_MS = 30_000
MAX_TOTAL_BYTES = 40 * 1024 * 1024
TOP_KEYS = {"clip", "fps", "width", "height", "frame_count", "duration_ms", "description", "body", "camera",
            "segments", "expected", "person_frames", "joints_2d"}


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_there_are_labelled_clips() -> None:
    assert SIDECARS, "no sample_videos/*.mp4 with a .json sidecar"


def test_sample_videos_stay_small() -> None:
    total = sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file())
    assert total < MAX_TOTAL_BYTES, f"sample_videos is {total / 2**20:.1f} MB"


@pytest.mark.parametrize("path", SIDECARS, ids=lambda p: p.stem)
def test_sidecar_schema(path: Path) -> None:
    label = _load(path)
    assert label.keys() >= TOP_KEYS, f"missing {TOP_KEYS - label.keys()}"
    assert label["clip"] == path.with_suffix(".mp4").name
    assert (label["fps"], label["width"], label["height"]) == (30, 640, 480)
    assert label["duration_ms"] == round(label["frame_count"] * 1000 / label["fps"])
    if path.stem != "circuit_full":
        assert label["duration_ms"] <= MAX_CLIP_MS
    assert {"eye", "target", "fov_deg", "view"} <= label["camera"].keys()
    names = label["joints_2d"]["names"]
    frames = label["joints_2d"]["frames"]
    assert len(frames) == label["frame_count"]
    assert {"left_shoulder", "right_hip", "left_knee", "right_ankle", "left_wrist"} <= set(names)
    assert sum(f is not None for f in frames) == label["person_frames"]
    for frame in frames:
        if frame is not None:
            assert len(frame) == len(names)
            assert all(p is None or (0 <= p[0] < 640 and 0 <= p[1] < 480) for p in frame)


@pytest.mark.parametrize("path", SIDECARS, ids=lambda p: p.stem)
def test_expected_matches_segments_and_events(path: Path) -> None:
    label = _load(path)
    segments = label["segments"]
    assert all(0 <= s["start_ms"] < s["end_ms"] <= label["duration_ms"] for s in segments)
    assert all(a["end_ms"] <= b["start_ms"] for a, b in itertools.pairwise(segments))
    segment_moves = {s["move"] for s in segments if s["move"]}
    assert set(label["expected"]) == segment_moves
    assert segment_moves <= MOVE_IDS
    for move, expected in label["expected"].items():
        assert set(expected["reps"]) <= SIDE_KEYS and set(expected["hold_s"]) <= SIDE_KEYS
        reps = [e for e in label["events"] if e["kind"] == "rep" and e["move"] == move]
        for side, count in expected["reps"].items():
            assert count == sum(e["side"] == side for e in reps)
        for e in reps:  # every counted rep lies inside a segment of its move
            assert any(s["move"] == move and s["start_ms"] <= e["t_ms"] <= s["end_ms"] for s in segments)
        for side, seconds in expected["hold_s"].items():
            holds = [e for e in label["events"] if e["kind"] == "hold" and e["move"] == move and e["side"] == side]
            assert seconds == pytest.approx(sum(e["end_ms"] - e["t_ms"] for e in holds) / 1000, abs=0.11)


def test_empty_room_expects_nothing() -> None:
    path = SAMPLES / "empty_room.json"
    if not path.is_file():
        pytest.skip("empty_room not rendered yet")
    label = _load(path)
    assert label["expected"] == {} and label["person_frames"] == 0
