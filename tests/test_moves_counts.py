"""Every move, both sides, several views, with landmark noise: exact rep counts and hold seconds within 0.2 s."""

import kinematics as k
import numpy as np
import pytest

from coach.landmarks import sided
from coach.moves import MOVES, hip_90_90
from coach.moves.analysis import analyse_poses
from coach.moves.base import CueGiven, RepCounted
from coach.pose import Pose

SIDES = ("left", "right")
NOISE = {"noise_px": 1.5, "noise_m": 0.006}


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def clips(side: str) -> dict[str, k.Clip]:
    return {
        "hip_90_90": k.hip_90_90_clip([other(side), side, other(side), side]),
        "lunge_rotation": k.lunge_clip(side, 3),
        "bridge_march": k.bridge_clip([side, other(side), side], plain_bridges=2),
        "hamstring_scoop": k.scoop_clip(side, 3),
        "hip_flexor_reach": k.hip_flexor_clip(side, 6.0),
        "forward_fold_pedals": k.fold_clip([side, other(side), side, other(side), side]),
        "hamstring_strap": k.strap_clip(side, 6.0),
    }


VIEWS = {"hip_90_90": ("front", "oblique", "side")}


def cases():
    for move_id in MOVES:
        for view in VIEWS.get(move_id, ("side", "oblique", "side_right")):
            for side in SIDES:
                yield move_id, side, view


def assert_matches(run: k.Run, expected: dict) -> None:
    for side, reps in expected.get("reps", {}).items():
        assert run.reps[side] == reps, (side, run.reps, expected)
    for side, hold_s in expected.get("hold_s", {}).items():
        assert run.hold_s[side] == pytest.approx(hold_s, abs=0.2), (side, run.hold_s, expected)


@pytest.mark.parametrize(("move_id", "side", "view"), list(cases()))
def test_counts_and_holds(move_id: str, side: str, view: str) -> None:
    keys, expected = clips(side)[move_id]
    run = k.run_checker(move_id, k.film(k.timeline(keys), view, seed=7, **NOISE))
    assert_matches(run, expected)


@pytest.mark.parametrize("move_id", [m for m in MOVES if MOVES[m].kind != "hold"])
def test_rep_events_carry_side_count_and_rom(move_id: str) -> None:
    keys, expected = clips("left")[move_id]
    run = k.run_checker(move_id, k.film(k.timeline(keys), "oblique"))
    reps = [e for e in run.events if isinstance(e, RepCounted)]
    assert len(reps) == sum(expected["reps"].values())
    assert all(e.rom_name == MOVES[move_id].rom.name for e in reps)
    for side in {e.side for e in reps}:
        assert [e.count for e in reps if e.side == side] == list(range(1, expected["reps"][side] + 1))
    assert any(e.rom_value is not None for e in reps)


def test_rom_figures_follow_the_body() -> None:
    low, turn = k.lunge("left", front_knee_flex=70), k.lunge("left", rotate=True, front_knee_flex=70)
    shallow = k.run_checker("lunge_rotation", k.film(k.timeline(k.sequence(
        (0.5, k.STAND), (1.0, low), (0.5, low), (0.8, turn), (0.5, turn),
        (0.8, k.lunge("left", shift=True)), (0.5, k.lunge("left", shift=True)), (0.8, k.STAND))), "side"))
    deep = k.run_checker("lunge_rotation", k.film(k.timeline(k.lunge_clip("left", 1)[0]), "side"))
    assert shallow.reps["left"] == deep.reps["left"] == 1
    shallow_rom = next(e.rom_value for e in shallow.events if isinstance(e, RepCounted))
    deep_rom = next(e.rom_value for e in deep.events if isinstance(e, RepCounted))
    assert shallow_rom == pytest.approx(110, abs=3)
    assert deep_rom == pytest.approx(90, abs=3)
    strap = k.run_checker("hamstring_strap", k.film(k.timeline(k.strap_clip("right", 4.0)[0]), "side"))
    assert strap.hold_s["right"] > 3.5


