"""Standing forward fold with calf pedals: hang in a fold, bend one knee at a time.

Fold seconds are timed under "both" while the torso is tipped well forward and the head hangs near or below the hips
(each the larger of the picture's and the 3D reading: a camera in front shortens a folded torso in the picture),
standing on the feet. Each pedal (see pedal_deg) counts for the bending knee;
repeated entries into the same pedal without the other knee or straight legs in between count once.

Knee angles here come from the image: in a hanging fold MediaPipe's 3D knees read the same on both legs (a 33 degree
pedal showed as both knees at 163-167), while the image still shows the bending knee at ~156 against ~165-180. So
the pedals need a side or oblique view; facing the camera the bend is in depth. The hang itself reads from the front
too (torso and head in 3D where the picture foreshortens them), so its seconds are timed there.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

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
    Calibrate,
    Cue,
    Hold,
    Move,
    Phase,
    Rep,
    Rom,
    both_sides,
)
from coach.pose import Pose

FOLD_ENTER_DEG = 50.0
FOLD_LEAVE_DEG = 40.0
HEAD_DOWN_ENTER_PCT = -35.0
HEAD_DOWN_LEAVE_PCT = -50.0
STANDING_HIPS_ENTER_PCT = 90.0
STANDING_HIPS_LEAVE_PCT = 75.0
PEDAL_ENTER_DEG = 10.0
PEDAL_LEAVE_DEG = 7.0
STRAIGHT_BEND_ENTER_DEG = 5.0
STRAIGHT_BEND_LEAVE_DEG = 8.0
"""Both knees within this of their straightest reading: straight legs between pedals. It is left before a pedal's
entry (PEDAL_ENTER_DEG) so a shallow pedal is not held off by straight legs still passing."""
BOTH_BENT_DEG = 150.0
COPIED_BEND_DEG = 10.0
COPY_TOLERANCE_DEG = 8.0
"""Both knees bent this far from their straightest and within this of each other: the far knee copies the near one's
pedal."""
BEND_MIN_RANGE_DEG = 10.0
BEND_SETTLED_DEG_PER_S = 20.0
"""A knee's straightest reading in the hang comes from moments it changes slower than this (a pedal bends it at
40-80 degrees a second); landmark jitter at rest stays well under it."""
DWELL_MS = 200
FIRST_HANG_DWELL_MS = 2000
"""A hang is a hold: the set's first one counts once it has lasted this long (then from its start). A Romanian
deadlift, a good morning or a hip hinge drill passes through the fold's shape for 0.3-1 s a rep (1-1.6 s past the
fold's entry tilt): generated sets of six were followed as the fold and timed 4-10 s with the half-second wait, which
a hang already held keeps for its returns after a break."""


def head_below_hips_pct(pose: Pose) -> float:
    """How far the nose is below the hips' midpoint in the image, percent of torso (negative: above)."""
    return g.below_hips_pct(pose, L.NOSE)


def head_drop_pct(pose: Pose) -> float:
    """How far the head hangs below the hips, percent of torso: the larger of the picture's reading and the 3D one
    (world y). Facing the camera a low lens sees a hanging head above the hips (generated 70-degree folds filmed from
    1.0-1.2 m: -35 to -70 in the picture, -16 to +13 in 3D); side-on both agree."""
    return max(head_below_hips_pct(pose), g.below_hips_world_pct(pose, g.world(pose, L.NOSE)))


def head_lift_pct(pose: Pose) -> float:
    """Nose above the shoulders (image), percent of torso: a hanging head reads negative in a fold."""
    return g.above_pct(pose, L.NOSE, g.mid_px(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER))


def image_knee_deg(pose: Pose, side: str) -> float:
    return g.joint_angle_image_deg(pose, sided(side, "hip"), sided(side, "knee"), sided(side, "ankle"))


def knee_bend_deg(pose: Pose, side: str) -> float:
    """How far this knee bends from straight in the image, degrees."""
    return 180.0 - image_knee_deg(pose, side)


def pedal_deg(pose: Pose, values: Mapping[str, float], side: str) -> float:
    """How clearly this knee is the pedalling one: how much more it bends than the other knee, plus half its own
    bend, each from the knee's straightest reading in the hang (the person's own: the model reads straight knees in
    a fold anywhere from 165 to 180 in the image). A far knee's pedal shows alone, but MediaPipe bends the far knee
    along with the near one's (generated pedals of 25-30 degrees: both knees 10-18 degrees bent, within 8 of each
    other, either one the more bent whichever way the person faces): two knees bent alike are the near knee's pedal,
    and the far one scores 0."""
    other = m.other(side)
    bend_deg, other_bend_deg = values[f"{side}_knee_bend_deg_rise"], values[f"{other}_knee_bend_deg_rise"]
    if min(bend_deg, other_bend_deg) >= COPIED_BEND_DEG and abs(bend_deg - other_bend_deg) <= COPY_TOLERANCE_DEG:
        return bend_deg if side == g.near_side(pose) else 0.0
    return bend_deg - other_bend_deg + max(0.0, bend_deg) / 2


FOLDED = (
    Above("torso_down_deg", FOLD_ENTER_DEG, FOLD_LEAVE_DEG),
    Above("head_drop_pct", HEAD_DOWN_ENTER_PCT, HEAD_DOWN_LEAVE_PCT),
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
        "torso_down_deg": m.torso_down_deg,
        "head_drop_pct": head_drop_pct,
        "head_lift_pct": head_lift_pct,
        "hips_above_floor_pct": m.hips_above_floor_pct,
        **m.per_side("{side}_image_knee_deg", image_knee_deg),
        **m.per_side("{side}_knee_bend_deg", knee_bend_deg),
    },
    calibrate=tuple(Calibrate(f"{s}_knee_bend_deg", BEND_MIN_RANGE_DEG, BEND_SETTLED_DEG_PER_S, when=FOLDED)
                    for s in SIDES),
    derived={f"{s}_pedal_deg": partial(pedal_deg, side=s) for s in SIDES},
    phases=(
        *(Phase(f"pedal_{s}", (*FOLDED, Above(f"{s}_pedal_deg", PEDAL_ENTER_DEG, PEDAL_LEAVE_DEG)), DWELL_MS, side=s)
          for s in SIDES),
        Phase("straight", (*FOLDED, *(Below(f"{s}_knee_bend_deg_rise", STRAIGHT_BEND_ENTER_DEG, STRAIGHT_BEND_LEAVE_DEG)
                                      for s in SIDES)),
              DWELL_MS),
    ),
    reps=tuple(Rep((f"pedal_{s}",), s) for s in SIDES),
    holds=(Hold("both", FOLDED, 500, first_dwell_ms=FIRST_HANG_DWELL_MS, extra_views=(View.FRONT,)),),
    hold_sides=("both",),
    rom=Rom("pedal_knee_deg", "{side}_image_knee_deg", "min", phases=("pedal_{side}",)),
    views=(View.SIDE, View.OBLIQUE),
    cues=(
        Cue("head_hang", "Let the head hang", (Above("head_lift_pct", 0.0, -10.0),), during=(HOLDING,),
            min_dwell_ms=1000, joints=(L.NOSE,)),
        Cue("one_knee", "Bend one knee at a time",
            tuple(Below(f"{s}_image_knee_deg", BOTH_BENT_DEG, BOTH_BENT_DEG + 5) for s in SIDES), during=(HOLDING,),
            min_dwell_ms=700, joints=both_sides("knee")),
        BREATHE,
    ),
)
