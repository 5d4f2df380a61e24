"""A stress clip's set as a script: an optional walk into the room, getting into position, then the move done the
drawn way (tempo, range, pauses, fidgets, a set stopped partway into a rep). Labels come from the same calls."""

from __future__ import annotations

import numpy as np

from coach.synth import poses as P
from coach.synth import scripts as S
from coach.synth.body import Body
from coach.synth.choreo import Script
from coach.synth.stress.variety import Variation

WALK_FROM_M = 3.0
"""A walk-in starts this far to the person's side, outside the framing."""


def start_pose(v: Variation) -> tuple[dict, tuple[float, float]]:
    """The pose and floor position the clip opens with."""
    if v.walk_in:
        return P.stand(), (WALK_FROM_M * float(np.sign(v.camera.azimuth_deg) or 1.0), 0.4)
    return (P.stand() if v.move in ("lunge_rotation", "hamstring_scoop", "hip_flexor_reach", "forward_fold_pedals")
            else P.seated_long() if v.move == "hamstring_strap" else P.seated_knees_bent()), (0.0, 0.0)


def build(v: Variation, body: Body) -> Script:
    """The whole clip's script for variation `v`."""
    pose, at_xy = start_pose(v)
    s = Script(np.random.default_rng([v.seed, v.index, 1]), start=pose, at_xy=at_xy, tempo=v.tempo)
    if v.walk_in:
        S.walk_in(s, at_xy, (0.0, 0.0), 0.0)
        s.segment(None, None, 0.0)
        if v.move in ("hip_90_90", "bridge_march"):
            s.go(P.seated_knees_bent(), 2.0, hold_s=0.5, anchor="root")
        elif v.move == "hamstring_strap":
            s.go(P.seated_long(), 2.0, hold_s=0.5, anchor="root")
    else:
        s.wait(0.6)
    other, style = P.OTHER[v.side], v.style
    if v.move == "hip_90_90":
        S.ninety_ninety(s, v.side, v.count, 0.0, style=style)
    elif v.move == "lunge_rotation":
        S.lunge(s, body, v.side, v.count, 0.0, style=style)
    elif v.move == "bridge_march":
        S.lie_back(s, body, 0.0, knees_bent=True)
        if v.variant == "plain":
            S.bridge_plain(s, body, v.count, 0.0, style=style)
        else:
            S.bridge_march(s, body, v.side, v.count, 0.0, style=style)
    elif v.move == "hamstring_scoop":
        half = v.count // 2
        sides = [v.side, other] * half if v.variant == "alternate" else [v.side] * half + [other] * half
        S.scoops(s, body, sides, 0.0, style=style)
    elif v.move == "hip_flexor_reach":
        S.hip_flexor(s, body, v.side, float(v.count), 0.0, arm_break_s=1.5 if v.style.pause_s else 0.0, style=style)
    elif v.move == "forward_fold_pedals":
        S.fold_pedals(s, body, v.side, v.count, 0.0, style=style)
    elif v.move == "hamstring_strap":
        S.lie_back(s, body, 0.0, knees_bent=False)
        for side in (v.side, other):
            S.strap(s, body, side, float(v.count), 0.0, style=style)
    return s
