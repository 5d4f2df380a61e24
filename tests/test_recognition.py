"""Recognition: each generated move is named right without flicker, a whole circuit segments in order, and the
auto replay analysis counts each move with its own checker."""

import itertools

import kinematics as k
import pytest
from test_moves_counts import SIDES, clips

from coach.moves import MOVE_IDS, MoveRecognizer
from coach.moves.analysis import analyse_poses


def recognise(filmed) -> list[str | None]:
    recognizer = MoveRecognizer()
    return [recognizer.update(t_ms, pose) for t_ms, pose in filmed]


def switches(labels: list[str | None]) -> int:
    return sum(1 for a, b in itertools.pairwise(labels) if a != b)


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("move_id", list(MOVE_IDS))
def test_each_move_is_recognised_once_and_counted(move_id: str, side: str, view: str) -> None:
    keys, expected = clips(side)[move_id]
    filmed = k.film(k.timeline(keys), view, noise_px=1.5, noise_m=0.006, seed=4)
    labels = recognise(filmed)
    assert {label for label in labels if label} == {move_id}
    assert switches(labels) == 1  # None -> the move, and it stays
    report = analyse_poses(filmed)
    assert [s["move"] for s in report["segments"]] == [move_id]
    got = report["moves"][move_id]
    for rep_side, reps in expected.get("reps", {}).items():
        assert got["reps"][rep_side] == reps
    for hold_side, hold_s in expected.get("hold_s", {}).items():
        assert got["hold_s"][hold_side] == pytest.approx(hold_s, abs=0.2)


def test_a_whole_circuit_segments_in_order_with_counts_per_move() -> None:
    parts = [clips("left")[m][0] for m in ("hip_90_90", "hip_flexor_reach", "bridge_march", "hamstring_strap")]
    filmed = k.film(k.timeline(k.concat(*parts)), "oblique", noise_px=1.0, seed=9)
    report = analyse_poses(filmed)
    assert [s["move"] for s in report["segments"]] == ["hip_90_90", "hip_flexor_reach", "bridge_march",
                                                       "hamstring_strap"]
    starts = [s["start_ms"] for s in report["segments"]]
    assert starts == sorted(starts)
    assert report["moves"]["hip_90_90"]["reps"] == {"left": 2, "right": 1}
    assert report["moves"]["hip_flexor_reach"]["hold_s"]["left"] == pytest.approx(6.0, abs=0.2)
    assert report["moves"]["bridge_march"]["reps"] == {"left": 2, "right": 1, "both": 3}
    assert report["moves"]["hamstring_strap"]["hold_s"]["left"] == pytest.approx(6.0, abs=0.2)


def test_two_segments_of_one_move_add_up() -> None:
    bridge = clips("right")["bridge_march"][0]
    filmed = k.film(k.timeline(k.concat(bridge, clips("right")["hip_flexor_reach"][0], bridge)), "oblique")
    report = analyse_poses(filmed)
    assert [s["move"] for s in report["segments"]] == ["bridge_march", "hip_flexor_reach", "bridge_march"]
    assert report["moves"]["bridge_march"]["reps"] == {"left": 2, "right": 4, "both": 6}


def test_standing_idle_and_an_empty_room_are_no_move() -> None:
    idle = k.film(k.timeline(k.sequence((0.5, k.STAND), (8.0, k.angles(l_shoulder_abd=20)))), "front")
    assert set(recognise(idle)) == {None}
    found = analyse_poses(idle)
    assert (found["moves"], found["segments"], set(found["frames"])) == ({}, [], {None})  # no checker ran
    assert set(recognise([(t, None) for t in range(0, 5000, 33)])) == {None}


def test_a_fixed_move_runs_its_checker_over_the_whole_stream() -> None:
    keys, expected = clips("left")["hamstring_scoop"]
    filmed = k.film(k.timeline(keys), "side")
    report = analyse_poses(filmed, move="hamstring_scoop")
    assert report["segments"] == [{"move": "hamstring_scoop", "start_ms": 0, "end_ms": filmed[-1][0]}]
    assert report["moves"]["hamstring_scoop"]["reps"] == expected["reps"]
    assert report["moves"]["hamstring_scoop"]["rom_name"] == "hinge_deg"
    assert len(report["moves"]["hamstring_scoop"]["rom"]["left"]) == 3
