"""Hamstring scoops: standing, one heel forward with the toes up; hinge at the hips and sweep the arms to the foot.

One rep per scoop, counted at the bottom of the hinge after standing tall (upright -> hinged), for the front leg:
the one whose ankle is ahead along the facing direction (3D). Hinge depth is the larger of the torso's image tilt
(side-on) and its 3D forward lean (facing the camera, where the image shows a 60 degree hinge as ~25).
"""

from __future__ import annotations

from coach import geometry as g
from coach.landmarks import SIDES
from coach.landmarks import Landmark as L
from coach.moves import measures as m
from coach.moves.base import Above, Below, Cue, Move, Phase, Rep, Rom, both_sides
from coach.pose import Pose

UPRIGHT_ENTER_DEG = 20.0
UPRIGHT_LEAVE_DEG = 28.0
HINGED_ENTER_DEG = 40.0
HINGED_LEAVE_DEG = 30.0
FRONT_FOOT_ENTER_PCT = 10.0
FRONT_FOOT_LEAVE_PCT = 4.0
STANDING_HIPS_ENTER_PCT = 100.0
STANDING_HIPS_LEAVE_PCT = 85.0
# MediaPipe read a straight front knee as 132-139 in a front-view scoop; only a clear bend is called out.
FRONT_KNEE_LONG_DEG = 128.0
HANDS_LOW_PCT = 0.0
DWELL_MS = 250


def hinge_deg(pose: Pose) -> float:
    return max(g.torso_tilt_deg(pose), m.torso_lean_deg(pose))


def wrists_below_knees_pct(pose: Pose) -> float:
    """How far the wrists' midpoint is below the knees' midpoint in the image, percent of torso."""
    return g.above_pct(pose, g.mid_px(pose, L.LEFT_KNEE, L.RIGHT_KNEE), g.mid_px(pose, L.LEFT_WRIST, L.RIGHT_WRIST))


STANDING = Above("hips_above_floor_pct", STANDING_HIPS_ENTER_PCT, STANDING_HIPS_LEAVE_PCT)

MOVE = Move(
    move_id="hamstring_scoop",
    title="Hamstring scoops",
    kind="reps",
    one_sided=True,
    setup_tip="Stand side-on to the camera, one heel forward with the toes up",
    needs=both_sides("shoulder", "hip", "knee", "ankle"),
    measures={
        **m.common(),
        **m.per_side("{side}_ahead_pct", m.ankle_ahead_pct),
        "hips_above_floor_pct": m.hips_above_floor_pct,
        "hinge_deg": hinge_deg,
        "wrists_below_knees_pct": wrists_below_knees_pct,
    },
    phases=(
        Phase("upright", (Below("hinge_deg", UPRIGHT_ENTER_DEG, UPRIGHT_LEAVE_DEG), STANDING), DWELL_MS),
        *(Phase(f"scoop_{s}", (Above("hinge_deg", HINGED_ENTER_DEG, HINGED_LEAVE_DEG), STANDING,
                               Above(f"{s}_ahead_pct", FRONT_FOOT_ENTER_PCT, FRONT_FOOT_LEAVE_PCT)), DWELL_MS, side=s)
          for s in SIDES),
    ),
    reps=tuple(Rep(("upright", f"scoop_{s}"), s) for s in SIDES),
    rom=Rom("hinge_deg", "hinge_deg", "max", phases=("scoop_{side}",)),
    cues=(
        *(Cue(f"front_leg_long_{s}", "Keep the front leg long",
              (Below(f"{s}_knee_deg", FRONT_KNEE_LONG_DEG, FRONT_KNEE_LONG_DEG + 8),), during=(f"scoop_{s}",),
              min_dwell_ms=500, joints=both_sides("knee")) for s in SIDES),
        Cue("hinge", "Hinge at the hips", (Above("wrists_below_knees_pct", HANDS_LOW_PCT, HANDS_LOW_PCT - 10),),
            during=("upright",), min_dwell_ms=400, joints=both_sides("hip", "shoulder")),
    ),
)
