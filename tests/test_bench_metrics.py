"""The benchmark's figures on fixed inputs, and the label comparison both the replay tests and the bench use."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from coach.bench import metrics
from coach.bench.baseline import count_move
from coach.bench.tables import Target, markdown_table
from coach.labels import LabelError, compare, labelled_clips, load_labels


def test_percentiles_interpolate_like_numpy() -> None:
    values = [10.0, 1.0, 4.0, 3.0, 2.0]
    assert metrics.median(values) == 3.0
    assert metrics.p95(values) == pytest.approx(8.8)  # rank 3.8 between 4 and 10
    assert metrics.percentile(list(range(1, 101)), 95.0) == pytest.approx(95.05)
    assert metrics.p95([7.0]) == 7.0
    assert math.isnan(metrics.p95([]))


def test_count_errors() -> None:
    errors = [0, 1, -1, 2, 0, -3]
    assert metrics.mae(errors) == pytest.approx(7 / 6)
    assert metrics.exact_rate(errors) == pytest.approx(2 / 6)
    assert metrics.off_by_one_rate(errors) == pytest.approx(2 / 6)
    assert metrics.exact_rate([0, 0]) == 1.0


def test_stage_stats_in_ms() -> None:
    assert metrics.stage_stats([1.0, 2.0, 3.0, 4.0]) == {"median_ms": 2.5, "p95_ms": 3.85, "mean_ms": 2.5}


def test_target_lines_say_pass_or_miss_with_the_figure() -> None:
    assert Target("fps", 31.2, 30.0, at_least=True).line() == "PASS  fps: 31.2 (target >= 30)"
    assert Target("own", 1.8, 1.5, at_least=False, unit=" ms").line() == "MISS  own: 1.8 ms (target <= 1.5 ms)"
    assert not Target("fps", None, 30.0, at_least=True).passed


def test_markdown_table() -> None:
    assert markdown_table(["a", "b"], [[1, "x"]]) == "| a | b |\n|---|---|\n| 1 | x |"


def _labels(tmp_path: Path, expected: dict, segments: list[dict]) -> Path:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"")
    video.with_suffix(".json").write_text(json.dumps({
        "clip": "clip.mp4", "fps": 30, "frame_count": 300, "duration_ms": 10000, "segments": segments,
        "expected": expected, "person_frames": 300}))
    return video


def test_compare_judges_reps_holds_and_moves(tmp_path: Path) -> None:
    video = _labels(tmp_path, {"hip_flexor_reach": {"reps": {}, "hold_s": {"left": 10.2}},
                               "bridge_march": {"reps": {"left": 3, "right": 3}}},
                    [{"move": "hip_flexor_reach", "side": "left", "start_ms": 0, "end_ms": 5000},
                     {"move": "bridge_march", "side": None, "start_ms": 5000, "end_ms": 10000}])
    report = {"moves": {"hip_flexor_reach": {"reps": {}, "hold_s": {"left": 9.9, "right": 0.0}},
                        "bridge_march": {"reps": {"left": 3, "right": 2, "both": 0}, "hold_s": {}}},
              "segments": [{"move": "hip_flexor_reach", "start_ms": 0, "end_ms": 5000},
                           {"move": "bridge_march", "start_ms": 5000, "end_ms": 10000}]}
    result = compare(report, load_labels(video))
    assert [(c.move_id, c.side, c.labelled, c.counted) for c in result.reps] == [
        ("bridge_march", "left", 3, 3), ("bridge_march", "right", 3, 2)]  # uncounted "both" adds no check
    assert not result.reps_exact
    assert result.max_hold_error_s == pytest.approx(0.3)
    assert result.recognition_ok


def test_compare_counts_false_positives(tmp_path: Path) -> None:
    video = _labels(tmp_path, {}, [{"move": None, "side": None, "start_ms": 0, "end_ms": 10000}])
    report = {"moves": {"hamstring_strap": {"reps": {}, "hold_s": {"right": 1.5}}},
              "segments": [{"move": "hamstring_strap", "start_ms": 100, "end_ms": 2000}]}
    result = compare(report, load_labels(video))
    assert result.counted_anything()
    assert result.max_hold_error_s == 1.5
    assert not result.recognition_ok
    assert compare({"moves": {}, "segments": []}, load_labels(video)).recognition_ok


def test_missing_sidecar_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(LabelError, match="has no label sidecar"):
        load_labels(tmp_path / "nothing.mp4")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(LabelError, match="Cannot read the labels"):
        load_labels(tmp_path / "bad.mp4")
    assert labelled_clips(tmp_path) == []


def test_baseline_counts_rising_edges_and_time_above(monkeypatch: pytest.MonkeyPatch) -> None:
    """One threshold, no dwell: every crossing counts, jitter included (what the coach's design avoids)."""
    from coach.bench import baseline

    readings = iter([0, 40, 20, 31, 29, 50, 0])  # knee lift, degrees: three rises through 30

    def lift(_pose: object, side: str) -> float:
        return next(readings) if side == "left" else 0.0

    monkeypatch.setitem(baseline.REPS, "bridge_march", (baseline.Threshold(lift, 30.0),))
    timeline = [(i * 100, object()) for i in range(7)]
    assert count_move(timeline, "bridge_march") == {"reps": {"left": 3, "right": 0}, "hold_s": {}}
