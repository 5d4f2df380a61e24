"""90/90 hip switches: seated, both knees near 90 degrees, knees swing from one side to the other.

One rep per switch, for the leg that ends in front. In the set position the front shin lies across in front of the
body, so the front foot is near the back knee while the back foot is far from the front knee: the difference of
those two 3D distances tells the sides apart. Distances survive MediaPipe's 3D errors on folded legs far better than
directions or knee angles do (on rendered clips its 3D knee angles read 20-150 degrees for true 90-95 degree knees).
The difference is read about the middle of the person's own two positions once both have been seen, as the model
often reads one side short. A set also needs the knees down (at hip height); mid-switch the knees are up.
"""

from __future__ import annotations

import numpy as np

from coach import geometry as g
from coach.landmarks import Landmark as L
from coach.moves import measures as m
from coach.moves.base import Above, Below, Calibrate, Cue, Move, Phase, Rep, Rom, both_sides
from coach.pose import Pose

# The sides' 3D reach difference: tidy renders read beyond +-100, but MediaPipe shrinks it on varied bodies and
# cameras (stress renders: 37-57 for a settled left front, -17..-49 for a right front, seen side-on and obliquely).
# The knees-down test already keeps the switch itself (knees up) out of both sides, so the bands only need to keep
# a settled position's jitter (10-30 across) from reaching the other side: 25 enter / 15 leave leaves 30 between.
LEFT_FRONT_ENTER_PCT = 25.0
LEFT_FRONT_LEAVE_PCT = 15.0
KNEES_DOWN_ENTER_PCT = 10.0
KNEES_DOWN_LEAVE_PCT = 18.0
SEATED_HIP_FLEX_ENTER_DEG = 45.0
SEATED_HIP_FLEX_LEAVE_DEG = 35.0
# The back thigh lies out to the side (~90 degrees from the torso), but MediaPipe drops the back knee toward the
# floor, most of all for the near leg seen side-on: stress renders read 13-37 there while the front hip read 75-100.
# So the back hip only has to be clearly off the torso line, not as flexed as the front one.
BACK_HIP_FLEX_ENTER_DEG = 12.0
BACK_HIP_FLEX_LEAVE_DEG = 8.0
SET_DWELL_MS = 300
SIT_TALL_TILT_DEG = 25.0


def left_front_pct(pose: Pose) -> float:
    """|right ankle - left knee| - |left ankle - right knee| in percent of torso (3D): + left in front, - right."""
    reach_right_m = float(np.linalg.norm(g.world(pose, L.RIGHT_ANKLE) - g.world(pose, L.LEFT_KNEE)))
    reach_left_m = float(np.linalg.norm(g.world(pose, L.LEFT_ANKLE) - g.world(pose, L.RIGHT_KNEE)))
    return 100.0 * (reach_right_m - reach_left_m) / max(g.torso_length_m(pose), 1e-6)


def knees_above_hips_pct(pose: Pose) -> float:
    """Knee midpoint's height above the hip midpoint, percent of torso (3D, camera-aligned y)."""
    return -g.below_hips_world_pct(pose, g.mid_world(pose, L.LEFT_KNEE, L.RIGHT_KNEE))


def min_hip_flex_deg(pose: Pose) -> float:
    """The straighter (back) hip's flexion, 3D."""
    return min(m.hip_flex_deg(pose, side) for side in ("left", "right"))


def max_hip_flex_deg(pose: Pose) -> float:
    """The more flexed (front) hip's flexion: a thigh well forward of the torso line means sitting (3D)."""
    return max(m.hip_flex_deg(pose, side) for side in ("left", "right"))


def slump_deg(pose: Pose) -> float:
    """Torso lean from upright: the image tilt (side-on views) or the 3D forward lean (facing the camera), whichever
    shows more. The 3D lean is camera-aligned, so a camera looking down hides part of a slump seen from the front."""
    return max(g.torso_tilt_deg(pose), m.torso_lean_deg(pose))


# Sitting: the front hip flexed, the back one off the torso line, knees down. Not a floor-height test: neither
# image nor world y is gravity when the camera tilts, and a leg out to the side toward the camera would read as "lower".
SET = (
    Above("max_hip_flex_deg", SEATED_HIP_FLEX_ENTER_DEG, SEATED_HIP_FLEX_LEAVE_DEG),
    Above("min_hip_flex_deg", BACK_HIP_FLEX_ENTER_DEG, BACK_HIP_FLEX_LEAVE_DEG),
    Below("knees_above_hips_pct", KNEES_DOWN_ENTER_PCT, KNEES_DOWN_LEAVE_PCT),
)

# The two positions' reach difference about their own middle: on the tuning stress renders that missed whole sets
# the settled positions sat off centre (10th-90th percentile -66..1, -76..11, -65..19), so one side never reached
# its band. Once two settled positions at least SIDE_MIN_SPLIT_PCT apart have been seen, the bands apply about their
# middle (tuning seeds, told: 90/90 sets 33 -> 37 of 62 exact, switches missed 81 -> 57, over-counted 1 -> 4).
SIDE_MIN_SPLIT_PCT = 40.0
SIDE_SETTLED_PCT_PER_S = 80.0
"""The switch itself swings the difference ~140 % of a torso a second; a settled position jitters 10-30 across."""
SIDES_RANGE = Calibrate("left_front_pct", SIDE_MIN_SPLIT_PCT, SIDE_SETTLED_PCT_PER_S, when=SET)

MOVE = Move(
    move_id="hip_90_90",
    title="90/90 hip switches",
    kind="reps",
    one_sided=True,
    setup_tip="Sit on the floor facing the camera, both knees bent to about 90 degrees",
    needs=both_sides("shoulder", "hip", "knee", "ankle"),
    measures={
        **m.common(),
        "left_front_pct": left_front_pct,
        "knees_above_hips_pct": knees_above_hips_pct,
        "min_hip_flex_deg": min_hip_flex_deg,
        "max_hip_flex_deg": max_hip_flex_deg,
        "slump_deg": slump_deg,
    },
    phases=(
        Phase("left_front", (Above(SIDES_RANGE.centred, LEFT_FRONT_ENTER_PCT, LEFT_FRONT_LEAVE_PCT), *SET),
              SET_DWELL_MS, side="left"),
        Phase("right_front", (Below(SIDES_RANGE.centred, -LEFT_FRONT_ENTER_PCT, -LEFT_FRONT_LEAVE_PCT), *SET),
              SET_DWELL_MS, side="right"),
    ),
    reps=(Rep(("right_front", "left_front"), "left"), Rep(("left_front", "right_front"), "right")),
    calibrate=(SIDES_RANGE,),
    rom=Rom("front_knee_deg", "{side}_knee_deg", "min", phases=("{side}_front",)),
    cues=(
        Cue("sit_tall", "Sit tall", (Above("slump_deg", SIT_TALL_TILT_DEG, SIT_TALL_TILT_DEG - 7),),
            min_dwell_ms=800, joints=both_sides("shoulder", "hip")),
    ),
)
