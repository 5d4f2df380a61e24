"""Each `coach bench` command runs end to end on a few frames of one clip and writes results of the documented shape.

Speeds are not asserted (no timed tests); the shape, the counts of frames and the PASS/MISS target lines are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.cli import main

TARGET_KEYS = {"name", "value", "limit", "at_least", "unit", "pass"}


def _bench(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[dict, str]:
    assert main(["bench", *args, "--out", str(tmp_path), "--name", "smoke"]) == 0
    out = capsys.readouterr().out
    path = tmp_path / f"{args[0]}-smoke.json"
    assert path.with_suffix(".md").read_text().strip() in out
    results = json.loads(path.read_text())
    assert results["kind"] == args[0]
    assert {"cpu", "cores", "mediapipe"} <= results["machine"].keys()
    assert len(results["load_before"]) == len(results["load_after"]) == 3
    return results, out


def test_speed(person_clip: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results, out = _bench(capsys, tmp_path, "speed", "--clips", str(person_clip[0]), "--variants", "full",
                          "--max-frames", "16")
    (run,) = results["runs"]
    assert run["variant"] == "full" and run["available"]
    assert run["frames"] == 16 - results["warmup_frames_per_clip"]
    assert run["fps"] > 0 and run["pose_only_fps"] >= run["fps"]
    assert 0 < run["e2e_over_pose_only"] <= 1 and run["replay_x_realtime"] > 0 and run["peak_rss_mb"] > 0
    for stage in ("decode", "pose", "smoothing", "checkers", "encode", "overlay"):
        assert run["stages"][stage].keys() == {"median_ms", "p95_ms", "mean_ms"}
    assert [t.keys() for t in results["targets"]] == [TARGET_KEYS] * 4
    assert "end-to-end fps" in out and ("PASS" in out or "MISS" in out)


def test_accuracy(person_clip: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results, out = _bench(capsys, tmp_path, "accuracy", "--clips", str(person_clip[0]), "--max-frames", "30")
    assert [r["counter"] for r in results["runs"]] == ["ours", "ours_told", "ours_raw", "baseline"]
    for run in results["runs"]:
        assert run["frames"] == 30 and run["fps"] > 0 and 0 <= run["exact_rate"] <= 1
        (clip,) = run["per_clip"]
        assert clip["clip"] == person_clip[0].stem
        assert clip["labelled_moves"] == list(dict.fromkeys(s["move"] for s in person_clip[1]["segments"] if s["move"]))
    assert results["runs"][1]["recognition_rate"] is None and results["runs"][3]["recognition_rate"] is None  # told
    assert "reps exact (clips)" in out


def test_soak(person_clip: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results, out = _bench(capsys, tmp_path, "soak", "--clips", str(person_clip[0]), "--minutes", "5",
                          "--max-frames", "20")
    (run,) = results["runs"]
    assert run["frames"] == 20 and run["fps"] > 0 and run["errors"] == []
    assert run["samples"][0]["rss_mb"] > 0 and "rss_growth_mb_per_30_min" in run
    assert "RSS growth per 30 min" in out


def test_latency(person_clip: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 40 frames: 10 warm up, and on a loaded machine the server drops stale ones; 20 once left none to time
    results, out = _bench(capsys, tmp_path, "latency", "--clip", str(person_clip[0]), "--max-frames", "40")
    file_run, browser_run = results["runs"]
    assert (file_run["path"], browser_run["path"]) == ("file", "browser")
    assert file_run["frames"] >= 40  # the file plays on until the stop arrives
    assert browser_run["frames"] - browser_run["dropped_by_page"] == 40  # the page plays on until 40 are sent
    for run in results["runs"]:
        assert run["pose_events"] + run["frames_dropped"] == run["frames"]
        assert run["frames_dropped"] == run["dropped_by_page"] + run["dropped_by_server"] + run["lost"]
        pose = run["frame_to_pose"]
        assert 0 < pose["n"] <= run["frames"] - results["warmup_frames"]
        assert 0 < pose["p50_ms"] <= pose["p95_ms"] <= pose["p99_ms"] <= pose["max_ms"]
        assert run["frame_to_rep"].keys() == pose.keys()
    assert file_run["dropped_by_page"] == 0  # only the page's in-flight rule skips frames before sending
    assert [t.keys() for t in results["targets"]] == [TARGET_KEYS] * 4
    assert "frame -> pose ms p50 / p95 / p99" in out


@pytest.mark.parametrize(("args", "sentence"), [
    (["speed", "--variants", "tiny"], "Unknown model variant tiny"),
    (["accuracy", "--clips", "no/such.mp4"], "No such video file"),
    (["latency", "--clip", "no/such.mp4"], "No such video file"),
])
def test_bad_input_is_one_sentence(args: list[str], sentence: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", *args]) == 2
    assert sentence in capsys.readouterr().err
