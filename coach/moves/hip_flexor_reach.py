"""Half-kneeling hip flexor stretch with overhead reach: timed per kneeling (stretched) side.

Time counts only while the half-kneeling posture holds, judged from angles that need no floor or gravity (a tilted
camera or a knee nearer the lens moves image heights): the front thigh well ahead of the kneeling one, the kneeling
knee bent, the front knee near a right angle, the torso fairly upright, and the arm on the kneeling side reaching
overhead (wrist above the nose in the image). The knees' "bent enough" limits also take the image angle in side and
oblique views (m.bent_knee_deg): the model can straighten a far or kneeling leg in depth. Kneeling with the arm down
is a phase of its own: not timed, and after a while it brings the "reach" cue.
"""

from __future__ import annotations

from coach import geometry as g
from coach.geometry import View
from coach.landmarks import SIDES, sided
from coach.landmarks import Landmark as L
from coach.moves import measures as m
from coach.moves.base import (
    BREATHE,
    HOLDING,
    Above,
    Below,
    Cue,
    Hold,
    LazyMeasures,
    Move,
    Phase,
    Rom,
    all_pass,
    both_sides,
)
from coach.pose import Pose

FRONT_HIP_LEAD_ENTER_DEG = 40.0
FRONT_HIP_LEAD_LEAVE_DEG = 28.0
# "Bent enough" for the kneeling knee and "not straight" for the front one. Both are ~90 in a half-kneel, but the model
# straightens knees in depth: in the stress renders' labelled holds the kneeling knee read 86 at the median and 131 /
# 147 at the 90th / 95th percentile, the front knee 93 and 121 / 134 (the image angle already taken where it helps,
# see m.bent_knee_deg). A standing split's straight back knee reads 160-180.
KNEELING_KNEE_ENTER_DEG = 140.0
KNEELING_KNEE_LEAVE_DEG = 150.0
UPRIGHT_ENTER_DEG = 35.0
UPRIGHT_LEAVE_DEG = 45.0
FRONT_KNEE_MIN_ENTER_DEG = 60.0
FRONT_KNEE_MIN_LEAVE_DEG = 50.0
FRONT_KNEE_MAX_ENTER_DEG = 140.0
FRONT_KNEE_MAX_LEAVE_DEG = 150.0
REACH_ENTER_PCT = 20.0
REACH_LEAVE_PCT = 0.0
REACH_CUE_AFTER_MS = 2500
LEAN_FORWARD_DEG = 20.0
HOLD_DWELL_MS = 500


def wrist_above_nose_pct(pose: Pose, side: str) -> float:
    return g.above_pct(pose, sided(side, "wrist"), L.NOSE)


def front_lead_deg(pose: Pose, side: str) -> float:
    """How far this thigh leads the other: the signed 3D split of the thighs in the sagittal plane, or where the legs
    move across the view (side, oblique) the larger of it and the image lead. Hip angles are unsigned, so the
    kneeling thigh behind the torso line (hips pushed forward into the stretch) would read as flexion and eat the
    lead; MediaPipe's 3D also shortens a side-on split, while the image shows it. Facing the camera the split is in
    depth and only 3D can tell."""
    split_3d_deg = m.thigh_split_deg(pose, side)
    if g.camera_view(pose) is View.FRONT:
        return split_3d_deg
    return max(split_3d_deg, m.image_hip_flex_deg(pose, side) - m.image_hip_flex_deg(pose, m.other(side)))


def back_hip_ext_deg(pose: Pose, side: str) -> float:
    """Hip extension of the kneeling leg: thigh behind the torso line, degrees (3D, sagittal)."""
    return m.thigh_back_deg(pose, side) + m.torso_lean_deg(pose)


def reaching_half_kneel(pose: Pose) -> bool:
    """One frame in the held stretch on either side, by the hold's own entry thresholds: for the recogniser, whose
    coarse posture classes read 3D knees and hips that the model can straighten in depth."""
    values = LazyMeasures(MOVE, pose)  # the reach (the hold's last condition) is read first: most frames stop there
    return any(all_pass(spec.when[::-1], values, staying=False) for spec in MOVE.holds)


def _kneeling(side: str) -> tuple[Above | Below, ...]:
    front = m.other(side)
    return (
        Above(f"{front}_front_lead_deg", FRONT_HIP_LEAD_ENTER_DEG, FRONT_HIP_LEAD_LEAVE_DEG),
        Below(f"{side}_bent_knee_deg", KNEELING_KNEE_ENTER_DEG, KNEELING_KNEE_LEAVE_DEG),
        Below("torso_tilt_deg", UPRIGHT_ENTER_DEG, UPRIGHT_LEAVE_DEG),
        Above(f"{front}_knee_deg", FRONT_KNEE_MIN_ENTER_DEG, FRONT_KNEE_MIN_LEAVE_DEG),
        Below(f"{front}_bent_knee_deg", FRONT_KNEE_MAX_ENTER_DEG, FRONT_KNEE_MAX_LEAVE_DEG),
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
        **m.per_side("{side}_front_lead_deg", front_lead_deg),
        **m.per_side("{side}_bent_knee_deg", m.bent_knee_deg),
        **m.per_side("{side}_wrist_above_nose_pct", wrist_above_nose_pct),
        **m.per_side("{side}_back_hip_ext_deg", back_hip_ext_deg),
        "torso_lean_deg": m.torso_lean_deg,
    },
    phases=tuple(Phase(f"kneeling_{s}", (*_kneeling(s), Below(f"{s}_wrist_above_nose_pct", REACH_LEAVE_PCT,
                                                                  REACH_ENTER_PCT)), HOLD_DWELL_MS, side=s)
                 for s in SIDES),
    holds=tuple(Hold(s, (*_kneeling(s), Above(f"{s}_wrist_above_nose_pct", REACH_ENTER_PCT, REACH_LEAVE_PCT)),
                     HOLD_DWELL_MS) for s in SIDES),
    rep_sides=(),
    hold_sides=SIDES,
    # Thighs are not length-checked: in a half kneel one thigh often points at the lens, and MediaPipe's 3D shortens it
    # to 0.17-0.31 of the torso for seconds (rendered oblique and outside views), under the bone gate's 0.4 that the
    # bridge needs. The hold's own angle limits still throw out a garbage leg.
    bones=("shin",),
    # Facing the camera, the kneeling shin lies behind its knee and the thigh hides the ankle (visibility 0.14-0.2 on a
    # rendered front view while still placed sensibly), so this move accepts fainter joints than most.
    min_joint_visibility=0.1,
    rom=Rom("back_hip_ext_deg", "{side}_back_hip_ext_deg", "max"),
    cues=(
        *(Cue(f"reach_{s}", "Reach the arm up and over", during=(f"kneeling_{s}",), min_dwell_ms=REACH_CUE_AFTER_MS,
              cooldown_ms=10000, joints=(sided(s, "wrist"),)) for s in SIDES),
        Cue("tall_torso", "Tall torso", (Above("torso_lean_deg", LEAN_FORWARD_DEG, LEAN_FORWARD_DEG - 6),),
            during=(HOLDING,), min_dwell_ms=1000, joints=both_sides("shoulder", "hip")),
        BREATHE,
    ),
)
