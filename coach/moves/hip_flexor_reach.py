"""Half-kneeling hip flexor stretch with overhead reach: timed per kneeling (stretched) side.

Time counts only while the half-kneeling posture holds: one knee clearly lower than the other in the image (on the
floor), the front knee bent roughly to a right angle (3D), the torso fairly upright and the hips off the heels.
The arm on the kneeling side should reach overhead (wrist above the nose in the image).
"""

from __future__ import annotations

from coach import geometry as g
from coach.landmarks import SIDES, sided
from coach.landmarks import Landmark as L
from coach.moves import measures as m
from coach.moves.base import HOLDING, Above, Below, Cue, Hold, Move, Rom, both_sides
from coach.pose import Pose

KNEE_DOWN_ENTER_PCT = 45.0
KNEE_DOWN_LEAVE_PCT = 35.0
UPRIGHT_ENTER_DEG = 35.0
UPRIGHT_LEAVE_DEG = 45.0
FRONT_KNEE_MIN_ENTER_DEG = 60.0
FRONT_KNEE_MIN_LEAVE_DEG = 50.0
FRONT_KNEE_MAX_ENTER_DEG = 130.0
FRONT_KNEE_MAX_LEAVE_DEG = 140.0
HIPS_UP_ENTER_PCT = 55.0
HIPS_UP_LEAVE_PCT = 45.0
REACH_BELOW_PCT = 10.0
LEAN_FORWARD_DEG = 20.0
HOLD_DWELL_MS = 500


def wrist_above_nose_pct(pose: Pose, side: str) -> float:
    return g.above_pct(pose, sided(side, "wrist"), L.NOSE)


def back_hip_ext_deg(pose: Pose, side: str) -> float:
    """Hip extension of the kneeling leg: thigh behind the torso line, degrees (3D, sagittal)."""
    return m.thigh_back_deg(pose, side) + m.torso_lean_deg(pose)


def _kneeling(side: str) -> tuple[Above | Below, ...]:
    front = m.other(side)
    return (
        Above(f"{side}_knee_lower_pct", KNEE_DOWN_ENTER_PCT, KNEE_DOWN_LEAVE_PCT),
        Below("torso_tilt_deg", UPRIGHT_ENTER_DEG, UPRIGHT_LEAVE_DEG),
        Above(f"{front}_knee_deg", FRONT_KNEE_MIN_ENTER_DEG, FRONT_KNEE_MIN_LEAVE_DEG),
        Below(f"{front}_knee_deg", FRONT_KNEE_MAX_ENTER_DEG, FRONT_KNEE_MAX_LEAVE_DEG),
        Above("hips_above_floor_pct", HIPS_UP_ENTER_PCT, HIPS_UP_LEAVE_PCT),
    )


MOVE = Move(
    move_id="hip_flexor_reach",
    title="Half-kneeling hip flexor stretch",
    kind="hold",
    one_sided=True,
    setup_tip="Kneel on one knee, other foot forward, side-on to the camera",
    needs=both_sides("shoulder", "hip", "knee", "ankle"),
    measures={
        **m.common(),
        **m.per_side("{side}_knee_lower_pct", m.knee_lower_pct),
        **m.per_side("{side}_wrist_above_nose_pct", wrist_above_nose_pct),
        **m.per_side("{side}_back_hip_ext_deg", back_hip_ext_deg),
        "hips_above_floor_pct": m.hips_above_floor_pct,
        "torso_lean_deg": m.torso_lean_deg,
    },
    holds=tuple(Hold(s, _kneeling(s), HOLD_DWELL_MS) for s in SIDES),
    rep_sides=(),
    hold_sides=SIDES,
    rom=Rom("back_hip_ext_deg", "{side}_back_hip_ext_deg", "max"),
    cues=(
        *(Cue(f"reach_{s}", "Reach the arm up and over",
              (Above(f"{s}_knee_lower_pct", KNEE_DOWN_ENTER_PCT, KNEE_DOWN_LEAVE_PCT),
               Below(f"{s}_wrist_above_nose_pct", REACH_BELOW_PCT, REACH_BELOW_PCT + 10)),
              during=(HOLDING,), min_dwell_ms=2000, cooldown_ms=10000, joints=(sided(s, "wrist"),)) for s in SIDES),
        Cue("tall_torso", "Tall torso", (Above("torso_lean_deg", LEAN_FORWARD_DEG, LEAN_FORWARD_DEG - 6),),
            during=(HOLDING,), min_dwell_ms=1000, joints=both_sides("shoulder", "hip")),
    ),
)
