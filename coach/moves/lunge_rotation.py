"""Lunge with rotation (world's greatest stretch): deep lunge, rotate the front-side arm up, shift back.

One rep per full cycle on the front leg: a rotation followed by the shift back (front knee straightened), with the
plain lunge between them allowed. The front leg is the one whose hip is clearly more flexed (3D hip angles measured
to the shoulder midpoint, so the chest rotation does not move them); this stays true in the shift back, when the
front knee straightens and the back knee bends. "Arm up" is the front-side wrist above its shoulder in the image.
"""

from __future__ import annotations

from coach.landmarks import SIDES
from coach.moves import measures as m
from coach.moves.base import Above, Below, Cue, Move, Phase, Rep, Rom, both_sides

FRONT_KNEE_BENT_ENTER_DEG = 115.0
FRONT_KNEE_BENT_LEAVE_DEG = 128.0
BACK_KNEE_LONG_ENTER_DEG = 125.0
BACK_KNEE_LONG_LEAVE_DEG = 115.0
HIP_LEAD_ENTER_DEG = 35.0
HIP_LEAD_LEAVE_DEG = 20.0
ARM_UP_ENTER_PCT = 35.0
ARM_UP_LEAVE_PCT = 20.0
FRONT_KNEE_STRAIGHT_ENTER_DEG = 150.0
FRONT_KNEE_STRAIGHT_LEAVE_DEG = 140.0
SHIFT_TILT_ENTER_DEG = 30.0
SHIFT_TILT_LEAVE_DEG = 20.0
DWELL_MS = 250


def _phases(side: str) -> tuple[Phase, ...]:
    back = m.other(side)
    front_leads = Above(f"{side}_hip_lead_deg", HIP_LEAD_ENTER_DEG, HIP_LEAD_LEAVE_DEG)
    bent = Below(f"{side}_knee_deg", FRONT_KNEE_BENT_ENTER_DEG, FRONT_KNEE_BENT_LEAVE_DEG)
    back_long = Above(f"{back}_knee_deg", BACK_KNEE_LONG_ENTER_DEG, BACK_KNEE_LONG_LEAVE_DEG)
    arm = f"{side}_wrist_above_shoulder_pct"
    return (
        Phase(f"lunge_{side}", (front_leads, bent, back_long, Below(arm, ARM_UP_LEAVE_PCT, ARM_UP_ENTER_PCT)),
              DWELL_MS, side=side),
        Phase(f"rotate_{side}", (front_leads, bent, Above(arm, ARM_UP_ENTER_PCT, ARM_UP_LEAVE_PCT)), DWELL_MS,
              side=side),
        Phase(f"shift_{side}", (front_leads,
                                Above(f"{side}_knee_deg", FRONT_KNEE_STRAIGHT_ENTER_DEG, FRONT_KNEE_STRAIGHT_LEAVE_DEG),
                                Above("torso_tilt_deg", SHIFT_TILT_ENTER_DEG, SHIFT_TILT_LEAVE_DEG)), DWELL_MS,
              side=side),
    )


def _cues(side: str) -> tuple[Cue, ...]:
    back = m.other(side)
    return (
        Cue(f"wrong_arm_{side}", "Rotate toward the front leg",
            (Above(f"{back}_wrist_above_shoulder_pct", ARM_UP_ENTER_PCT, ARM_UP_LEAVE_PCT),),
            during=(f"lunge_{side}",), min_dwell_ms=500, joints=both_sides("wrist", "shoulder")),
        Cue(f"rotate_{side}", "Rotate toward the front leg", during=(f"lunge_{side}",), min_dwell_ms=6000,
            cooldown_ms=15000, kind="nudge"),
        Cue(f"shift_{side}", "Shift back to straighten the front leg", during=(f"rotate_{side}",),
            min_dwell_ms=5000, cooldown_ms=15000, kind="nudge"),
    )


MOVE = Move(
    move_id="lunge_rotation",
    title="Lunge with rotation",
    kind="reps",
    one_sided=True,
    setup_tip="Step into a long lunge side-on to the camera, hand down inside the front foot",
    needs=both_sides("shoulder", "wrist", "hip", "knee", "ankle"),
    measures={
        **m.common(),
        **m.per_side("{side}_hip_lead_deg", m.hip_lead_deg),
        **m.per_side("{side}_wrist_above_shoulder_pct", m.wrist_above_shoulder_pct),
    },
    phases=tuple(p for side in SIDES for p in _phases(side)),
    reps=tuple(Rep((f"rotate_{s}", f"shift_{s}"), s, ignore=(f"lunge_{s}",)) for s in SIDES),
    rom=Rom("front_knee_deg", "{side}_knee_deg", "min", phases=("lunge_{side}", "rotate_{side}")),
    cues=tuple(c for side in SIDES for c in _cues(side)),
)
