"""Form cues: the right short hint for the fault shown, none for clean work, cooldowns, praise, never "deeper"."""

import itertools

import kinematics as k
import pytest

from coach.moves import MOVES
from coach.moves.base import CueGiven


def cue_texts(move_id: str, keys, view: str = "oblique", height_m: float = 1.0) -> list[str]:
    run = k.run_checker(move_id, k.film(k.timeline(keys), view, height_m=height_m, noise_px=1.0, seed=11))
    return [e.text for e in run.events if isinstance(e, CueGiven)]


def hold(pose: k.Angles, seconds: float, lead_in: k.Angles | None = None):
    start = lead_in or pose
    return k.sequence((0.5, start), (0.8, start), (0.5, pose), (seconds, pose), (0.5, start), (0.5, start))


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("fault", [{"drop_deg": 28.0}, {"twist_deg": 28.0}])
def test_march_with_pelvis_dropping_or_twisting_says_keep_hips_level(side: str, fault: dict) -> None:
    keys, _ = k.bridge_clip([side, side], **fault)
    assert "Keep your hips level" in cue_texts("bridge_march", keys)


@pytest.mark.parametrize("side", ["left", "right"])
def test_level_march_gets_no_pelvis_cue_and_is_praised(side: str) -> None:
    keys, _ = k.bridge_clip([side, side, side])
    texts = cue_texts("bridge_march", keys)
    assert "Keep your hips level" not in texts
    assert "Nice control" in texts


def test_sagging_bridge_says_lift_your_hips() -> None:
    low = k.bridge_pose(8)
    up = k.bridge_pose(25)
    keys = k.sequence((0.5, k.bridge_pose(0)), (0.5, k.bridge_pose(0)), (1.0, up), (0.5, up), (1.0, low), (3.0, low))
    assert "Lift your hips" in cue_texts("bridge_march", keys, "side")


@pytest.mark.parametrize(("view", "height_m"), [("front", 0.6), ("oblique", 1.0), ("side", 1.0)])
def test_slumped_90_90_says_sit_tall(view: str, height_m: float) -> None:
    """From the front the slump is in depth: seen with a camera at chest height (a camera looking down from
    above hides part of it, see the move's notes)."""
    slump = {**k.seated_90_90("left"), "trunk_flex": 35.0}
    assert "Sit tall" in cue_texts("hip_90_90", hold(slump, 3.0, k.seated_90_90("left")), view, height_m)
    assert "Sit tall" not in cue_texts("hip_90_90", k.hip_90_90_clip(["left", "right", "left"])[0], view, height_m)


def test_lunge_rotating_the_wrong_arm_says_rotate_toward_the_front_leg() -> None:
    wrong = k.lunge("left", rotate=True, wrong_arm=True)
    keys = k.sequence((0.5, k.STAND), (1.0, k.lunge("left")), (0.5, k.lunge("left")), (0.8, wrong), (2.0, wrong))
    assert "Rotate toward the front leg" in cue_texts("lunge_rotation", keys, "side")


def test_scoop_with_a_bent_front_knee_says_keep_the_front_leg_long() -> None:
    bent = {**k.scoop("right", 75), "r_knee_flex": 65.0}
    keys = k.sequence((0.5, k.scoop("right", 0)), (0.8, k.scoop("right", 0)), (1.0, bent), (1.5, bent),
                      (1.0, k.scoop("right", 0)))
    assert "Keep the front leg long" in cue_texts("hamstring_scoop", keys, "side")


@pytest.mark.parametrize("side", ["left", "right"])
def test_half_kneel_without_the_reach_says_reach_the_arm_up_and_over(side: str) -> None:
    assert "Reach the arm up and over" in cue_texts("hip_flexor_reach", hold(k.half_kneel(side, reach=False), 4.0))
    assert "Reach the arm up and over" not in cue_texts("hip_flexor_reach", hold(k.half_kneel(side), 4.0))


def test_half_kneel_leaning_forward_says_tall_torso() -> None:
    assert "Tall torso" in cue_texts("hip_flexor_reach", hold(k.half_kneel("left", lean_deg=26), 4.0), "side")


