"""Standing forward fold with calf pedals: hang in a fold, bend one knee at a time.

Fold seconds are timed under "both" while the torso is folded past horizontal-ish and the head hangs below the hips
(image), standing on the feet. Each pedal (one knee clearly more bent than the other, 3D) counts for the bending
knee; repeated entries into the same pedal without the other knee or straight legs in between count once.
"""

from __future__ import annotations

from coach import geometry as g
from coach.landmarks import SIDES
from coach.landmarks import Landmark as L
from coach.moves import measures as m
from coach.moves.base import HOLDING, Above, Below, Cue, Hold, Move, Phase, Rep, Rom, both_sides
from coach.pose import Pose

FOLD_ENTER_DEG = 60.0
FOLD_LEAVE_DEG = 50.0
HEAD_DOWN_ENTER_PCT = 15.0
HEAD_DOWN_LEAVE_PCT = 5.0
STANDING_HIPS_ENTER_PCT = 90.0
STANDING_HIPS_LEAVE_PCT = 75.0
PEDAL_KNEE_ENTER_DEG = 150.0
PEDAL_KNEE_LEAVE_DEG = 158.0
PEDAL_LEAD_ENTER_DEG = 15.0
PEDAL_LEAD_LEAVE_DEG = 8.0
STRAIGHT_ENTER_DEG = 160.0
STRAIGHT_LEAVE_DEG = 154.0
BOTH_BENT_DEG = 150.0
DWELL_MS = 200


def head_below_hips_pct(pose: Pose) -> float:
    return g.above_pct(pose, g.mid_px(pose, L.LEFT_HIP, L.RIGHT_HIP), L.NOSE)


def head_lift_pct(pose: Pose) -> float:
    """Nose above the shoulders (image), percent of torso: a hanging head reads negative in a fold."""
    return g.above_pct(pose, L.NOSE, g.mid_px(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER))


def knee_bend_lead_deg(pose: Pose, side: str) -> float:
    return g.knee_deg(pose, m.other(side)) - g.knee_deg(pose, side)


FOLDED = (
    Above("torso_tilt_deg", FOLD_ENTER_DEG, FOLD_LEAVE_DEG),
    Above("head_below_hips_pct", HEAD_DOWN_ENTER_PCT, HEAD_DOWN_LEAVE_PCT),
    Above("hips_above_floor_pct", STANDING_HIPS_ENTER_PCT, STANDING_HIPS_LEAVE_PCT),
)

MOVE = Move(
    move_id="forward_fold_pedals",
    title="Forward fold with calf pedals",
    kind="reps+hold",
    one_sided=False,
    setup_tip="Stand side-on to the camera, fold forward and let your head and arms hang",
    needs=both_sides("shoulder", "hip", "knee", "ankle"),
    measures={
        **m.common(),
        "head_below_hips_pct": head_below_hips_pct,
        "head_lift_pct": head_lift_pct,
        "hips_above_floor_pct": m.hips_above_floor_pct,
        **m.per_side("{side}_bend_lead_deg", knee_bend_lead_deg),
    },
    phases=(
        *(Phase(f"pedal_{s}", (*FOLDED, Below(f"{s}_knee_deg", PEDAL_KNEE_ENTER_DEG, PEDAL_KNEE_LEAVE_DEG),
                               Above(f"{s}_bend_lead_deg", PEDAL_LEAD_ENTER_DEG, PEDAL_LEAD_LEAVE_DEG)),
                DWELL_MS, side=s)
          for s in SIDES),
        Phase("straight", (*FOLDED, *(Above(f"{s}_knee_deg", STRAIGHT_ENTER_DEG, STRAIGHT_LEAVE_DEG) for s in SIDES)),
              DWELL_MS),
    ),
    reps=tuple(Rep((f"pedal_{s}",), s) for s in SIDES),
    holds=(Hold("both", FOLDED, 500),),
    hold_sides=("both",),
    rom=Rom("pedal_knee_deg", "{side}_knee_deg", "min", phases=("pedal_{side}",)),
    cues=(
        Cue("head_hang", "Let the head hang", (Above("head_lift_pct", 0.0, -10.0),), during=(HOLDING,),
            min_dwell_ms=1000, joints=(L.NOSE,)),
        Cue("one_knee", "Bend one knee at a time",
            tuple(Below(f"{s}_knee_deg", BOTH_BENT_DEG, BOTH_BENT_DEG + 5) for s in SIDES), during=(HOLDING,),
            min_dwell_ms=700, joints=both_sides("knee")),
    ),
)
