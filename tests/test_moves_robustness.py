"""What must not count: partial reps, jitter at thresholds, hidden or missing joints, a person walking in."""

from dataclasses import replace

import kinematics as k
import numpy as np
import pytest
from test_moves_counts import NOISE, SIDES, assert_matches, clips, other

from coach.landmarks import sided
from coach.moves import MOVES, make_checker
from coach.moves.base import HoldChanged, RepCounted, SetupWarning
from coach.moves.forward_fold_pedals import image_knee_deg


def film(keys, view: str = "oblique", **options):
    return k.film(k.timeline(keys), view, **options)


def partial_clips(side: str) -> dict[str, k.Clip]:
    """Clips whose reps / holds fall short of the move and must count nothing (or only the full ones)."""
    return {
        "hip_90_90": k.hip_90_90_clip([side, other(side), side], partial=True),
        "lunge_rotation": k.lunge_clip(side, 2, shift=False),
        "bridge_march": k.bridge_clip([side, side], knee_up_deg=12),  # reads ~19 deg in the image
        "hamstring_scoop": k.scoop_clip(side, 3, hinge_deg=15),
        "hip_flexor_reach": k.hip_flexor_clip(side, 5.0, lean_deg=50),
        "forward_fold_pedals": k.fold_clip([side, other(side)], straight_between=True),
        "hamstring_strap": k.strap_clip(side, 5.0, knee_flex_deg=70),
    }


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("move_id", list(MOVES))
def test_partial_reps_and_holds_do_not_count(move_id: str, side: str) -> None:
    keys, expected = partial_clips(side)[move_id]
    assert_matches(k.run_checker(move_id, film(keys)), expected)


@pytest.mark.parametrize("side", SIDES)
def test_rotation_without_shift_and_shift_without_rotation_count_nothing(side: str) -> None:
    for keys, _ in (k.lunge_clip(side, 2, shift=False), k.lunge_clip(side, 2, rotate=False)):
        assert k.run_checker("lunge_rotation", film(keys)).reps == {"left": 0, "right": 0}


@pytest.mark.parametrize("side", SIDES)
def test_a_lunge_counts_when_the_legs_read_swapped_through_the_shift(side: str) -> None:
    """A side-on camera sees the legs cross in the shift back; MediaPipe may swap their labels for its length."""
    keys, expected = k.lunge_clip(side, 2)
    shifts_ms = ((4400, 6700), (11500, 13800))  # from just before each shift back until after the return
    filmed = film(keys, "side")
    for start_ms, end_ms in shifts_ms:
        filmed = k.labels_swapped(filmed, k.LEG_PAIRS, start_ms, end_ms)
    assert_matches(k.run_checker("lunge_rotation", filmed), expected)


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_a_rotation_counts_when_the_model_collapses_the_split(side: str, view: str) -> None:
    """MediaPipe can fold the front leg onto the back one through a whole rotation (the hip lead reads ~0): the
    raised arm alone says which side rotated."""
    f, b = ("l_", "r_") if side == "left" else ("r_", "l_")
    rotation = k.lunge(side, rotate=True)
    collapsed = {**rotation, f + "hip_flex": 30.0, b + "hip_flex": 30.0, f + "knee_flex": 60.0, b + "knee_flex": 60.0}
    keys, expected = k.lunge_clip(side, 2)
    keys = [(t_s, collapsed if angles == rotation else angles) for t_s, angles in keys]
    assert sum(angles is collapsed for _, angles in keys) == 4  # both cycles' rotations, in and held
    assert_matches(k.run_checker("lunge_rotation", film(keys, view)), expected)


DRIVER = {
    "hip_90_90": "l_hip_abd", "lunge_rotation": "{p}knee_flex", "bridge_march": "{p}hip_flex",
    "hamstring_scoop": "trunk_flex", "hip_flexor_reach": "{p}hip_flex", "forward_fold_pedals": "{p}knee_flex",
    "hamstring_strap": "{p}hip_flex",
}


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("move_id", list(MOVES))
def test_jitter_on_the_driving_angle_never_double_counts(move_id: str, side: str) -> None:
    """A square-wave wobble (+-5 deg, 150 ms) on the angle that drives the move, over the whole clip: every
    threshold crossing happens with jitter on it."""
    keys, expected = clips(side)[move_id]
    frames = k.timeline(keys)
    key = DRIVER[move_id].format(p="l_" if side == "left" else "r_")
    shaky = k.jittered(frames, 0, frames[-1][0] + 1, key, 5.0, period_ms=150)
    assert_matches(k.run_checker(move_id, k.film(shaky, "oblique", noise_px=1.0, seed=3)), expected)


