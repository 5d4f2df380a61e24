"""`coach bench accuracy --perturb`: each camera change does to the frames what it says, a mirrored clip is judged on
mirrored labels, and the bench replays the changed frames end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from coach.bench.perturb import FAST_SPEED, PERTURBATIONS, faster_labels, mirrored_labels
from coach.cli import main
from coach.labels import ClipLabels


def picture(width_px: int = 1280, height_px: int = 720) -> np.ndarray:
    """A frame with a bright block in its left half, so a flip or a turn shows."""
    image = np.full((height_px, width_px, 3), 120, dtype=np.uint8)
    image[height_px // 4: height_px // 2, width_px // 8: width_px // 3] = 250
    return image


def test_mirror_flips_the_picture_left_to_right() -> None:
    image = picture()
    flipped = PERTURBATIONS["mirror"].picture(image, 0)
    assert np.array_equal(flipped, image[:, ::-1])
    assert flipped[:, -image.shape[1] // 3:].max() == 250 and flipped[:, : image.shape[1] // 2].max() == 120


def labelled_clip() -> ClipLabels:
    return ClipLabels(
        video=Path("clip.mp4"), fps=30.0, frame_count=300, duration_ms=10000, person_frames=300,
        segments=[{"move": "lunge_rotation", "side": "left", "start_ms": 0, "end_ms": 5000},
                  {"move": "bridge_march", "side": None, "start_ms": 5000, "end_ms": 10000}],
        expected={"lunge_rotation": {"reps": {"left": 3, "right": 1}, "hold_s": {}},
                  "bridge_march": {"reps": {"both": 2}, "hold_s": {}},
                  "hip_flexor_reach": {"reps": {}, "hold_s": {"right": 12.5}}},
        rep_accept={"lunge_rotation": {"left": (2, 3)}},
    )


def test_mirrored_labels_swap_every_side_and_keep_both() -> None:
    labels = labelled_clip()
    mirrored = mirrored_labels(labels)
    assert mirrored.expected == {"lunge_rotation": {"reps": {"right": 3, "left": 1}, "hold_s": {}},
                                 "bridge_march": {"reps": {"both": 2}, "hold_s": {}},
                                 "hip_flexor_reach": {"reps": {}, "hold_s": {"left": 12.5}}}
    assert mirrored.rep_accept == {"lunge_rotation": {"right": (2, 3)}}
    assert [s["side"] for s in mirrored.segments] == ["right", None]
    assert labels.expected["lunge_rotation"]["reps"] == {"left": 3, "right": 1}  # the original is left as it was


def test_a_faster_person_keeps_two_frames_in_three_at_shrunk_times_and_the_labels_shrink_alike() -> None:
    fast = PERTURBATIONS["fast"]
    assert FAST_SPEED == 1.5
    assert [index for index in range(9) if fast.keeps(index, 30.0)] == [0, 2, 3, 5, 6, 8]
    assert [fast.t_ms(t_ms) for t_ms in (0, 66, 100, 1500)] == [0, 44, 67, 1000]
    faster = fast.relabel(labelled_clip())
    assert faster == faster_labels(labelled_clip(), FAST_SPEED)
    assert [(s["start_ms"], s["end_ms"]) for s in faster.segments] == [(0, 3333), (3333, 6667)]
    assert faster.duration_ms == 6667
    assert faster.expected["hip_flexor_reach"]["hold_s"] == {"right": pytest.approx(12.5 / 1.5)}
    assert faster.expected["lunge_rotation"]["reps"] == {"left": 3, "right": 1}  # the same reps, sooner
    assert faster.rep_accept == {"lunge_rotation": {"left": (2, 3)}}


def test_low_shrinks_to_480p_and_keeps_every_other_frame_of_fast_clips() -> None:
    low = PERTURBATIONS["low"]
    assert low.picture(picture(1280, 720), 0).shape == (480, 853, 3)
    assert low.picture(picture(640, 480), 0).shape == (480, 640, 3)  # never enlarged
    assert [low.keeps(index, 30.0) for index in range(4)] == [True, False, True, False]
    assert all(low.keeps(index, 20.0) for index in range(4))


def test_dim_darkens_with_the_same_noise_for_the_same_frame() -> None:
    dim = PERTURBATIONS["dim"]
    image = picture()
    darker = dim.picture(image, 7)
    assert darker.mean() < 0.6 * image.mean()
    assert np.array_equal(darker, dim.picture(image, 7))  # a rerun of the bench sees the same frames
    assert not np.array_equal(darker, dim.picture(image, 8))


def test_tilt_turns_and_shrinks_the_person_in_the_same_frame_size() -> None:
    image = picture()
    tilted = PERTURBATIONS["tilt"].picture(image, 0)
    assert tilted.shape == image.shape
    bright = np.argwhere(tilted[:, :, 0] >= 240)
    block_rows, block_cols = np.ptp(bright[:, 0]), np.ptp(bright[:, 1])
    assert block_cols < (1280 // 3 - 1280 // 8) and block_rows > 0  # smaller and turned, not a plain crop


@pytest.mark.parametrize(("change", "frames"), [("mirror", 30), ("low", 15), ("fast", 20)])
def test_the_bench_replays_the_changed_frames(change: str, frames: int, person_clip: tuple[Path, dict],
                                              tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert person_clip[1]["fps"] > 24  # the low change keeps every other frame of it
    assert main(["bench", "accuracy", "--clips", str(person_clip[0]), "--max-frames", "30", "--perturb", change,
                 "--out", str(tmp_path), "--name", "perturbed"]) == 0
    results = json.loads((tmp_path / "accuracy-perturbed.json").read_text())
    assert results["perturbation"]["name"] == change
    assert all(run["frames"] == frames for run in results["runs"])
    assert f"Every clip replayed with one camera change, {change}: " in capsys.readouterr().out


def test_an_unknown_change_is_refused_before_any_work(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["bench", "accuracy", "--perturb", "sepia"])
    assert stopped.value.code == 2
    assert "expected one of mirror, low, dim, tilt, fast, got 'sepia'" in capsys.readouterr().err
