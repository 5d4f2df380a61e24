"""The stress-set generator without rendering (no GL): its recipes are seeded and cover what issue 13 asks for, its
manifest records read back through the one accuracy bench loader, and without the synth extra it says so."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from coach.labels import load_manifest
from coach.synth.body import Body
from coach.synth.make import expected_counts
from coach.synth.stress import sets
from coach.synth.stress.clip import manifest_record
from coach.synth.stress.variety import MOVE_ORDER, draw

SET = [draw(77, i) for i in range(70)]


def test_a_recipe_is_a_function_of_seed_and_index() -> None:
    assert draw(77, 5) == SET[5]
    assert draw(78, 5) != SET[5]


def test_seventy_clips_give_every_move_ten_clips_from_both_sides() -> None:
    per_move = Counter(v.move for v in SET)
    assert per_move == dict.fromkeys(MOVE_ORDER, 10)
    for move in MOVE_ORDER:
        assert {v.side for v in SET if v.move == move} == {"left", "right"}


def test_the_cameras_span_what_the_issue_names() -> None:
    heights = [v.camera.height_m for v in SET]
    assert 0.2 <= min(heights) < 0.5 and 1.2 < max(heights) <= 1.6
    assert {v.camera.view for v in SET} >= {"side", "oblique", "outside"}
    assert {v.camera.size[1] for v in SET} <= {480, 540, 720, 1080} and len({v.camera.size for v in SET}) >= 3
    assert all(15 <= v.camera.fps <= 30 for v in SET) and all(abs(v.camera.roll_deg) <= 6 for v in SET)
    assert {v.camera.crop for v in SET} == {None, "feet", "hands"}
    side_only = [v for v in SET if v.move in ("bridge_march", "forward_fold_pedals", "hamstring_strap")]
    assert all(abs(v.camera.azimuth_deg) >= 14 for v in side_only)  # never square to the front


def test_bodies_rooms_and_sets_vary() -> None:
    weights = [v.phenotype()["weight"] for v in SET]
    assert max(weights) - min(weights) > 0.25
    assert {v.factors()["body_sex"] for v in SET} == {"female", "male"}
    for factor in ("light", "outfit", "legs", "tempo", "range", "set_ends_mid_rep", "walk_in", "furniture_in_front",
                   "compression"):
        assert len({v.factors()[factor] for v in SET}) >= 2, factor
    assert {v.factors()["light"] for v in SET} == {"normal", "dim", "window backlight"}


def test_a_blended_body_is_a_body() -> None:
    body = Body("ava", mix={"ava": 1.4, "ben": -0.2, "cara": -0.1, "dev": -0.1}, scale=1.08)
    standing = body.pose({})
    assert 1.5 < standing.vertices[:, 2].max() < 2.1
    assert np.allclose(Body("ben", mix={"ben": 1.0}).rest, Body("ben").rest)


@pytest.mark.parametrize("index", range(7), ids=lambda i: MOVE_ORDER[i])
def test_the_manifest_record_reads_back_as_the_sidecar_labels(index: int, tmp_path: Path) -> None:
    variation = SET[index]
    body = Body("ava", mix=variation.mix, scale=variation.scale)
    script = sets.build(variation, body)
    video = tmp_path / f"{variation.name}.mp4"
    video.write_bytes(b"")
    sidecar = {"duration_ms": round(1000 * script.t_s), "frame_count": round(script.t_s * variation.camera.fps)}
    record = manifest_record(variation, script, sidecar, video)
    (tmp_path / "manifest.json").write_text(json.dumps([record]))
    (labels,) = load_manifest(tmp_path)
    want = expected_counts(script)
    assert labels.expected == {move: {"reps": counts["reps"], "hold_s": pytest.approx(counts["hold_s"], abs=0.06)}
                               for move, counts in want.items()}
    assert labels.moves == [variation.move] and labels.factors == variation.factors()


@pytest.mark.skipif(importlib.util.find_spec("moderngl") is not None, reason="the synth extra is installed here")
def test_without_the_synth_extra_it_says_which_extra_and_exits_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "coach.synth.stress", "--seed", "1", "--count", "1", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "'synth' extra" in done.stderr
    assert "moderngl" in done.stderr and not list(tmp_path.iterdir())


def _add_records(manifest: str, first: int, count: int) -> None:
    from coach.synth.stress.__main__ import add_to_manifest

    for index in range(first, first + count):
        add_to_manifest(Path(manifest), {"id": f"clip_{index:03d}"})


def test_batches_writing_one_manifest_at_once_keep_every_clip(tmp_path: Path) -> None:
    """Two `--start` batches of one seed render at once: each merges its clips into the folder's manifest under a
    lock, so neither drops the other's (the last writer used to win)."""
    from multiprocessing import get_context

    manifest = tmp_path / "manifest.json"
    context = get_context("spawn")
    batches = [context.Process(target=_add_records, args=(str(manifest), first, 25)) for first in (0, 100)]
    for batch in batches:
        batch.start()
    for batch in batches:
        batch.join(timeout=60)
    ids = [record["id"] for record in json.loads(manifest.read_text())]
    assert ids == sorted(f"clip_{i:03d}" for i in [*range(25), *range(100, 125)])


def test_one_moves_clips_are_the_whole_sets_clips_of_that_move() -> None:
    from coach.synth.stress.__main__ import clip_indices

    bridges = clip_indices(0, 70, "bridge_march")
    assert bridges == [i for i, variation in enumerate(SET) if variation.move == "bridge_march"]
    assert len(bridges) == 10 and clip_indices(7, 7, "bridge_march") == [9]
    assert clip_indices(3, 4) == [3, 4, 5, 6]


def test_an_unknown_move_is_refused_naming_the_moves(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "coach.synth.stress", "--seed", "1", "--count", "7", "--move",
                           "squat", "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--move" in done.stderr and "bridge_march" in done.stderr and not list(tmp_path.iterdir())


def test_a_range_without_the_moves_clip_says_so_and_renders_nothing(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "coach.synth.stress", "--seed", "1", "--count", "2", "--move",
                           "bridge_march", "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("No bridge_march clip among clips 0-1") and not list(tmp_path.iterdir())