def test_fold_with_the_head_up_says_let_the_head_hang() -> None:
    assert "Let the head hang" in cue_texts("forward_fold_pedals", hold(k.fold(head_up=True), 3.0, k.STAND), "side")
    assert "Let the head hang" not in cue_texts("forward_fold_pedals", hold(k.fold(), 3.0, k.STAND), "side")


def test_fold_with_both_knees_bent_says_one_knee_at_a_time() -> None:
    both = {**k.fold("left"), "r_knee_flex": 45.0, "r_hip_flex": 22.0}
    assert "Bend one knee at a time" in cue_texts("forward_fold_pedals", hold(both, 3.0, k.fold()), "side")


def test_strap_with_a_locked_knee_says_keep_it_soft_and_reminds_gentle_tension() -> None:
    locked = cue_texts("hamstring_strap", hold(k.strap("left", knee_flex_deg=0), 5.0, k.strap(None)), "side")
    soft = cue_texts("hamstring_strap", hold(k.strap("left", knee_flex_deg=12), 5.0, k.strap(None)), "side")
    assert "Keep the knee soft, not locked" in locked
    assert "Keep the knee soft, not locked" not in soft
    assert "Gentle tension only" in soft


def test_a_cue_is_not_repeated_within_its_cooldown() -> None:
    keys, _ = k.bridge_clip(["left"] * 6, drop_deg=28.0)
    run = k.run_checker("bridge_march", k.film(k.timeline(keys), "side"))
    times = [e.t_ms for e in run.events if isinstance(e, CueGiven) and e.text == "Keep your hips level"]
    assert len(times) >= 2
    assert min(b - a for a, b in itertools.pairwise(times)) >= 6000


def test_form_faults_mark_joints_for_attention() -> None:
    keys, _ = k.bridge_clip(["left", "left"], drop_deg=28.0)
    run = k.run_checker("bridge_march", k.film(k.timeline(keys), "side"))
    flagged = [r for r in run.results if not r.form_ok]
    assert flagged
    assert all(r.joint_status[k.L.LEFT_HIP] == "attention" for r in flagged if r.joint_status)


def test_no_cue_ever_pushes_past_the_persons_range() -> None:
    for move in MOVES.values():
        assert all("deeper" not in cue.text.lower() and "further" not in cue.text.lower() for cue in move.cues)


def breaths(run: k.Run) -> list[CueGiven]:
    return [e for e in run.events if isinstance(e, CueGiven) and e.cue_id == "breathe"]


@pytest.mark.parametrize(("move_id", "keys"), [
    ("hamstring_strap", k.strap_clip("left", 40.0)[0]),
    ("hip_flexor_reach", k.hip_flexor_clip("right", 40.0)[0]),
])
def test_long_holds_get_a_calm_breath_cue_at_most_every_15_s(move_id: str, keys) -> None:
    run = k.run_checker(move_id, k.film(k.timeline(keys), "side", noise_px=1.0, seed=3))
    said = breaths(run)
    assert [e.text for e in said] == ["Breathe out slowly"] * 3  # 8 s into the hold, then every 15 s
    assert all(e.calm for e in said)
    assert all(b.t_ms - a.t_ms >= 15_000 for a, b in itertools.pairwise(said))
    held_from_ms = next(r.t_ms for r in run.results if r.hold_ms)
    assert said[0].t_ms - held_from_ms >= 8_000 - 1_000  # the hold is credited its entry dwell


def test_a_breath_cue_is_not_kept_with_the_sets_form_cues() -> None:
    from coach.moves import make_checker

    checker = make_checker("hamstring_strap")
    for t_ms, pose in k.film(k.timeline(k.strap_clip("left", 30.0)[0]), "side", noise_px=1.0, seed=3):
        checker.update(t_ms, pose)
    assert "Breathe out slowly" not in [text for _, text in checker.summary().cues]


def test_short_holds_and_rep_moves_get_no_breath_cue() -> None:
    assert breaths(k.run_checker("hamstring_strap", k.film(k.timeline(k.strap_clip("left", 6.0)[0]), "side"))) == []
    keys, _ = k.bridge_clip(["left", "right"] * 6)
    assert breaths(k.run_checker("bridge_march", k.film(k.timeline(keys), "side"))) == []