@pytest.mark.parametrize("side", SIDES)
def test_knee_hovering_at_the_march_threshold_counts_once(side: str) -> None:
    """Knee held right at the lift threshold for 2 s, wobbling across it every 300 ms: one march."""
    down, up = k.bridge_pose(0), k.bridge_pose(25)
    hover = k.bridge_pose(25, march=side, knee_up_deg=52)
    keys = k.sequence((0.5, down), (1.0, down), (1.0, up), (0.6, up), (0.6, hover), (2.0, hover), (0.6, up), (0.8, up))
    frames = k.jittered(k.timeline(keys), 3700, 5700, ("l_" if side == "left" else "r_") + "hip_flex", 6.0, 300)
    run = k.run_checker("bridge_march", k.film(frames, "side"))
    assert run.reps[side] == 1
    assert run.reps[other(side)] == 0


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("move_id", list(MOVES))
def test_hidden_joints_count_nothing_and_warn(move_id: str, side: str) -> None:
    keys, _ = clips(side)[move_id]
    knees = (k.L.LEFT_KNEE, k.L.RIGHT_KNEE)
    run = k.run_checker(move_id, film(keys, hidden=[(0, 10**9, knees)]))
    assert sum(run.reps.values()) == 0
    assert sum(run.hold_s.values()) == 0
    warnings = [e for e in run.events if isinstance(e, SetupWarning)]
    assert warnings and warnings[0].text == "Step back so your whole body is in view"
    assert all(r.form_ok is False and r.phase is None for r in run.results)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("move_id", list(MOVES))
def test_short_dropouts_and_walking_in_keep_counts_exact(move_id: str, side: str) -> None:
    keys, expected = clips(side)[move_id]
    frames = k.timeline(keys)
    end_ms = frames[-1][0]
    dropouts = [(t, t + 100) for t in range(1500, end_ms - 1000, 1700)]
    filmed = k.film(frames, "oblique", dropouts_ms=dropouts, enter_ms=1200, noise_px=1.0, seed=5)
    assert filmed[0][1] is None or filmed[0][1].image_xyz[:, 0].min() < 0
    run = k.run_checker(move_id, filmed)
    assert_matches(run, {"reps": expected.get("reps", {})})
    for hold_side, hold_s in expected.get("hold_s", {}).items():
        missed_s = 0.1 * len(dropouts)  # a dropout is credited only inside a hold that resumes right after it
        assert hold_s - missed_s - 0.2 <= run.hold_s[hold_side] <= hold_s + 0.2
    assert any(isinstance(e, SetupWarning) for e in run.events)


@pytest.mark.parametrize("move_id", ["hip_flexor_reach", "hamstring_strap", "forward_fold_pedals"])
def test_hold_time_stops_while_the_body_is_hidden(move_id: str) -> None:
    keys, expected = clips("left")[move_id]
    side = "both" if move_id == "forward_fold_pedals" else "left"
    hidden = [(4500, 5500, (k.L.LEFT_ANKLE, k.L.RIGHT_ANKLE))]  # after the fold's first hang has counted
    run = k.run_checker(move_id, film(keys, hidden=hidden))
    assert run.hold_s[side] == pytest.approx(expected["hold_s"][side] - 1.0, abs=0.2)
    changes = [e for e in run.events if isinstance(e, HoldChanged) and e.side == side]
    assert [e.holding for e in changes] == [True, False, True, False]


def _strap_hold(filmed) -> tuple[float, list[bool]]:
    run = k.run_checker("hamstring_strap", filmed)
    return run.hold_s["left"], [e.holding for e in run.events if isinstance(e, HoldChanged)]


@pytest.mark.parametrize("lost", ["no_pose", "hidden_ankles"])
def test_a_hold_keeps_the_time_the_person_was_briefly_out_of_sight(lost: str) -> None:
    """The model losing a held body for 0.4 s (under the 0.6 s grace) says nothing against the posture: once the
    hold resumes, that time counts, and the hold never ended."""
    keys, _ = clips("left")["hamstring_strap"]
    plain_s, plain_changes = _strap_hold(film(keys))
    window = (4000, 4400)  # inside the hold (2.2-7.8 s)
    if lost == "no_pose":
        filmed = film(keys, dropouts_ms=[window])
    else:
        filmed = film(keys, hidden=[(*window, (k.L.LEFT_ANKLE, k.L.RIGHT_ANKLE))])
    held_s, changes = _strap_hold(filmed)
    assert held_s == pytest.approx(plain_s, abs=0.001)
    assert changes == plain_changes == [True, False]


