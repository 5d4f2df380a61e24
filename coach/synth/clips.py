"""The catalogue of sample clips: each move from both sides, different bodies, outfits and living-room cameras,
plus the special cases the checkers must survive (partial reps, pauses, walk-in, empty room, full circuit)."""

from __future__ import annotations

from coach.synth import poses as P
from coach.synth import scripts as S
from coach.synth.body import Body
from coach.synth.choreo import Script
from coach.synth.make import ClipSpec
from coach.synth.render import Room

WARM_ROOM = Room(floor_rgb=(0.50, 0.38, 0.27), wall_rgb=(0.90, 0.86, 0.76), light_dir=(-0.5, -0.4, 0.8))
COOL_ROOM = Room(floor_rgb=(0.42, 0.42, 0.44), wall_rgb=(0.80, 0.84, 0.86), light_dir=(0.6, -0.3, 0.7), ambient=0.42)


def _sit_then(build):
    def run(s: Script, body: Body) -> None:
        s.wait(0.6)
        build(s, body)
    return run


def _ninety(first: str, switches: int, pause_after: int | None = None):
    return _sit_then(lambda s, b: S.ninety_ninety(s, first, switches, 0.0, pause_after))


def _lunge(side: str, cycles: int):
    def run(s: Script, body: Body) -> None:
        s.wait(0.8)
        S.lunge(s, body, side, cycles, 0.0)
    return run


def _bridge_march(first: str, marches: int, partial_after: int | None = None):
    def run(s: Script, body: Body) -> None:
        s.wait(0.5)
        S.lie_back(s, body, 0.0, knees_bent=True)
        S.bridge_march(s, body, first, marches, 0.0, partial_after)
    return run


def _bridge_plain(reps: int):
    def run(s: Script, body: Body) -> None:
        s.wait(0.5)
        S.lie_back(s, body, 0.0, knees_bent=True)
        S.bridge_plain(s, body, reps, 0.0)
    return run


def _scoops_walk_in(sides: list[str]):
    def run(s: Script, body: Body) -> None:
        S.walk_in(s, (4.2, 0.3), (0.0, 0.0), 0.0)
        s.segment(None, None, 0.0)
        S.scoops(s, body, sides, 0.0)
    return run


def _scoops(sides: list[str], pause_after: int | None = None):
    def run(s: Script, body: Body) -> None:
        s.wait(0.8)
        S.scoops(s, body, sides, 0.0, pause_after)
    return run


def _hip_flexor(kneel: str, hold_s: float, arm_break_s: float = 0.0):
    def run(s: Script, body: Body) -> None:
        s.wait(0.8)
        S.hip_flexor(s, body, kneel, hold_s, 0.0, arm_break_s)
    return run


def _fold(first: str, pedals: int):
    def run(s: Script, body: Body) -> None:
        s.wait(0.8)
        S.fold_pedals(s, body, first, pedals, 0.0)
    return run


def _strap(order: list[str], hold_s: float):
    def run(s: Script, body: Body) -> None:
        s.wait(0.5)
        S.lie_back(s, body, 0.0, knees_bent=False)
        for side in order:
            S.strap(s, body, side, hold_s, 0.0)
    return run


def _circuit(s: Script, body: Body) -> None:
    """All seven moves in circuit order with simple transitions (sit down, lie back, stand up) and short rests."""
    yaw = 0.0
    s.wait(1.0)
    s.go(P.seated_knees_bent(yaw), 2.0, hold_s=0.5)
    S.ninety_ninety(s, "left", 4, yaw)
    s.go(P.seated_knees_bent(yaw), 1.4, hold_s=0.4)
    s.go(P.stand(yaw), 2.0, hold_s=1.5)
    S.lunge(s, body, "left", 2, yaw)
    s.wait(1.0)
    s.go(P.seated_knees_bent(yaw), 2.0, hold_s=0.4)
    s.go(P.supine_knees_bent(body, yaw), 1.8, hold_s=0.5)
    S.bridge_march(s, body, "left", 4, yaw)
    s.go(P.seated_knees_bent(yaw), 1.8, hold_s=0.4)
    s.go(P.stand(yaw), 2.0, hold_s=1.5)
    S.scoops(s, body, ["left", "right", "left", "right"], yaw)
    s.wait(1.0)
    S.hip_flexor(s, body, "right", 6.0, yaw)
    s.wait(1.0)
    S.fold_pedals(s, body, "left", 4, yaw)
    s.wait(1.0)
    s.go(P.seated_long(yaw), 2.0, hold_s=0.4)
    s.go(P.strap(body, yaw), 1.8, hold_s=0.6)
    S.strap(s, body, "left", 5.0, yaw)
    S.strap(s, body, "right", 5.0, yaw)
    s.go(P.seated_long(yaw), 1.8, hold_s=0.8)


SEATED = P.seated_knees_bent()
STANDING = P.stand()
SEATED_LONG = P.seated_long()

