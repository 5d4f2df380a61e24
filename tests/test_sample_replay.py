"""Every committed sample clip, replayed the way `coach replay` does it, against its label sidecar.

Reps must be exact per move and side, hold seconds within HOLD_TOLERANCE_S, the recognised moves the labelled ones,
and an empty room must produce no move and no count. Judged by `coach.labels.compare`, the same function the
accuracy benchmark uses. No cache: each clip is decoded and run through the pose model here (once per test run).
Run alone with `pytest -m replay`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from coach.labels import Comparison, compare, labelled_clips, load_labels
from coach.replay import replay_video

pytestmark = pytest.mark.replay

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
CLIPS = labelled_clips(SAMPLES)
HOLD_TOLERANCE_S = 1.0


@cache
def _replayed(video: Path) -> tuple[dict[str, Any], Comparison]:
    report = replay_video(video).report()
    return report, compare(report, load_labels(video))


def _counts(comparison: Comparison) -> str:
    reps = [f"{c.move_id} {c.side}: counted {c.counted}, labelled {c.labelled}" for c in comparison.reps]
    holds = [f"{c.move_id} {c.side}: held {c.counted_s:.1f} s, labelled {c.labelled_s:.1f} s" for c in comparison.holds]
    return "; ".join(reps + holds) or "nothing counted"


def test_every_clip_is_here() -> None:
    assert len(CLIPS) >= 2, f"labelled clips in {SAMPLES}: {CLIPS}"


@pytest.mark.parametrize("video", CLIPS, ids=lambda p: p.stem)
def test_reps_are_exact(video: Path) -> None:
    _, comparison = _replayed(video)
    assert comparison.reps_exact, _counts(comparison)


@pytest.mark.parametrize("video", CLIPS, ids=lambda p: p.stem)
def test_hold_seconds_within_a_second(video: Path) -> None:
    _, comparison = _replayed(video)
    assert comparison.max_hold_error_s <= HOLD_TOLERANCE_S, _counts(comparison)


@pytest.mark.parametrize("video", CLIPS, ids=lambda p: p.stem)
def test_recognised_moves_are_the_labelled_ones(video: Path) -> None:
    _, comparison = _replayed(video)
    assert comparison.recognition_ok, (f"recognised {comparison.recognised_moves or 'nothing'}, "
                                       f"labelled {comparison.labelled_moves or 'nothing'}")


@pytest.mark.parametrize("video", [v for v in CLIPS if not load_labels(v).moves], ids=lambda p: p.stem)
def test_nothing_counts_in_an_empty_room(video: Path) -> None:
    report, comparison = _replayed(video)
    assert not comparison.counted_anything(), _counts(comparison)
    assert report["segments"] == []