def test_a_strap_stretch_seen_from_above_at_an_angle_is_timed() -> None:
    """A camera looking down obliquely foreshortens the lying torso toward upright in the image (50 deg here; the
    stress renders read 51-59 from 1.5 m): the hold is still timed (the old 60 deg image-tilt test missed it)."""
    filmed = k.film(k.timeline(k.strap_clip("right", 4.0)[0]), "oblique", height_m=2.4)
    assert k.run_checker("hamstring_strap", filmed).hold_s["right"] > 3.5


def held_lying(pose: k.Angles) -> list:
    """Lying flat, then 5.6 s in `pose`, then flat again."""
    flat = k.strap(None)
    return k.sequence((0.0, flat), (1.0, flat), (0.4, pose), (5.6, pose), (0.4, flat), (1.0, flat))


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_a_strap_stretch_with_the_resting_knee_bent_and_its_foot_planted_is_timed(side: str, view: str) -> None:
    """Many people keep the other knee bent to spare the lower back: its hip then flexes 38-47 degrees, past the
    lying leg's limit, and the hold went untimed, told or followed."""
    filmed = k.film(k.timeline(held_lying(k.strap(side, resting_knee_flex_deg=95.0))), view, seed=2, **NOISE)
    assert k.run_checker("hamstring_strap", filmed).hold_s[side] == pytest.approx(5.8, abs=0.4)
    followed = analyse_poses(filmed)
    assert set(followed["moves"]) == {"hamstring_strap"}
    assert followed["moves"]["hamstring_strap"]["hold_s"][side] == pytest.approx(5.8, abs=0.4)


@pytest.mark.parametrize(("case", "pose"), [
    ("a knee hugged to the chest, the other leg long", k.strap("left", raise_deg=110.0, knee_flex_deg=120.0)),
    ("a straight leg raised, the other knee hugged to the chest",
     {**k.strap("left"), "r_hip_flex": 110.0, "r_knee_flex": 120.0}),
    ("both legs raised straight", {**k.strap("left"), "r_hip_flex": 70.0, "r_knee_flex": 10.0}),
])
def test_lying_stretches_that_are_not_the_strap_are_never_timed(case: str, pose: k.Angles) -> None:
    for view in ("side", "oblique"):
        filmed = k.film(k.timeline(held_lying(pose)), view, seed=2, **NOISE)
        assert sum(k.run_checker("hamstring_strap", filmed).hold_s.values()) < 0.5, (case, view)
        assert "hamstring_strap" not in analyse_poses(filmed)["moves"], (case, view)


