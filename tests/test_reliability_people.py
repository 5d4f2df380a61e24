"""People faults, end to end through the circuit's events (what the overlay shows): nobody in frame, partly out of
frame, walking out and back in mid-hold, and two people in view.

Bodies come from the kinematic test body (tests/kinematics.py); two people come from a sample clip's frame next to
its mirror image, through the real pose model.
"""

from __future__ import annotations

from pathlib import Path

import kinematics as k
import numpy as np
import pytest
from fakes import AlwaysRecognizer

from coach.circuit import Circuit, CircuitMoves
from coach.events import Settings
from coach.moves import make_checker
from coach.pose import Pose, PoseEstimator, pick_person

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
MOVE = "hamstring_strap"
AWAY_MS = (9_000, 12_000)  # the person leaves mid-hold for three seconds


def strap_circuit() -> Circuit:
    """A guided circuit of the strap stretch alone (the real checker), the recogniser always seeing it."""
    standard = CircuitMoves.standard()
    moves = CircuitMoves(move_ids=(MOVE,), info=standard.info, make_checker=make_checker,
                         make_recognizer=lambda: AlwaysRecognizer(MOVE))
    return Circuit(Settings(mode="timed", seconds=30), moves)


def strap_hold_frames(**film_options: object) -> list[tuple[int, Pose | None]]:
    """Lying flat 4 s (get-ready), leg up and held to 16 s, down again."""
    flat, raised = k.strap(None), k.strap("right")
    keys = k.sequence((0.5, flat), (4.0, flat), (0.4, raised), (11.1, raised), (0.4, flat), (1.0, flat))
    return k.film(k.timeline(keys), "side", **film_options)


def run(frames: list[tuple[int, Pose | None]]) -> list:
    circuit = strap_circuit()
    events = []
    for t_ms, pose in frames:
        events += circuit.update(t_ms, pose)
    return events


def hold_ms_at(events: list, t_ms: int) -> int:
    states = [e for e in events if e.type == "state" and e.t_ms <= t_ms and e.state == "active"]
    return states[-1].hold_ms.get("right", 0)


def test_baseline_the_hold_is_timed() -> None:
    events = run(strap_hold_frames())
    assert hold_ms_at(events, 16_500) >= 10_000
    assert not [e for e in events if e.type == "warning" and e.warning_id == "no_person"]


def test_nobody_in_frame_pauses_the_hold_prompts_and_it_resumes() -> None:
    events = run(strap_hold_frames(dropouts_ms=[AWAY_MS]))
    prompts = [e for e in events if e.type == "warning" and e.warning_id == "no_person"]
    assert prompts and AWAY_MS[0] <= prompts[0].t_ms < AWAY_MS[1]
    assert prompts[0].text == "Step into view of the camera"
    held_leaving = hold_ms_at(events, AWAY_MS[0] + 400)
    assert hold_ms_at(events, AWAY_MS[1] - 1) == held_leaving  # nothing timed while away
    stops = [e for e in events if e.type == "hold" and not e.holding and AWAY_MS[0] <= e.t_ms < AWAY_MS[1]]
    assert stops, "the overlay is told the hold paused"
    after = hold_ms_at(events, 16_500)
    assert after - held_leaving >= 3_000  # it carried on after coming back
    full = hold_ms_at(run(strap_hold_frames()), 16_500)
    away_ms = AWAY_MS[1] - AWAY_MS[0]
    assert full - away_ms - 1_500 <= after <= full - away_ms + 500


def test_partly_out_of_frame_warns_and_counts_nothing() -> None:
    frames = []
    for t_ms, pose in strap_hold_frames():
        if pose is not None and AWAY_MS[0] <= t_ms < AWAY_MS[1]:  # slides down: legs leave the bottom edge
            image = pose.image_xyz.copy()
            image[:, 1] += 0.6
            pose = Pose(t_ms, image, pose.world_xyz, pose.visibility, pose.presence, pose.image_size)
        frames.append((t_ms, pose))
    events = run(frames)
    warnings = [e for e in events if e.type == "warning" and AWAY_MS[0] <= e.t_ms < AWAY_MS[1]]
    assert [w.warning_id for w in warnings][:1] == ["whole_body"]
    assert warnings[0].text == "Step back so your whole body is in view"
    held = hold_ms_at(events, AWAY_MS[0] + 400)
    assert hold_ms_at(events, AWAY_MS[1] - 1) == held


def test_pick_person_follows_the_nearest_torso() -> None:
    left, right = np.full((33, 3), 0.25), np.full((33, 3), 0.75)
    assert pick_person([right, left], followed=None) in (0, 1)
    assert pick_person([right, left], followed=left + 0.02) == 1
    assert pick_person([left, right], followed=right - 0.05) == 1
    middle = np.full((33, 3), 0.5)
    assert pick_person([left, middle, right], followed=None) == 1  # no history: the person in the middle


def person_frames(count: int) -> list[np.ndarray]:
    from coach.sources import FileSource

    clip = SAMPLES / "bridge_march_a.mp4"
    if not clip.exists():
        pytest.skip("sample clip not committed yet")
    with FileSource(clip) as source:
        return [frame.image_bgr for _, frame in zip(range(count), source, strict=False)]


def test_two_people_the_coach_keeps_following_the_first_and_counts_both() -> None:
    """Frames 0-9: one person on the left half; from 10: a second person (mirror image) joins on the right."""
    from coach.sources import Frame

    images = person_frames(30)
    blank = np.full_like(images[0], 90)
    scenes = [np.hstack([image, blank if i < 10 else image[:, ::-1]]) for i, image in enumerate(images)]
    with PoseEstimator(num_poses=2) as estimator:
        followed_x, counts = [], []
        for i, scene in enumerate(scenes):
            pose = estimator.detect(Frame(scene, i * 33, i))
            assert pose is not None
            followed_x.append(float(pose.image_xyz[[11, 12, 23, 24], 0].mean()))
            counts.append(estimator.people_in_view)
    assert all(x < 0.5 for x in followed_x)  # always the person on the left, who was there first
    assert counts[:10] == [1] * 10 and all(c == 2 for c in counts[12:])
    with PoseEstimator(crowd_check_ms=100) as tracker:  # the live default: track one, count everyone now and then
        counts = []
        for i, scene in enumerate(scenes):
            tracker.detect(Frame(scene, i * 33, i))
            counts.append(tracker.people_in_view)
    assert counts[0] == 1 and counts[-1] == 2


def test_the_live_coach_says_when_someone_else_is_in_view() -> None:
    from fakes import picture
    from test_reliability_camera import run_live

    script = [picture(n) for n in range(60)] + [picture(n, crowd=True) for n in range(60, 120)]
    events, _estimator = run_live(script)
    crowd = [e for e in events if e.type == "warning" and e.warning_id == "two_people"]
    assert len(crowd) == 1 and crowd[0].t_ms >= 60 * 33  # once, when the second person came in
    assert "keeps following the person it was already following" in crowd[0].text
