"""`coach bench accuracy --set DIR`: a folder's manifest.json is read (schema in docs/CONTRACTS.md), and a missing or
malformed folder is one sentence and exit 2 before any model is loaded."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coach.labels import POOLED, LabelError, RepCheck, compare, load_manifest

COACH = Path(sys.executable).parent / "coach"


def run_set(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COACH), "bench", "accuracy", "--set", str(folder)], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("manifest", [None, "not json", "[]", '[{"file": "a.mp4"}]'])
def test_a_missing_or_malformed_set_is_one_line_and_exit_2(tmp_path: Path, manifest: str | None) -> None:
    if manifest is not None:
        (tmp_path / "manifest.json").write_text(manifest)
    done = run_set(tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not done.stdout.strip()


def test_a_folder_that_is_not_there_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_set(tmp_path / "nowhere")
    assert done.returncode == 2 and "is not a folder" in done.stderr


def test_relatives_map_onto_the_circuit(tmp_path: Path) -> None:
    records = [
        {"file": "b.mp4", "fps": 30, "frames": 300, "move": "glute_bridge", "role": "target", "reps": 4,
         "reps_accept": [3, 4]},
        {"file": "f.mp4", "fps": 30, "frames": 300, "move": "standing_forward_fold", "role": "target", "reps": None,
         "holds": [{"side": "unknown", "seconds": 6.5, "start_s": 1, "end_s": 7.5}]},
        {"file": "l.mp4", "fps": 30, "frames": 300, "move": "split_squat", "role": "target", "reps": 8},
        {"file": "s.mp4", "fps": 30, "frames": 300, "move": "squat", "role": "distractor", "reps": 5},
    ]
    for record in records:
        (tmp_path / record["file"]).write_bytes(b"")
    (tmp_path / "manifest.json").write_text(json.dumps(records))
    bridge, fold, lunge, squat = load_manifest(tmp_path)
    assert bridge.expected == {"bridge_march": {"reps": {"both": 4}, "hold_s": {}}}
    assert bridge.rep_accept == {"bridge_march": {"both": (3, 4)}} and bridge.moves == ["bridge_march"]
    assert fold.expected == {"forward_fold_pedals": {"reps": {}, "hold_s": {"both": 6.5}}}
    assert lunge.expected == {} and lunge.moves == [] and squat.expected == {} and squat.role == "distractor"
    with pytest.raises(LabelError):
        (tmp_path / "b.mp4").unlink()
        load_manifest(tmp_path)


def test_counts_without_a_side_are_judged_on_both_sides_together(tmp_path: Path) -> None:
    records = [
        {"file": "m.mp4", "fps": 30, "frames": 300, "move": "glute_bridge_march", "role": "target", "reps": 6},
        {"file": "s.mp4", "fps": 30, "frames": 300, "move": "supine_hamstring_stretch", "role": "target",
         "reps": None, "holds": [{"side": "left", "seconds": 20}, {"side": "right", "seconds": 21}]},
    ]
    for record in records:
        (tmp_path / record["file"]).write_bytes(b"")
    (tmp_path / "manifest.json").write_text(json.dumps(records))
    march, strap = load_manifest(tmp_path)
    report = {"moves": {"bridge_march": {"reps": {"left": 3, "right": 3, "both": 1}, "hold_s": {}},
                        "hamstring_strap": {"reps": {}, "hold_s": {"left": 19.6, "right": 21.2}}},
              "segments": [{"move": "bridge_march"}]}
    assert compare(report, march).reps == [RepCheck("bridge_march", POOLED, 6, 6, (6, 6))]
    assert compare(report, march).reps_exact
    assert strap.expected == {"hamstring_strap": {"reps": {}, "hold_s": {"left": 20.0, "right": 21.0}}}
    assert compare(report, strap).max_hold_error_s == pytest.approx(0.4)


def test_a_count_inside_the_accepted_range_is_exact() -> None:
    assert RepCheck("bridge_march", "both", 4, 3, (3, 4)).error == 0
    assert RepCheck("bridge_march", "both", 4, 2, (3, 4)).error == -1
    assert RepCheck("bridge_march", "both", 4, 5, (3, 4)).error == 1
    assert RepCheck("bridge_march", "both", 4, 5).error == 1


def test_circuit_moves_take_a_two_leg_bridge_and_the_folds_hold_by_side(tmp_path: Path) -> None:
    records = [
        {"file": "m.mp4", "fps": 30, "frames": 300, "move": "bridge_march", "role": "target", "reps": 5,
         "reps_per_side": {"both": 1, "left": 2, "right": 2}},
        {"file": "f.mp4", "fps": 30, "frames": 300, "move": "forward_fold_pedals", "role": "target", "reps": 4,
         "reps_per_side": {"left": 2, "right": 2}, "holds": [{"side": "both", "seconds": 9.5}]},
        {"file": "h.mp4", "fps": 30, "frames": 300, "move": "hip_flexor_reach", "role": "target", "reps": None,
         "holds": [{"side": "left", "seconds": 4.0}, {"side": "left", "seconds": 3.5}]},
    ]
    for record in records:
        (tmp_path / record["file"]).write_bytes(b"")
    (tmp_path / "manifest.json").write_text(json.dumps(records))
    march, fold, reach = load_manifest(tmp_path)
    assert march.expected == {"bridge_march": {"reps": {"both": 1, "left": 2, "right": 2}, "hold_s": {}}}
    assert fold.expected == {"forward_fold_pedals": {"reps": {"left": 2, "right": 2}, "hold_s": {"both": 9.5}}}
    assert reach.expected == {"hip_flexor_reach": {"reps": {}, "hold_s": {"left": 7.5}}}


def test_figures_break_down_by_the_manifest_factors(tmp_path: Path) -> None:
    from coach.bench.accuracy import ClipPoses, _per_factor

    records = [{"file": f"{name}.mp4", "fps": 30, "frames": 300, "move": "glute_bridge", "role": "target", "reps": 3,
                "factors": {"light": light}} for name, light in (("a", "dim"), ("b", "dim"), ("c", "normal"))]
    for record in records:
        (tmp_path / record["file"]).write_bytes(b"")
    (tmp_path / "manifest.json").write_text(json.dumps(records))
    clips = [ClipPoses(labels, [], 30.0, 0.0, False) for labels in load_manifest(tmp_path)]
    counted = {"a": 3, "b": 1, "c": 3}
    comparisons = [compare({"moves": {"bridge_march": {"reps": {"both": counted[c.labels.name]}}},
                            "segments": [{"move": "bridge_march"}]}, c.labels) for c in clips]
    light = _per_factor(comparisons, clips, with_recognition=True)["light"]
    assert light["dim"]["clips"] == 2 and light["dim"]["exact_rate"] == 0.5 and light["dim"]["within_one_rate"] == 0.5
    assert light["normal"]["exact_rate"] == 1.0 and light["normal"]["recognition_rate"] == 1.0


def test_follow_mode_is_judged_against_the_told_checkers(tmp_path: Path) -> None:
    from coach.bench.accuracy import ClipPoses, _agreement_table, follow_vs_told

    records = [{"file": f"{name}.mp4", "fps": 30, "frames": 300, "move": "glute_bridge", "role": "target", "reps": 3}
               for name in ("same", "lost_a_rep", "flickered", "short_hold")]
    for record in records:
        (tmp_path / record["file"]).write_bytes(b"")
    (tmp_path / "manifest.json").write_text(json.dumps(records))
    clips = [ClipPoses(labels, [], 30.0, 0.0, False) for labels in load_manifest(tmp_path)]

    def report(reps: int, held_s: float = 0.0, segments: tuple[tuple[str, int, int], ...] = ()) -> dict:
        moves = {"bridge_march": {"reps": {"both": reps, "left": 0}, "hold_s": {}},
                 "hamstring_strap": {"reps": {}, "hold_s": {"left": held_s}}}
        return {"moves": moves, "segments": [{"move": m, "start_ms": a, "end_ms": b} for m, a, b in segments]}

    told = [report(3, 6.0)] * 4
    follow = [report(3, 6.0, (("bridge_march", 0, 9000),)),
              report(2, 6.0),
              report(3, 6.0, (("bridge_march", 0, 4000), ("hip_90_90", 4001, 5000), ("bridge_march", 5001, 9000))),
              report(3, 4.5)]
    agreement = follow_vs_told(follow, told, clips)
    assert agreement["clips"] == 4 and agreement["reps_equal_rate"] == 0.75
    assert agreement["holds_within_rate"] == 0.75 and agreement["short_mid_set_segments"] == 1
    assert [row["clip"] for row in agreement["differing"]] == ["lost_a_rep.mp4", "short_hold.mp4"]
    table = _agreement_table(agreement)
    assert "| all | 4 | 75% | 75% | 1 |" in table and "| short_hold.mp4 | 1 | yes | 1.50 s | 0 |" in table