def test_time_seen_out_of_the_posture_is_never_held() -> None:
    """A dropout that ends in the posture seen broken (legs down) is not credited, nor the broken time: 0.5 s less."""
    keys, _ = clips("left")["hamstring_strap"]
    filmed = film(keys)
    plain_s, _ = _strap_hold(filmed)
    legs_down = filmed[0][1]
    def seen(t_ms: int, pose):
        if 4000 <= t_ms < 4300:
            return None
        return replace(legs_down, t_ms=t_ms) if 4300 <= t_ms < 4500 else pose

    broken = [(t_ms, seen(t_ms, pose)) for t_ms, pose in filmed]
    held_s, changes = _strap_hold(broken)
    assert held_s == pytest.approx(plain_s - 0.5, abs=0.04)
    assert changes == [True, False]


def test_a_paused_gap_in_a_hold_is_never_held() -> None:
    """The stream stops mid-hold for 5 s (a paused set); after `restart_clock` the gap adds nothing."""
    keys, _ = clips("left")["hamstring_strap"]
    filmed = film(keys)
    plain = k.run_checker("hamstring_strap", filmed)
    gap_ms, split_ms = 5_000, 4_000
    checker = make_checker("hamstring_strap")
    for t_ms, pose in filmed:
        if t_ms >= split_ms:
            break
        checker.update(t_ms, pose)
    checker.restart_clock()
    for t_ms, pose in filmed:
        if t_ms >= split_ms:
            checker.update(t_ms + gap_ms, pose)
    frame_ms = filmed[1][0] - filmed[0][0]
    held_ms = checker.summary().hold_ms["left"]
    assert plain.hold_s["left"] * 1000 - frame_ms <= held_ms <= plain.hold_s["left"] * 1000 - frame_ms + 1


@pytest.mark.parametrize("move_id", ["bridge_march", "hamstring_strap"])
def test_floor_moves_filmed_end_on_ask_to_turn_side_on(move_id: str) -> None:
    keys, _ = clips("left")[move_id]
    run = k.run_checker(move_id, film(keys, view="front"))
    assert sum(run.reps.values()) == 0 and sum(run.hold_s.values()) == 0
    assert "Turn side-on to the camera" in {e.text for e in run.events if isinstance(e, SetupWarning)}


def test_implausible_limb_lengths_are_not_trusted() -> None:
    keys, _ = clips("left")["hamstring_scoop"]
    filmed = film(keys)
    for _, pose in filmed:
        pose.world_xyz[k.L.LEFT_ANKLE] = pose.world_xyz[k.L.LEFT_KNEE] + [0.0, 1.5, 0.0]
    run = k.run_checker("hamstring_scoop", filmed)
    assert sum(run.reps.values()) == 0
    assert any(isinstance(e, SetupWarning) for e in run.events)


def test_empty_stream_asks_the_person_to_step_in() -> None:
    run = k.run_checker("bridge_march", [(t, None) for t in range(0, 3000, 33)])
    texts = [e.text for e in run.events if isinstance(e, SetupWarning)]
    assert texts == ["Step into view of the camera"]
    assert not any(isinstance(e, RepCounted) for e in run.events)


@pytest.mark.parametrize("body", ["average", "tall", "small"])
def test_a_fold_facing_the_camera_times_its_hang_but_asks_to_turn_for_the_pedals(body: str) -> None:
    """The hang reads from the front (head below the hips); the pedals bend in depth there, so they wait."""
    keys, expected = clips("left")["forward_fold_pedals"]
    run = k.run_checker("forward_fold_pedals", film(keys, view="front", body=body, seed=5, **NOISE))
    assert run.hold_s["both"] == pytest.approx(expected["hold_s"]["both"], abs=0.3)
    assert sum(run.reps.values()) == 0
    assert "Turn side-on to the camera" in {e.text for e in run.events if isinstance(e, SetupWarning)}


def test_a_long_hang_timed_facing_the_camera_hears_the_turn_hint_rarely() -> None:
    """Through 25 s of hang already being timed, "turn side-on" (for the pedals) is said once, not every 5 s."""
    keys, expected = k.fold_clip(["left", "right"], hang_s=10.0)
    run = k.run_checker("forward_fold_pedals", film(keys, view="front", seed=5, **NOISE))
    assert run.hold_s["both"] == pytest.approx(expected["hold_s"]["both"], abs=0.3) and run.hold_s["both"] > 20
    assert [e.text for e in run.events if isinstance(e, SetupWarning)] == ["Turn side-on to the camera"]


