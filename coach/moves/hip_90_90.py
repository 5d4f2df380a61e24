"""90/90 hip switches: seated, both knees near 90 degrees, knees swing from one side to the other.

One rep per switch, for the leg that ends in front. Which leg is in front: when the knees point to the person's
right, the left thigh is the one pointing forward (and vice versa), so the sideways position of the knees relative
to the pelvis (3D, along the hip line) tells the two set positions apart and is near zero mid-switch.
"""

from __future__ import annotations

import numpy as np

from coach import geometry as g
from coach.landmarks import Landmark as L
from coach.moves import measures as m
from coach.moves.base import Above, Below, Cue, Move, Phase, Rep, Rom, both_sides
from coach.pose import Pose

KNEES_SIDEWAYS_ENTER_PCT = 30.0
KNEES_SIDEWAYS_LEAVE_PCT = 18.0
SEATED_HIP_FLEX_ENTER_DEG = 45.0
SEATED_HIP_FLEX_LEAVE_DEG = 35.0
SET_DWELL_MS = 300
SIT_TALL_TILT_DEG = 25.0
KNEE_OFF_90_DEG = 35.0


def knees_right_pct(pose: Pose) -> float:
    """Knee midpoint's offset toward the person's right from the hip midpoint, percent of thigh length (3D)."""
    knees = g.mid_world(pose, L.LEFT_KNEE, L.RIGHT_KNEE)
    hips = g.mid_world(pose, L.LEFT_HIP, L.RIGHT_HIP)
    thigh_m = float(np.linalg.norm(g.world(pose, L.LEFT_KNEE) - g.world(pose, L.LEFT_HIP)))
    return 100.0 * float(np.dot(knees - hips, g.pelvis_right_unit(pose))) / max(thigh_m, 1e-6)


def slump_deg(pose: Pose) -> float:
    """Torso lean from upright: the image tilt (side-on views) or the 3D forward lean (facing the camera), whichever
    shows more. The 3D lean is camera-aligned, so a camera looking down hides part of a slump seen from the front."""
    return max(g.torso_tilt_deg(pose), m.torso_lean_deg(pose))


def knee_off_90_deg(pose: Pose) -> float:
    return max(abs(g.knee_deg(pose, side) - 90.0) for side in ("left", "right"))


def min_hip_flex_deg(pose: Pose) -> float:
    """The straighter hip's flexion: both thighs well forward of the torso line means sitting (3D)."""
    return min(m.hip_flex_deg(pose, side) for side in ("left", "right"))


# Sitting: both hips flexed. Not a floor-height test: neither image nor world y is gravity when the camera tilts,
# and a leg out to the side toward the camera would read as "lower".
SEATED = (Above("min_hip_flex_deg", SEATED_HIP_FLEX_ENTER_DEG, SEATED_HIP_FLEX_LEAVE_DEG),)

MOVE = Move(
    move_id="hip_90_90",
    title="90/90 hip switches",
    kind="reps",
    one_sided=True,
    setup_tip="Sit on the floor facing the camera, both knees bent to about 90 degrees",
    needs=both_sides("shoulder", "hip", "knee", "ankle"),
    measures={
        **m.common(),
        "knees_right_pct": knees_right_pct,
        "knee_off_90_deg": knee_off_90_deg,
        "slump_deg": slump_deg,
        "min_hip_flex_deg": min_hip_flex_deg,
    },
    phases=(
        Phase("left_front", (Above("knees_right_pct", KNEES_SIDEWAYS_ENTER_PCT, KNEES_SIDEWAYS_LEAVE_PCT), *SEATED),
              SET_DWELL_MS, side="left"),
        Phase("right_front", (Below("knees_right_pct", -KNEES_SIDEWAYS_ENTER_PCT, -KNEES_SIDEWAYS_LEAVE_PCT),
                              *SEATED), SET_DWELL_MS, side="right"),
    ),
    reps=(Rep(("right_front", "left_front"), "left"), Rep(("left_front", "right_front"), "right")),
    rom=Rom("front_knee_deg", "{side}_knee_deg", "min", phases=("{side}_front",)),
    cues=(
        Cue("sit_tall", "Sit tall", (Above("slump_deg", SIT_TALL_TILT_DEG, SIT_TALL_TILT_DEG - 7),),
            min_dwell_ms=800, joints=both_sides("shoulder", "hip")),
        Cue("knees_90", "Both knees at about 90 degrees", (Above("knee_off_90_deg", KNEE_OFF_90_DEG, 25.0),),
            min_dwell_ms=1000, joints=both_sides("knee")),
    ),
)
