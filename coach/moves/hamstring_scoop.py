"""Hamstring scoops: standing, one heel forward with the toes up; hinge at the hips and sweep the arms to the foot.

One rep per scoop, counted at the bottom of the hinge after standing tall (upright -> hinged), for the front leg:
the one whose ankle is ahead along the direction the torso leans (3D). Hinge depth is the larger of the torso's image
tilt (side-on) and its 3D forward lean (facing the camera, where the image shows a 60 degree hinge as ~25).

The upright and hinged bands follow the person's own range (see Calibrate in base.py): rendered bodies hinged 38-80
degrees, so a fixed 40 degree band missed the shallow ones, while a hinge that rises less than MIN_HINGE_RISE_DEG
from the person's own standing lean (a nod, a posture shift, landmark noise) never counts.
"""

from __future__ import annotations

import numpy as np

from coach import geometry as g
from coach.landmarks import SIDES, sided
from coach.landmarks import Landmark as L
from coach.moves import measures as m
from coach.moves.base import Above, Below, Calibrate, Cue, Move, Phase, Rep, Rom, both_sides
from coach.pose import Pose

# Bands relative to the person's standing lean (the floor of the calibrated hinge) and deepest settled hinge.
UPRIGHT_RISE_ENTER_DEG = 15.0
UPRIGHT_RISE_LEAVE_DEG = 22.0
MIN_HINGE_RISE_DEG = 25.0
"""A scoop hinges at least this far from standing tall (rendered shallow scoops rose 35+): noise never does."""
MIN_HINGE_RISE_LEAVE_DEG = 18.0
HINGED_ENTER_PCT = 60.0
HINGED_LEAVE_PCT = 40.0
HINGE_SETTLED_DEG_PER_S = 25.0
"""Standing tall and the bottom of the scoop are read where the hinge changes slower than this."""
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


def front_foot_pct(pose: Pose, side: str) -> float:
    """How far this ankle is ahead of the other along the torso's horizontal lean, percent of leg length (3D).

    The lean, not the hip line, gives the facing direction: in side views MediaPipe's hip depth order flips from
    frame to frame (a rendered side-on scoop read each foot as the front one in turn), while a hinged torso points
    clearly forward. Meaningful only while hinged, which is where the scoop phases read it.
    """
    lean = g.mid_world(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - g.mid_world(pose, L.LEFT_HIP, L.RIGHT_HIP)
    lean[1] = 0.0
    lean /= max(float(np.linalg.norm(lean)), 1e-9)
    step = g.world(pose, sided(side, "ankle")) - g.world(pose, sided(m.other(side), "ankle"))
    return 100.0 * float(np.dot(step, lean)) / max(m.leg_length_m(pose), 1e-6)


def wrists_below_knees_pct(pose: Pose) -> float:
    """How far the wrists' midpoint is below the knees' midpoint in the image, percent of torso."""
    return g.above_pct(pose, g.mid_px(pose, L.LEFT_KNEE, L.RIGHT_KNEE), g.mid_px(pose, L.LEFT_WRIST, L.RIGHT_WRIST))


STANDING = Above("hips_above_floor_pct", STANDING_HIPS_ENTER_PCT, STANDING_HIPS_LEAVE_PCT)
HINGE_RANGE = Calibrate("hinge_deg", MIN_HINGE_RISE_DEG, HINGE_SETTLED_DEG_PER_S, when=(STANDING,))

MOVE = Move(
    move_id="hamstring_scoop",
    title="Hamstring scoops",
    kind="reps",
    one_sided=True,
    setup_tip="Stand side-on to the camera, one heel forward with the toes up",
    needs=both_sides("shoulder", "hip", "knee", "ankle"),
    measures={
        **m.common(),
        **m.per_side("{side}_front_foot_pct", front_foot_pct),
        "hips_above_floor_pct": m.hips_above_floor_pct,
        "hinge_deg": hinge_deg,
        "wrists_below_knees_pct": wrists_below_knees_pct,
    },
    phases=(
        Phase("upright", (Below(HINGE_RANGE.rise, UPRIGHT_RISE_ENTER_DEG, UPRIGHT_RISE_LEAVE_DEG), STANDING), DWELL_MS),
        *(Phase(f"scoop_{s}", (Above(HINGE_RANGE.rise, MIN_HINGE_RISE_DEG, MIN_HINGE_RISE_LEAVE_DEG),
                               Above(HINGE_RANGE.range_pct, HINGED_ENTER_PCT, HINGED_LEAVE_PCT), STANDING,
                               Above(f"{s}_front_foot_pct", FRONT_FOOT_ENTER_PCT, FRONT_FOOT_LEAVE_PCT)), DWELL_MS,
                side=s)
          for s in SIDES),
    ),
    reps=tuple(Rep(("upright", f"scoop_{s}"), s) for s in SIDES),
    calibrate=(HINGE_RANGE,),
    rom=Rom("hinge_deg", "hinge_deg", "max", phases=("scoop_{side}",)),
    cues=(
        *(Cue(f"front_leg_long_{s}", "Keep the front leg long",
              (Below(f"{s}_knee_deg", FRONT_KNEE_LONG_DEG, FRONT_KNEE_LONG_DEG + 8),), during=(f"scoop_{s}",),
              min_dwell_ms=500, joints=both_sides("knee")) for s in SIDES),
        Cue("hinge", "Hinge at the hips", (Above("wrists_below_knees_pct", HANDS_LOW_PCT, HANDS_LOW_PCT - 10),),
            during=("upright",), min_dwell_ms=400, joints=both_sides("hip", "shoulder")),
    ),
)
