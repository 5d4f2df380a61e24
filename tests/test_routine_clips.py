"""A custom three-move routine end to end on rendered sample clips, through the real pose model and move checkers.

The routine is 90/90 switches, bridge marches and the strap stretch; hamstring scoops are done too but are not in it.
Follow mode: the clips play one after another (scoops in between) and the routine's moves must be counted as their
labels say, the scoops not at all. Guided mode: a participant who always does the move the coach asks for (that
move's clip, looped), who starts with scoops during a get-ready: the coach prompts and counts only the routine.
Poses are computed once per clip (the slow part) and shared by both modes. Run with `pytest -m replay`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from coach.circuit import Circuit, CircuitMoves
from coach.events import Settings
from coach.labels import load_labels
from coach.pose import Pose, PoseEstimator
from coach.presence import PersonGate
from coach.smoothing import PoseSmoother
from coach.sources import FileSource

pytestmark = pytest.mark.replay

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
ROUTINE = ("hip_90_90", "bridge_march", "hamstring_strap")
CLIPS = {"hip_90_90": "hip_90_90_a", "bridge_march": "bridge_march_a", "hamstring_strap": "hamstring_strap_a",
         "hamstring_scoop": "hamstring_scoop_sides"}
HOLD_TOLERANCE_S = 1.0
Timeline = list[tuple[int, Pose | None]]


@cache
def poses(move_id: str) -> Timeline:
    """The clip's poses as the live loop makes them (person gate, then smoothing), times from the clip."""
    timeline: Timeline = []
    smoother, gate = PoseSmoother(), PersonGate()
    with FileSource(SAMPLES / f"{CLIPS[move_id]}.mp4") as source, PoseEstimator() as estimator:
        for frame in source:
            timeline.append((frame.t_ms, smoother.apply(gate.apply(estimator.detect(frame)))))
    return timeline


def feed(circuit: Circuit, timeline: Timeline, start_ms: int) -> tuple[list[Any], int]:
    """Play a clip into the circuit from `start_ms`; returns the events and the time after its last frame."""
    events: list[Any] = []
    for t_ms, pose in timeline:
        events += circuit.update(start_ms + t_ms, pose)
    return events, start_ms + timeline[-1][0] + 33


def test_follow_mode_counts_the_routines_moves_as_labelled_and_never_the_others() -> None:
    circuit = Circuit(Settings(mode="follow"), CircuitMoves.standard().for_routine(ROUTINE))
    events: list[Any] = []
    t_ms = 0
    for move_id in ("hip_90_90", "hamstring_scoop", "bridge_march", "hamstring_strap"):
        played, t_ms = feed(circuit, poses(move_id), t_ms)
        events += played
    events += circuit.finish()
    summary = next(e for e in events if e.type == "summary")
    assert [m.move_id for m in summary.moves] == list(ROUTINE)
    assert {e.move.move_id for e in events if e.type == "move"} == set(ROUTINE)
    assert {e.move_id for e in events if e.type in ("rep", "hold", "cue")} - {None} <= set(ROUTINE)  # None: "done"
    assert any(e.type == "warning" and e.warning_id == "not_in_routine" for e in events)
    for move in summary.moves:
        want = load_labels(SAMPLES / f"{CLIPS[move.move_id]}.mp4").expected[move.move_id]
        counted = {side: s.reps for side, s in move.sides.items() if s.reps}
        assert counted == want["reps"], move.move_id
        for side, hold_s in want["hold_s"].items():
            assert abs(move.sides[side].hold_s - hold_s) <= HOLD_TOLERANCE_S, (move.move_id, side)


def participant(circuit: Circuit) -> Iterator[tuple[int, Pose | None]]:
    """Does whatever move the coach asks for (its clip, looped), but starts the second move's get-ready with 8 s of
    scoops, which the routine does not have."""
    t_ms = 0
    position: dict[str, int] = {}
    scoops = iter(poses("hamstring_scoop")[:240])
    while circuit.state != "finished":
        move_id = circuit.move_id or ROUTINE[0]
        if move_id == ROUTINE[1] and circuit.state == "get_ready":
            frame = next(scoops, None)
            if frame is not None:
                yield t_ms, frame[1]
                t_ms += 33
                continue
        timeline = poses(move_id)
        i = position.get(move_id, 0)
        position[move_id] = (i + 1) % len(timeline)
        yield t_ms, timeline[i][1]
        t_ms += 33


def test_guided_mode_prompts_and_counts_only_the_routine() -> None:
    sets: list[Any] = []
    circuit = Circuit(Settings(mode="timed", seconds=30), CircuitMoves.standard().for_routine(ROUTINE),
                      on_set_done=sets.append)
    events: list[Any] = []
    for t_ms, pose in participant(circuit):
        events += circuit.update(t_ms, pose)
    moves = [(e.move.move_id, e.index, e.moves_in_routine) for e in events if e.type == "move"]
    assert moves == [(m, i, 3) for i, m in enumerate(ROUTINE)]
    assert {e.move_id for e in events if e.type in ("rep", "hold", "cue", "side")} - {None} <= set(ROUTINE)
    assert [s.move_id for s in sets] == list(ROUTINE)
    summary = next(e for e in events if e.type == "summary")
    by_move = {m.move_id: m for m in summary.moves}
    assert list(by_move) == list(ROUTINE)
    assert sum(s.reps for s in by_move["hip_90_90"].sides.values()) >= 3
    assert sum(s.reps for s in by_move["bridge_march"].sides.values()) >= 3
    assert sum(s.hold_s for s in by_move["hamstring_strap"].sides.values()) >= 10
    # the scoops during the bridge's get-ready did not start its set early: get-ready waited for the bridge
    bridge_go = next(e for e in events if e.type == "cue" and e.cue_id == "go" and e.move_id == "bridge_march")
    bridge_in = next(e for e in events if e.type == "move" and e.move.move_id == "bridge_march")
    assert bridge_go.t_ms - bridge_in.t_ms >= 8_000