CLIPS: list[ClipSpec] = [
    ClipSpec("hip_90_90_a", "90/90 switches, starts with the left leg in front (not counted), 6 switches: R L R L R L.",
             _ninety("left", 6), shape="ava", start=SEATED, cam_azimuth_deg=-30, cam_height_m=0.6, seed=1),
    ClipSpec("hip_90_90_b", "90/90 switches, starts right in front, 6 switches with a 2.5 s pause after the third.",
             _ninety("right", 6, pause_after=2), shape="ben", outfit="green_tee_navy_shorts", skin="medium",
             start=SEATED, cam_azimuth_deg=40, cam_height_m=0.8, room=WARM_ROOM, seed=2),
    ClipSpec("lunge_rotation_left", "Lunge with rotation, left leg in front: 3 full cycles (rotate up, shift back).",
             _lunge("left", 3), shape="cara", outfit="red_top_grey_leggings", start=STANDING, cam_azimuth_deg=65,
             cam_height_m=0.6, seed=3),
    ClipSpec("lunge_rotation_right", "Lunge with rotation, right leg in front: 3 full cycles.",
             _lunge("right", 3), shape="dev", outfit="white_tee_black_leggings", skin="dark", start=STANDING,
             cam_azimuth_deg=-50, cam_height_m=0.9, room=COOL_ROOM, seed=4),
    ClipSpec("bridge_march_a", "Sit, lie back, bridge up, 6 marches starting left (L R L R L R), lower.",
             _bridge_march("left", 6), shape="dev", outfit="blue_tee_black_shorts", skin="medium", start=SEATED,
             cam_azimuth_deg=90, cam_height_m=0.5, seed=5),
    ClipSpec("bridge_march_partial", "Bridge marches starting right; a half-height left knee lift (partial, "
             "not counted) after the first march; 6 full marches.",
             _bridge_march("right", 6, partial_after=0), shape="ben", outfit="red_top_grey_leggings", start=SEATED,
             cam_azimuth_deg=-55, cam_height_m=0.7, room=WARM_ROOM, seed=6),
    ClipSpec("bridge_plain", "Plain two-leg glute bridges: 4 reps counted under 'both'.",
             _bridge_plain(4), shape="cara", outfit="green_tee_navy_shorts", start=SEATED, cam_azimuth_deg=-85,
             cam_height_m=0.45, room=COOL_ROOM, seed=7),
    ClipSpec("hamstring_scoop_walkin", "Walks into the frame from the side, faces the camera, then 4 alternating "
             "scoops starting right (R L R L).",
             _scoops_walk_in(["right", "left", "right", "left"]), shape="ava", outfit="white_tee_black_leggings",
             start=STANDING, start_xy=(4.2, 0.3), cam_azimuth_deg=15, cam_height_m=0.9, fit_from_s=5.0, seed=8),
    ClipSpec("hamstring_scoop_sides", "Scoops: 2 left then 2 right, with a 2.5 s pause after the first scoop.",
             _scoops(["left", "left", "right", "right"], pause_after=0), shape="ben", outfit="blue_tee_black_shorts",
             skin="dark", start=STANDING, cam_azimuth_deg=-35, cam_height_m=0.6, room=WARM_ROOM, seed=9),
    ClipSpec("hip_flexor_reach_left", "Half-kneeling hip flexor stretch, left knee down, left arm overhead: "
             "two holds of ~4 s with a 1.5 s arm-down pause between (the pause is not hold time).",
             _hip_flexor("left", 8.0, arm_break_s=1.5), shape="ben", outfit="green_tee_navy_shorts",
             start=STANDING, cam_azimuth_deg=70, cam_height_m=0.6, seed=10),
    ClipSpec("hip_flexor_reach_right", "Half-kneeling hip flexor stretch, right knee down, right arm overhead, "
             "one 10 s hold.",
             _hip_flexor("right", 10.0), shape="cara", outfit="white_tee_black_leggings", skin="medium",
             start=STANDING, cam_azimuth_deg=-50, cam_height_m=0.8, room=COOL_ROOM, seed=11),
    ClipSpec("forward_fold_pedals_a", "Forward fold, 8 calf pedals starting left (L R L R L R L R), come up.",
             _fold("left", 8), shape="ava", outfit="red_top_grey_leggings", start=STANDING, cam_azimuth_deg=60,
             cam_height_m=0.7, seed=12),
    ClipSpec("forward_fold_pedals_b", "Forward fold, 6 calf pedals starting right, come up.",
             _fold("right", 6), shape="dev", outfit="green_tee_navy_shorts", skin="dark", start=STANDING,
             cam_azimuth_deg=-65, cam_height_m=0.4, room=WARM_ROOM, seed=13),
    ClipSpec("hamstring_strap_a", "Sit, lie back; left leg up ~6 s, lower; right leg up ~6 s, lower.",
             _strap(["left", "right"], 6.0), shape="ben", outfit="white_tee_black_leggings", start=SEATED_LONG,
             cam_azimuth_deg=90, cam_height_m=0.5, seed=14),
    ClipSpec("hamstring_strap_b", "Sit, lie back; right leg up ~5 s, lower; left leg up ~5 s, lower.",
             _strap(["right", "left"], 5.0), shape="cara", outfit="blue_tee_black_shorts", skin="dark",
             start=SEATED_LONG, cam_azimuth_deg=-60, cam_height_m=0.8, room=COOL_ROOM, seed=15),
    ClipSpec("circuit_full", "The whole circuit once, in order: 90/90 (4 switches), lunge with rotation (left, 2), "
             "bridge marches (4), hamstring scoops (4 alternating), hip flexor reach (right knee down, ~6 s), "
             "forward fold with 4 pedals, hamstring strap (left then right, ~5 s each); simple transitions between.",
             _circuit, shape="ava", outfit="red_top_grey_leggings", start=STANDING, cam_azimuth_deg=-50,
             cam_height_m=0.7, seed=17, crf=30),
    ClipSpec("empty_room", "The room with nobody in it: nothing may be counted.", lambda s, b: None,
             empty_s=8.0, cam_height_m=0.7, seed=16),
]


def by_name() -> dict[str, ClipSpec]:
    return {c.name: c for c in CLIPS}
