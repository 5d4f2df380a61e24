"""The naive counter the accuracy benchmark compares against: what simple gym-counter apps do.

Per move one angle (or distance) from the same geometry the checkers use, and a single threshold: a rep for a side
each time its measure rises through the threshold, hold time while it is above. No smoothing (it reads raw poses),
no hysteresis, no minimum dwell, no visibility or view gate, no move recognition: like those apps it is told which
move is on (the labelled segments). Whatever it gets wrong that the coach gets right is what those parts buy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from coach import geometry as g
from coach.landmarks import SIDES, sided
from coach.moves import measures as m
from coach.moves.bridge_march import knee_lift_deg
from coach.moves.hip_90_90 import left_front_pct
from coach.pose import Pose

SideMeasure = Callable[[Pose, str], float]


@dataclass(frozen=True)
class Threshold:
    """`measure(pose, side)` at or above `threshold` means "in the rep's top position" / "holding" for that side."""

    measure: SideMeasure
    threshold: float
    sides: tuple[str, ...] = SIDES


def _front_leg_tilt_deg(pose: Pose, side: str) -> float:
    """Torso tilt, credited to the leg whose ankle is ahead (scoops count for the front leg)."""
    return g.torso_tilt_deg(pose) if m.ankle_ahead_pct(pose, side) > 0 else 0.0


def _knee_bend_deg(pose: Pose, side: str) -> float:
    return 180.0 - g.knee_deg(pose, side)


def _front_of(side_measure: SideMeasure) -> SideMeasure:
    """A measure of the other leg (hip flexor holds count for the kneeling leg, judged by the front one)."""
    return lambda pose, side: side_measure(pose, m.other(side))


def _signed_left_front_pct(pose: Pose, side: str) -> float:
    return left_front_pct(pose) if side == "left" else -left_front_pct(pose)


def _fold_tilt_deg(pose: Pose, _side: str) -> float:
    return g.torso_tilt_deg(pose)


def _image_bridge_line_deg(pose: Pose, _side: str) -> float:
    """Shoulder-hip-knee angle in the image (near side), the one angle simple bridge counters read."""
    side = g.near_side(pose)
    return g.joint_angle_image_deg(pose, sided(side, "shoulder"), sided(side, "hip"), sided(side, "knee"))


REPS: dict[str, tuple[Threshold, ...]] = {
    "hip_90_90": (Threshold(_signed_left_front_pct, 0.0),),
    "lunge_rotation": (Threshold(m.wrist_above_shoulder_pct, 0.0),),
    # Marches by the thigh split; a plain two-leg bridge by the 2D bridge line, under "both".
    "bridge_march": (Threshold(knee_lift_deg, 30.0), Threshold(_image_bridge_line_deg, 160.0, ("both",))),
    "hamstring_scoop": (Threshold(_front_leg_tilt_deg, 45.0),),
    "forward_fold_pedals": (Threshold(_knee_bend_deg, 30.0),),
}
HOLDS: dict[str, Threshold] = {
    "hip_flexor_reach": Threshold(_front_of(m.hip_lead_deg), 40.0),
    "forward_fold_pedals": Threshold(_fold_tilt_deg, 55.0, ("both",)),
    "hamstring_strap": Threshold(m.hip_flex_deg, 45.0),
}


def count_move(timeline: Sequence[tuple[int, Pose | None]], move_id: str) -> dict[str, Any]:
    """{"reps": {side: n}, "hold_s": {side: s}} for raw poses of one move (report shape, docs/CONTRACTS.md)."""
    rep_rules, hold_rule = REPS.get(move_id, ()), HOLDS.get(move_id)
    reps = {side: 0 for rule in rep_rules for side in rule.sides}
    hold_ms = dict.fromkeys(hold_rule.sides, 0) if hold_rule else {}
    was_up: dict[str, bool] = {}
    last_t_ms: int | None = None
    for t_ms, pose in timeline:
        dt_ms = 0 if last_t_ms is None else t_ms - last_t_ms
        last_t_ms = t_ms
        if pose is None:
            continue
        for rep_rule in rep_rules:
            for side in rep_rule.sides:
                up = rep_rule.measure(pose, side) >= rep_rule.threshold
                if up and not was_up.get(side, True):  # a rising edge; the first frame sets the state
                    reps[side] += 1
                was_up[side] = up
        if hold_rule is not None:
            for side in hold_rule.sides:
                if hold_rule.measure(pose, side) >= hold_rule.threshold:
                    hold_ms[side] += dt_ms
    return {"reps": reps, "hold_s": {side: round(ms / 1000.0, 2) for side, ms in hold_ms.items()}}


def baseline_report(timeline: Sequence[tuple[int, Pose | None]], segments: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Count each labelled segment with its move's naive rule; totals per move add up over segments."""
    moves: dict[str, dict[str, Any]] = {}
    for segment in segments:
        move_id = segment["move"]
        if move_id is None:
            continue
        frames = [(t, p) for t, p in timeline if segment["start_ms"] <= t <= segment["end_ms"]]
        found = count_move(frames, move_id)
        total = moves.setdefault(move_id, {"reps": {}, "hold_s": {}})
        for key in ("reps", "hold_s"):
            for side, value in found[key].items():
                total[key][side] = round(total[key].get(side, 0) + value, 2)
    return {"moves": moves, "segments": []}