def test_a_fold_turning_from_the_side_to_the_front_keeps_its_pedals_and_its_hang() -> None:
    """Pedals counted side-on stay counted, and the hang goes on being timed after a turn to face the camera."""
    keys, expected = clips("left")["forward_fold_pedals"]
    side_on = film(keys, view="side", seed=5, **NOISE)
    facing = dict(film(keys, view="front", seed=5, **NOISE))
    turn_ms = side_on[len(side_on) // 2][0]
    run = k.run_checker("forward_fold_pedals", [(t, pose if t < turn_ms else facing[t]) for t, pose in side_on])
    assert run.hold_s["both"] == pytest.approx(expected["hold_s"]["both"], abs=0.3)
    assert 0 < sum(run.reps.values()) < sum(expected["reps"].values())


@pytest.mark.parametrize(("yaw_deg", "height_m", "body"), [(15.0, 1.2, "average"), (-20.0, 1.1, "tall"),
                                                     (10.0, 1.2, "small")])
def test_a_shallow_fold_facing_the_camera_is_timed_by_its_3d_torso(yaw_deg: float, height_m: float, body: str) -> None:
    """Tight hamstrings hinge only ~70 degrees; facing the camera the picture shortens that torso toward upright
    (image tilt ~37) while the 3D torso reads ~80 degrees down."""
    keys, expected = clips("left")["forward_fold_pedals"]
    shallow = [(t_s, {**angles, "trunk_flex": min(angles["trunk_flex"], 70.0)}) for t_s, angles in keys]
    filmed = k.film(k.timeline(shallow), "front", yaw_deg=yaw_deg, height_m=height_m, body=body, seed=5, **NOISE)
    run = k.run_checker("forward_fold_pedals", filmed)
    assert run.hold_s["both"] == pytest.approx(expected["hold_s"]["both"], abs=0.6)


def _far_knee_copies_near(filmed, near: str, far_more_bent_deg: float):
    """The model's copy of a near knee's pedal: where the near knee bends, the far leg's image shin and thigh take the
    near leg's shape from the far hip, the far knee bent a little more."""
    near_joints = [sided(near, joint) for joint in ("hip", "knee", "ankle")]
    far_joints = [sided(other(near), joint) for joint in ("hip", "knee", "ankle")]
    for _, pose in filmed:
        if pose is None or image_knee_deg(pose, near) > 168:
            continue
        hip, knee, ankle = (pose.image_xyz[j, :2].copy() for j in near_joints)
        turn = np.radians(far_more_bent_deg)
        for sign in (1.0, -1.0):
            c, s = np.cos(sign * turn), np.sin(sign * turn)
            shin = np.array([[c, -s], [s, c]]) @ (ankle - knee)
            far_hip = pose.image_xyz[far_joints[0], :2]
            pose.image_xyz[far_joints[1], :2] = far_hip + (knee - hip)
            pose.image_xyz[far_joints[2], :2] = far_hip + (knee - hip) + shin
            if image_knee_deg(pose, other(near)) < image_knee_deg(pose, near):
                break
    return filmed


@pytest.mark.parametrize(("view", "near"), [("side", "left"), ("side_right", "right")])
@pytest.mark.parametrize("far_more_bent_deg", [1.0, 4.0])
def test_a_near_knee_pedal_the_model_copies_onto_the_far_knee_counts_for_the_near_leg(
        view: str, near: str, far_more_bent_deg: float) -> None:
    """MediaPipe bends the far knee along with the near one's pedal (both 149-163 on the rendered samples, the far one
    sometimes the more bent), while a far knee's pedal shows alone: two knees bent alike are the near knee's pedal."""
    keys, expected = k.fold_clip([near, near], straight_between=True)
    filmed = _far_knee_copies_near(film(keys, view), near, far_more_bent_deg)
    assert_matches(k.run_checker("forward_fold_pedals", filmed), expected)


@pytest.mark.parametrize(("view", "near"), [("side", "left"), ("side_right", "right")])
def test_a_shallow_copied_pedal_counts_against_the_knees_own_straight_reading(view: str, near: str) -> None:
    """The model can read a 25-30 degree pedal at half that and copy it onto the far knee (generated folds: both
    knees at 162-168 in the picture, 176-180 when straight): a bend counts from each knee's straightest reading in
    the hang, not from a fixed straight angle."""
    keys, expected = k.fold_clip([near, near], straight_between=True, knee_deg=14.0)
    filmed = _far_knee_copies_near(film(keys, view), near, 2.0)
    assert_matches(k.run_checker("forward_fold_pedals", filmed), expected)