@pytest.mark.parametrize("view", ["side", "front", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_shallow_scoops_count_against_the_persons_own_range(side: str, view: str) -> None:
    """A stiff body hinging 38 degrees (a rendered shallow scoop read 39) still scoops: the bands follow the
    person's own range (the old fixed 40 degree band counted none)."""
    keys, expected = k.scoop_clip(side, 3, hinge_deg=38)
    assert expected["reps"][side] == 3
    assert_matches(k.run_checker("hamstring_scoop", k.film(k.timeline(keys), view, seed=5, **NOISE)), expected)


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_a_half_kneel_whose_3d_hips_read_close_together_is_timed_from_the_image(side: str, view: str) -> None:
    """MediaPipe's 3D hips read a rendered side-on half kneel as 34-40 degrees apart (the thighs are ~100 apart):
    here the 3D knees are pulled halfway toward each other while the image keeps the split (the old 3D-only lead
    timed nothing; the image split crosses its band a little later on the way in, hence the bench's 0.5 s)."""
    keys, expected = k.hip_flexor_clip(side, 6.0)
    filmed = k.film(k.timeline(keys), view, seed=5, **NOISE)
    for _, pose in filmed:
        if pose is not None:
            knees = pose.world_xyz[[k.L.LEFT_KNEE, k.L.RIGHT_KNEE]]
            pose.world_xyz[[k.L.LEFT_KNEE, k.L.RIGHT_KNEE]] = 0.6 * knees + 0.4 * knees.mean(axis=0)
    assert k.run_checker("hip_flexor_reach", filmed).hold_s[side] == pytest.approx(expected["hold_s"][side], abs=0.5)


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_marches_from_a_bridge_that_settles_lower_between_them_all_count(side: str, view: str) -> None:
    """Between marches the hips settle a little under the bridge's entry band (a rendered oblique set held 58-75%
    of the person's range): the bridge was never left, so each march counts (the old rule counted the first only)."""
    keys, expected = k.bridge_clip([side, other(side), side], between_lift_deg=15.0)
    assert_matches(k.run_checker("bridge_march", k.film(k.timeline(keys), view, seed=7, **NOISE)), expected)


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_marches_that_go_straight_from_one_knee_to_the_other_all_count(side: str, view: str) -> None:
    """People march left-right-left without a pause in the bridge between: one knee comes down as the other goes
    up, so no frame settles back into the bridge (the old rule wanted one before each march and counted 1 of 4)."""
    keys, expected = k.bridge_clip([side, other(side), side, other(side)], settle=False)
    assert_matches(k.run_checker("bridge_march", k.film(k.timeline(keys), view, seed=7, **NOISE)), expected)


@pytest.mark.parametrize("view", ["side", "oblique"])
def test_bridges_after_a_slow_lie_down_all_count(view: str) -> None:
    """Lying back from sitting over 3.5 s opens the bridge line by 35 degrees, slow enough to read as settled, through
    values well under the lowered position's: taken as the floor, they left every later lowering above the lowered
    band (side-on here 1 of 3 counted, as on rendered slow sets). The torso is still rolling back then, and a floor is
    read only with the body still."""
    seated = k.angles(pelvis_pitch=-20, l_hip_flex=85, r_hip_flex=85, l_knee_flex=100, r_knee_flex=100)
    keys, expected = k.bridge_clip([], plain_bridges=3)
    lying_down = k.sequence((0.5, seated), (0.6, seated), (3.5, keys[0][1]))
    clip = lying_down + [(lying_down[-1][0] + t_s, pose) for t_s, pose in keys]
    assert_matches(k.run_checker("bridge_march", k.film(k.timeline(clip), view, seed=7, **NOISE)), expected)


@pytest.mark.parametrize(("move_id", "leg"), [("lunge_rotation", "same"), ("hip_flexor_reach", "other"),
                                             ("hip_90_90", "same")])
@pytest.mark.parametrize("side", SIDES)
def test_a_shin_the_model_shortens_in_depth_still_counts(move_id: str, leg: str, side: str) -> None:
    """MediaPipe shortens a shin that points toward the camera: on the stress renders lunge, half-kneel and 90/90
    shins read 0.13-0.2 of the torso, up to 4 times the other leg's. The old limits (0.35, 2.5 times) took those frames
    for garbage and lost whole rotations and holds. Here the shin reads 0.26 of the torso, 3.3 times the other."""
    keys, expected = clips(side)[move_id]
    shortened = side if leg == "same" else other(side)  # the front leg (a half kneel's side is the kneeling one)
    filmed = k.leg_bone_shortened_in_depth(k.film(k.timeline(keys), "front", seed=7, **NOISE), shortened, "shin",
                                            0.3)
    assert_matches(k.run_checker(move_id, filmed), expected)


@pytest.mark.parametrize(("view", "knee_up_deg"), [("side", 25.0), ("oblique", 16.0)])
@pytest.mark.parametrize("side", SIDES)
def test_marches_whose_thighs_split_little_in_the_picture_all_count(side: str, view: str, knee_up_deg: float) -> None:
    """The far leg's march is foreshortened: on the stress renders its thighs split 23-26 degrees in the picture
    (the near leg's 31-35). These marches peak at 25-29, under the old 28-degree entry for all but the last frames."""
    keys, _ = k.bridge_clip([side, other(side), side], knee_up_deg=knee_up_deg)
    counts = {side: 2, other(side): 1, "both": 1}
    assert k.run_checker("bridge_march", k.film(k.timeline(keys), view, seed=7, **NOISE)).reps == counts


@pytest.mark.parametrize("view", ["front", "oblique", "side"])
def test_90_90_switches_count_when_the_3d_reach_difference_reads_small(view: str) -> None:
    """MediaPipe shrinks the front/back reach difference on varied bodies (stress renders: 17-57 % of the torso for
    settled positions; tidy renders read beyond 100). Here the 3D ankles are pulled 70% toward the hips, so the
    positions read 26-35: every switch still counts (the old +-40 bands counted none)."""
    keys, expected = k.hip_90_90_clip(["right", "left", "right", "left"])
    filmed = k.film(k.timeline(keys), view, seed=7, **NOISE)
    ankles = [k.L.LEFT_ANKLE, k.L.RIGHT_ANKLE]
    for _, pose in filmed:
        if pose is not None:
            hips = pose.world_xyz[[k.L.LEFT_HIP, k.L.RIGHT_HIP]].mean(axis=0)
            pose.world_xyz[ankles] = 0.3 * pose.world_xyz[ankles] + 0.7 * hips
    assert_matches(k.run_checker("hip_90_90", filmed), expected)


@pytest.mark.parametrize("view", ["front", "oblique", "side"])
def test_90_90_switches_count_when_the_model_reads_one_side_short(view: str) -> None:
    """On many stress renders the model's reach difference sits off centre for the person: settled positions read
    -60 and 0, or -35 and +20 (percent of the torso), so one side never reached its band and half the switches went
    uncounted. Here the 3D ankles are pulled 70% toward the hips (positions at +-26-35, as in the test above) and
    the right one then 30% of a torso toward the left knee: the sides are told apart about the middle of the
    person's own two positions."""
    keys, expected = k.hip_90_90_clip(["right", "left", "right", "left"])
    filmed = k.film(k.timeline(keys), view, seed=7, **NOISE)
    ankles = [k.L.LEFT_ANKLE, k.L.RIGHT_ANKLE]
    for _, pose in filmed:
        if pose is not None:
            w = pose.world_xyz
            w[ankles] = 0.3 * w[ankles] + 0.7 * w[[k.L.LEFT_HIP, k.L.RIGHT_HIP]].mean(axis=0)
            toward = w[k.L.LEFT_KNEE] - w[k.L.RIGHT_ANKLE]
            w[k.L.RIGHT_ANKLE] += 0.3 * k.SEGMENT_M["torso"] * toward / np.linalg.norm(toward)
    assert_matches(k.run_checker("hip_90_90", filmed), expected)


@pytest.mark.parametrize(("move_id", "view"), [("hip_flexor_reach", "front"), ("hip_flexor_reach", "oblique"),
                                             ("hip_90_90", "front"), ("hamstring_scoop", "front")])
@pytest.mark.parametrize("side", SIDES)
def test_a_laptop_on_the_floor_counts_and_times_like_one_on_a_table(move_id: str, view: str, side: str) -> None:
    """A camera 0.2 m up looks up at the person, and the 3D frame tips with it (the model's world axes follow the
    camera): the nose's height above the hips leaked into "which way the body faces" and flipped it, so a half kneel
    facing a floor-level camera read its front thigh behind and went untimed. The nose is now read against the
    shoulders, beside which it sits."""
    keys, expected = clips(side)[move_id]
    run = k.run_checker(move_id, k.film(k.timeline(keys), view, height_m=0.2, seed=3, **NOISE))
    assert_matches(run, expected)


def _back_knee_dropped(pose: Pose, flex_deg: float) -> None:
    """In a settled 90/90 (3D reach difference past 80% of the torso), swing the back thigh in 3D to flex_deg from
    the torso line, carrying its ankle along, as MediaPipe misplaces the back knee toward the floor."""
    left_front_pct = hip_90_90.left_front_pct(pose)
    if abs(left_front_pct) < 80:
        return
    back = "right" if left_front_pct > 0 else "left"
    hip, knee, ankle = (int(sided(back, joint)) for joint in ("hip", "knee", "ankle"))
    w = pose.world_xyz
    down = w[hip] - w[[k.L.LEFT_SHOULDER, k.L.RIGHT_SHOULDER]].mean(axis=0)
    down /= np.linalg.norm(down)
    thigh = w[knee] - w[hip]
    across = thigh - np.dot(thigh, down) * down
    across /= np.linalg.norm(across)
    angle = np.radians(flex_deg)
    moved = w[hip] + np.linalg.norm(thigh) * (np.cos(angle) * down + np.sin(angle) * across)
    w[ankle] += moved - w[knee]
    w[knee] = moved


@pytest.mark.parametrize("view", ["front", "oblique", "side"])
def test_90_90_switches_count_when_the_back_knee_reads_low(view: str) -> None:
    """MediaPipe drops the back knee toward the floor (stress renders, side-on: the back hip read 13-37 degrees of
    flexion while the front read 75-100). Here the back thigh reads 25 degrees from the torso line in 3D: every
    switch still counts (the old rule wanted both hips past 45 and counted none)."""
    keys, expected = k.hip_90_90_clip(["right", "left", "right", "left"])
    filmed = k.film(k.timeline(keys), view, seed=7, **NOISE)
    for _, pose in filmed:
        if pose is not None:
            _back_knee_dropped(pose, 25.0)
    assert_matches(k.run_checker("hip_90_90", filmed), expected)


def _hips_forward_clip(side: str, hold_s: float) -> k.Clip:
    """A half kneel with the hips pushed forward into the stretch: the front hip opens (65 degrees of flexion) and
    the kneeling thigh goes 25 degrees behind the torso line; labelled like k.hip_flexor_clip."""
    _, expected = k.hip_flexor_clip(side, hold_s)
    kneel, front = ("l_", "r_") if side == "left" else ("r_", "l_")
    pose = {**k.half_kneel(side), kneel + "hip_flex": -25.0, front + "hip_flex": 65.0}
    return k.from_tall_kneeling(pose, hold_s), expected


@pytest.mark.parametrize("view", ["front", "side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_a_half_kneel_with_the_hips_pushed_forward_is_timed(side: str, view: str) -> None:
    """Pushing the hips forward opens the front hip and takes the kneeling thigh behind the torso: unsigned hip
    angles read that thigh as flexed, so the old lead (front flexion minus kneeling "flexion", 65 - 25) fell under
    its band and nothing was timed; the thighs' signed split (90) keeps the stretch."""
    keys, expected = _hips_forward_clip(side, 6.0)
    filmed = k.film(k.timeline(keys), view, seed=3, **NOISE)
    assert k.run_checker("hip_flexor_reach", filmed).hold_s[side] == pytest.approx(expected["hold_s"][side], abs=0.5)


def _straighten_knees_in_depth(pose: Pose, share: float) -> None:
    """Swing both 3D shins `share` of the way toward straight legs, leaving the image as filmed: the model's depth
    error on a far or kneeling leg."""
    for side in SIDES:
        hip, knee, ankle = (getattr(k.L, f"{side}_{joint}".upper()) for joint in ("hip", "knee", "ankle"))
        thigh = pose.world_xyz[knee] - pose.world_xyz[hip]
        shin = pose.world_xyz[ankle] - pose.world_xyz[knee]
        length = np.linalg.norm(shin)
        swung = (1 - share) * shin / length + share * thigh / np.linalg.norm(thigh)
        pose.world_xyz[ankle] = pose.world_xyz[knee] + length * swung / np.linalg.norm(swung)


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_a_half_kneel_whose_3d_knees_read_straighter_is_timed_from_the_image(side: str, view: str) -> None:
    """Rendered side and oblique half kneels read a far knee at 130-141 degrees in 3D while the image shows 90-110
    (ground truth 70-95). Here both 3D shins swing 60% toward straight (the knees read ~145): the image angle keeps
    the hold (the old 3D-only knee limits timed nothing)."""
    keys, expected = k.hip_flexor_clip(side, 6.0)
    filmed = k.film(k.timeline(keys), view, seed=11, **NOISE)
    for _, pose in filmed:
        if pose is not None:
            _straighten_knees_in_depth(pose, 0.6)
    assert k.run_checker("hip_flexor_reach", filmed).hold_s[side] == pytest.approx(expected["hold_s"][side], abs=0.5)


@pytest.mark.parametrize("side", SIDES)
def test_a_half_kneel_facing_the_camera_is_timed_when_its_3d_knees_read_straighter(side: str) -> None:
    """Facing the camera only 3D can judge the knees, and the model straightens them in depth: in the stress renders'
    labelled holds the kneeling knee read 131 at the 90th percentile, the front knee 121. Here both 3D shins swing
    52% toward straight (kneeling ~133, front ~138): still a half kneel (the old 130-degree limits timed nothing)."""
    keys, expected = k.hip_flexor_clip(side, 6.0)
    filmed = k.film(k.timeline(keys), "front", seed=11, **NOISE)
    for _, pose in filmed:
        if pose is not None:
            _straighten_knees_in_depth(pose, 0.52)
    assert k.run_checker("hip_flexor_reach", filmed).hold_s[side] == pytest.approx(expected["hold_s"][side], abs=0.5)


@pytest.mark.parametrize("view", ["front", "side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_a_standing_split_with_the_reach_is_not_the_half_kneel(side: str, view: str) -> None:
    """The back knee long (160 degrees) is a standing split, however the arm reaches: nothing is timed."""
    back = "l_" if side == "left" else "r_"
    split = {**k.half_kneel(side), back + "knee_flex": 20.0}
    filmed = k.film(k.timeline(k.from_tall_kneeling(split, 6.0)), view, seed=11, **NOISE)
    assert k.run_checker("hip_flexor_reach", filmed).hold_s[side] == 0.0


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_shallow_rotations_count(side: str, view: str) -> None:
    """A stiff upper back turns less and raises the arm only a little above the shoulder (here 20-26% of the torso at
    the top, as generated shallow rotations): each rotation then shift back still counts (the old 35% counted none)."""
    keys, expected = k.lunge_clip(side, 3, rotation_share=0.64)
    assert_matches(k.run_checker("lunge_rotation", k.film(k.timeline(keys), view, seed=19, **NOISE)), expected)


@pytest.mark.parametrize("view", ["front", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_a_half_kneel_whose_front_thigh_reads_short_in_depth_is_timed(side: str, view: str) -> None:
    """A thigh pointing at the lens reads short in MediaPipe's 3D: rendered oblique half kneels gave one thigh 0.17-0.31
    of the torso for seconds, under the bone gate's 0.4, so the whole hold went untimed. Here the front thigh's 3D
    length is cut to 0.35 of itself (about 0.3 of the torso; the image as filmed): the hold is timed."""
    keys, expected = k.hip_flexor_clip(side, 6.0)
    filmed = k.leg_bone_shortened_in_depth(k.film(k.timeline(keys), view, seed=17, **NOISE), other(side), "thigh", 0.35)
    assert k.run_checker("hip_flexor_reach", filmed).hold_s[side] == pytest.approx(expected["hold_s"][side], abs=0.5)


@pytest.mark.parametrize("side", SIDES)
def test_a_half_kneel_facing_the_camera_is_timed_with_the_kneeling_ankle_faint(side: str) -> None:
    """Facing the camera, the kneeling shin lies behind its knee and the thigh hides the ankle: a rendered front view
    gave it visibility 0.14-0.2 while placing it sensibly. At 0.15 the hold is still timed (the old 0.2 visibility
    gate threw the frames away); a fully hidden ankle (0.02) still stops it."""
    keys, expected = k.hip_flexor_clip(side, 6.0)
    ankle = k.L.LEFT_ANKLE if side == "left" else k.L.RIGHT_ANKLE
    faint = k.film(k.timeline(keys), "front", seed=13, **NOISE)
    for _, pose in faint:
        if pose is not None:
            pose.visibility[ankle] = 0.15
    assert k.run_checker("hip_flexor_reach", faint).hold_s[side] == pytest.approx(expected["hold_s"][side], abs=0.5)
    hidden = k.film(k.timeline(keys), "front", seed=13, hidden=[(0, 60_000, [ankle])], **NOISE)
    assert k.run_checker("hip_flexor_reach", hidden).hold_s[side] == 0


def folded_shift(front: str) -> k.Angles:
    """A lunge's shift back as MediaPipe read it side-on on rendered clips: the front leg folded onto the back one
    (the thighs 0-3 degrees apart), both legs long and the chest pitched down over them."""
    f, b = ("l_", "r_") if front == "left" else ("r_", "l_")
    a = k.lunge(front, shift=True)
    a.update({f + "hip_flex": 40, f + "knee_flex": 5, b + "hip_flex": 40, b + "knee_flex": 8})
    return a


@pytest.mark.parametrize("view", ["side", "oblique", "side_right"])
@pytest.mark.parametrize("side", SIDES)
def test_a_shift_back_whose_split_the_model_folded_away_completes_the_rep(side: str, view: str) -> None:
    """The shift is the legs lengthening while the chest pitches down, after the rotation; it needs no split stance
    (the old shift asked for 35 degrees of split and counted none of these)."""
    steps = [(0.5, k.STAND), (0.5, k.STAND)]
    for _ in range(2):
        steps += [(1.0, k.lunge(side)), (0.4, k.lunge(side)), (0.9, k.lunge(side, rotate=True)),
                  (0.5, k.lunge(side, rotate=True)), (0.8, k.lunge(side)), (0.9, folded_shift(side)),
                  (0.5, folded_shift(side)), (0.8, k.lunge(side)), (0.9, k.STAND), (0.4, k.STAND)]
    run = k.run_checker("lunge_rotation", k.film(k.timeline(k.sequence(*steps)), view, seed=4, **NOISE))
    assert run.reps == {side: 2, other(side): 0}


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize("side", SIDES)
def test_a_rotation_whose_arms_the_model_swapped_counts_for_the_front_leg(side: str, view: str) -> None:
    """With the split clear the rotation belongs to the front leg whichever wrist is up (before, the raised arm's
    label named the side and these counted for the back leg); the swapped arm still brings the wrong-arm cue."""
    steps = [(0.5, k.STAND), (0.5, k.STAND)]
    for _ in range(2):
        steps += [(1.0, k.lunge(side)), (0.4, k.lunge(side)), (0.9, k.lunge(side, rotate=True)),
                  (0.5, k.lunge(side, rotate=True)), (0.8, k.lunge(side)), (0.9, k.lunge(side, shift=True)),
                  (0.5, k.lunge(side, shift=True)), (0.8, k.lunge(side)), (0.9, k.STAND), (0.4, k.STAND)]
    filmed = k.film(k.timeline(k.sequence(*steps)), view, seed=5, **NOISE)
    plain = k.run_checker("lunge_rotation", filmed)
    swapped = k.run_checker("lunge_rotation", k.labels_swapped(filmed, k.ARM_PAIRS))
    assert plain.reps == swapped.reps == {side: 2, other(side): 0}
    cue_texts = [[e.text for e in run.events if isinstance(e, CueGiven)] for run in (plain, swapped)]
    assert "Rotate toward the front leg" not in cue_texts[0]
    assert "Rotate toward the front leg" in cue_texts[1]


def _swing_leg_in_depth(pose: Pose, side: str, share: float) -> None:
    """Swing this leg's 3D thigh and shin `share` of the way toward the other leg's, leaving the image as filmed:
    side-on, the model lifts a strap stretch's lying leg with the raised one (36-40 degrees of hip flexion on rendered
    clips) and pulls a raised one back toward the lying one (36-47 degrees where the image showed 45-65)."""
    def at(leg: str, joint: str) -> int:
        return getattr(k.L, f"{leg}_{joint}".upper())

    hip = pose.world_xyz[at(side, "hip")]
    for joint in ("knee", "ankle"):
        toward = pose.world_xyz[at(other(side), joint)] - pose.world_xyz[at(other(side), "hip")]
        own = pose.world_xyz[at(side, joint)] - hip
        swung = (1 - share) * own / np.linalg.norm(own) + share * toward / np.linalg.norm(toward)
        pose.world_xyz[at(side, joint)] = hip + np.linalg.norm(own) * swung / np.linalg.norm(swung)


@pytest.mark.parametrize(("swung", "share"), [("lying", 0.4), ("raised", 0.5)])
@pytest.mark.parametrize("view", ["side", "oblique", "side_right"])
@pytest.mark.parametrize("side", SIDES)
def test_a_strap_stretch_whose_legs_read_moved_in_depth_is_timed_from_the_image(side: str, view: str, swung: str,
                                                                                 share: float) -> None:
    """Side-on the model moves one leg's 3D thigh toward the other's: the lying leg lifted with the raised one, or
    the raised one pulled back down. The image still shows the lying leg flat and the raised one up."""
    keys, expected = k.strap_clip(side, 5.0)
    filmed = k.film(k.timeline(keys), view, seed=6, **NOISE)
    for _, pose in filmed:
        if pose is not None:
            _swing_leg_in_depth(pose, side if swung == "raised" else other(side), share)
    run = k.run_checker("hamstring_strap", filmed)
    assert run.hold_s[side] == pytest.approx(expected["hold_s"][side], abs=0.6)
    assert run.hold_s[other(side)] == 0.0
