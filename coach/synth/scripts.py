"""Choreography of each move as a user would do a set: timing, holds, partial reps, pauses, walk-ins.

Every builder appends to a Script and records the labels (reps per side, hold spans, segments) as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coach.synth import poses as P
from coach.synth.body import Angles, Body
from coach.synth.choreo import Script


@dataclass(frozen=True)
class Style:
    """How one person does a set beyond the move itself. `size` scales the rep's range of motion and `depth` the
    base posture (1 = the postures in poses.py); pauses (s) and fidgets follow the numbered reps; `stop_mid` ends
    the set partway into one more rep, which must not count. The default is the sample clips' tidy set."""

    size: float = 1.0
    depth: float = 1.0
    pause_s: dict[int, float] = field(default_factory=dict)
    fidget_after: frozenset[int] = frozenset()
    stop_mid: bool = False


TIDY = Style()
FIDGET_DEG = 12.0
"""How far a fidget moves the head, arms and trunk from where they rest: small enough to stay in the posture."""
FIDGET_JOINTS = ("neck_twist", "neck_bend", "sh_flex_l", "sh_flex_r", "sh_abd_l", "sh_abd_r", "elbow_l", "elbow_r",
                 "spine_bend")


def between_reps(s: Script, style: Style, index: int) -> None:
    """After rep `index`: the style's pause and fidget (a look around, arms shifting), then back to the same pose."""
    if index in style.fidget_after:
        rest = dict(s.pose)
        for _ in range(2):
            s.go({**rest, **{k: rest.get(k, 0.0) + s.rng.uniform(-FIDGET_DEG, FIDGET_DEG) for k in FIDGET_JOINTS}},
                 0.6, hold_s=0.2)
        s.go(rest, 0.6)
    if index in style.pause_s:
        s.wait(style.pause_s[index])


def _facing_xy(yaw: float) -> np.ndarray:
    return np.array([np.sin(np.radians(yaw)), -np.cos(np.radians(yaw))])


def walk_in(s: Script, start_xy: tuple[float, float], end_xy: tuple[float, float], face_yaw: float,
            step_s: float = 0.55) -> None:
    """Walk from start to end (arms swinging), then turn to `face_yaw`. The script must start at start_xy."""
    d = np.asarray(end_xy) - np.asarray(start_xy)
    yaw = float(np.degrees(np.arctan2(d[0], -d[1])))
    steps = max(2, int(np.linalg.norm(d) / 0.6))
    s.keys[-1].angles["body_yaw"] = yaw
    s.keys[-1].at_xy = start_xy
    for i in range(1, steps + 1):
        lead = "left" if i % 2 else "right"
        trail = P.OTHER[lead]
        stride = 0.0 if i == steps else 1.0
        pose = {**P.stand(yaw), **P.sided(lead, hip_flex=22 * stride, knee=6, sh_flex=-14 * stride, ankle=5 * stride),
                **P.sided(trail, hip_flex=-12 * stride, knee=22 * stride, ankle=-5, sh_flex=18 * stride)}
        xy = tuple(np.asarray(start_xy) + d * i / steps)
        s.go(pose, step_s, anchor="root", at_xy=(float(xy[0]), float(xy[1])))
    s.go(P.stand(face_yaw), 0.9, hold_s=0.4)


def ninety_ninety(s: Script, first: str, switches: int, yaw: float, pause_after: int | None = None,
                  style: Style = TIDY) -> None:
    """Start seated in 90/90 with `first` in front (not counted); each switch counts for the leg that ends in front."""
    move = "hip_90_90"
    start = s.t_s
    s.go(P.ninety_ninety(first, yaw), 1.6, hold_s=1.0)
    front = first
    for i in range(switches):
        front = P.OTHER[front]
        s.go(P.ninety_ninety_mid(yaw), 0.9, hold_s=0.15)
        s.go(P.ninety_ninety(front, yaw), 0.9, hold_s=0.5)
        s.rep(move, front)
        if pause_after is not None and i == pause_after:
            s.wait(2.5)
        between_reps(s, style, i)
    if style.stop_mid:  # halfway into one more switch, then back: no switch
        s.go(P.ninety_ninety_mid(yaw), 0.9, hold_s=0.3)
        s.go(P.ninety_ninety(front, yaw), 0.9, hold_s=0.5)
    s.segment(move, None, start)


def lunge(s: Script, body: Body, side: str, cycles: int, yaw: float, partial_after: int | None = None,
          style: Style = TIDY) -> None:
    """Step into a deep lunge; each cycle = rotate the front-side arm up and down, then shift back and forward."""
    move = "lunge_rotation"
    start = s.t_s
    base = P.lunge(body, side, yaw)
    s.go(base, 1.6, hold_s=0.6, anchor=f"foot.{P.SHORT[side]}", at_xy=_anchor_here(s, body, base, side))
    for i in range(cycles):
        _lunge_cycle(s, body, side, yaw, style.size)
        s.rep(move, side)
        if partial_after is not None and i == partial_after:
            _lunge_cycle(s, body, side, yaw, 0.45)
            s.rep(move, side, partial=True)
        between_reps(s, style, i)
    if style.stop_mid:  # rotates up and back down, then stands up without the shift back: no cycle
        s.go(P.lunge(body, side, yaw, reach=style.size), 1.1, hold_s=0.3)
        s.go(P.lunge(body, side, yaw), 1.0, hold_s=0.3)
    s.go(P.stand(yaw), 1.5, hold_s=0.6, anchor="root", at_xy=_root_here(s, body))
    s.segment(move, side, start)


def _anchor_here(s: Script, body: Body, target: Angles, side: str) -> tuple[float, float]:
    """Where the front foot lands: one stride ahead of the current root, in the facing direction."""
    root = np.asarray(_root_here(s, body))
    foot = root + _facing_xy(target.get("body_yaw", 0.0)) * 0.55 + _side_xy(target.get("body_yaw", 0.0), side) * 0.1
    return float(foot[0]), float(foot[1])


def _side_xy(yaw: float, side: str) -> np.ndarray:
    f = _facing_xy(yaw)
    left = np.array([-f[1], f[0]])
    return left if side == "left" else -left


def _root_here(s: Script, body: Body) -> tuple[float, float]:
    key = s.keys[-1]
    xy = np.asarray(key.at_xy) + body.anchor_xy(key.angles, "root") - body.anchor_xy(key.angles, key.anchor)
    return float(xy[0]), float(xy[1])


def _lunge_cycle(s: Script, body: Body, side: str, yaw: float, size: float) -> None:
    s.go(P.lunge(body, side, yaw, reach=size), 1.1, hold_s=0.5)
    s.go(P.lunge(body, side, yaw), 1.0, hold_s=0.3)
    s.go(P.lunge(body, side, yaw, shift_back=size), 1.1, hold_s=0.5)
    s.go(P.lunge(body, side, yaw), 1.0, hold_s=0.3)


def lie_back(s: Script, body: Body, yaw: float, knees_bent: bool) -> None:
    """Sit down, then roll back to lying: tracking locks on better from an upright start."""
    seated = P.seated_knees_bent(yaw) if knees_bent else P.seated_long(yaw)
    lying = P.supine_knees_bent(body, yaw) if knees_bent else P.strap(body, yaw)
    s.go(seated, 1.8, hold_s=0.6, anchor="root")
    s.go(lying, 1.8, hold_s=0.6)


def bridge_march(s: Script, body: Body, first: str, marches: int, yaw: float,
                 partial_after: int | None = None, style: Style = TIDY) -> None:
    """Lift the hips, then alternate knee lifts with the hips up; lower at the end."""
    move = "bridge_march"
    start = s.t_s
    lift = style.depth
    s.rep(move, "both", s.go(P.bridge(body, yaw, lift), 1.2, hold_s=0.6))  # reps count at the working position
    side = first
    for i in range(marches):
        s.rep(move, side, s.go(P.bridge(body, yaw, lift, march=side, knee_up=style.size), 0.7, hold_s=0.45))
        s.go(P.bridge(body, yaw, lift), 0.7, hold_s=0.35)
        if partial_after is not None and i == partial_after:
            other = P.OTHER[side]
            s.rep(move, other, s.go(P.bridge(body, yaw, march=other, knee_up=0.4), 0.6, hold_s=0.3), partial=True)
            s.go(P.bridge(body, yaw), 0.6, hold_s=0.35)
        between_reps(s, style, i)
        side = P.OTHER[side]
    if style.stop_mid:  # the next knee starts up and goes back down: a partial march
        s.rep(move, side, s.go(P.bridge(body, yaw, lift, march=side, knee_up=0.35), 0.6, hold_s=0.2), partial=True)
        s.go(P.bridge(body, yaw, lift), 0.6, hold_s=0.3)
    s.go(P.supine_knees_bent(body, yaw), 1.2, hold_s=0.8)
    s.segment(move, None, start)


def bridge_plain(s: Script, body: Body, reps: int, yaw: float, style: Style = TIDY) -> None:
    move = "bridge_march"
    start = s.t_s
    for i in range(reps):
        s.rep(move, "both", s.go(P.bridge(body, yaw, style.size), 1.1, hold_s=0.6))
        s.go(P.supine_knees_bent(body, yaw), 1.1, hold_s=0.5)
        between_reps(s, style, i)
    if style.stop_mid:  # the hips start up and come back down: a partial bridge
        s.rep(move, "both", s.go(P.bridge(body, yaw, 0.3), 0.8, hold_s=0.2), partial=True)
        s.go(P.supine_knees_bent(body, yaw), 0.8, hold_s=0.5)
    s.segment(move, "both", start)


def scoops(s: Script, body: Body, sides: list[str], yaw: float, pause_after: int | None = None,
           style: Style = TIDY) -> None:
    """One scoop per entry of `sides`: heel forward, hinge with arms sweeping to the foot, rise with arms up."""
    move = "hamstring_scoop"
    start = s.t_s
    for i, side in enumerate(sides):
        s.go(P.scoop(body, side, yaw), 0.8, hold_s=0.2)
        s.go(P.scoop(body, side, yaw, hinge=style.size), 1.2, hold_s=0.45)
        s.go(P.scoop(body, side, yaw, arms_up=1.0), 1.2, hold_s=0.35)
        s.rep(move, side)
        s.go(P.stand(yaw), 0.8, hold_s=0.2)
        if pause_after is not None and i == pause_after:
            s.wait(2.5)
        between_reps(s, style, i)
    if style.stop_mid:  # heel forward and a small hinge, then stands up without the sweep: no scoop
        side = sides[-1]
        s.go(P.scoop(body, side, yaw), 0.8, hold_s=0.2)
        s.go(P.scoop(body, side, yaw, hinge=0.3), 0.9, hold_s=0.2)
        s.go(P.stand(yaw), 0.9, hold_s=0.3)
    s.segment(move, None if len(set(sides)) > 1 else sides[0], start)


def hip_flexor(s: Script, body: Body, kneel: str, hold_s: float, yaw: float, arm_break_s: float = 0.0,
               style: Style = TIDY) -> None:
    """Kneel down, reach the kneeling-side arm up and over and hold; optional short arm-down pause mid-hold."""
    move = "hip_flexor_reach"
    start = s.t_s
    s.go(P.half_kneel(body, kneel, yaw), 1.8, hold_s=0.6)
    if arm_break_s > 0:
        first = hold_s / 2
        mid = s.go(P.half_kneel(body, kneel, yaw, reach=style.size), 1.2, hold_s=first)
        s.hold_begin(move, kneel, mid)
        s.hold_end(move, kneel, s.go(P.half_kneel(body, kneel, yaw), 1.0, hold_s=arm_break_s))
        hold_s -= first
    mid = s.go(P.half_kneel(body, kneel, yaw, reach=style.size), 1.2, hold_s=hold_s)
    s.hold_begin(move, kneel, mid)
    s.hold_end(move, kneel, s.go(P.half_kneel(body, kneel, yaw), 1.0, hold_s=0.5))
    s.go(P.stand(yaw), 1.6, hold_s=0.6)
    s.segment(move, kneel, start)


def fold_pedals(s: Script, body: Body, first: str, pedals: int, yaw: float, style: Style = TIDY) -> None:
    """Fold forward, pedal the knees alternately, come up; the fold time counts as a hold under "both"."""
    move = "forward_fold_pedals"
    start = s.t_s
    depth = style.depth
    s.hold_begin(move, "both", s.go(P.fold(body, yaw, depth), 2.0, hold_s=0.8))
    side = first
    for i in range(pedals):
        s.go(P.fold(body, yaw, depth, pedal=side, bend=style.size), 0.65, hold_s=0.35)
        s.go(P.fold(body, yaw, depth), 0.6, hold_s=0.25)
        s.rep(move, side)
        between_reps(s, style, i)
        side = P.OTHER[side]
    if style.stop_mid:  # the next knee starts to bend and straightens again: a partial pedal
        s.go(P.fold(body, yaw, depth, pedal=side, bend=0.3), 0.5, hold_s=0.2)
        s.rep(move, side, partial=True)
        s.go(P.fold(body, yaw, depth), 0.5, hold_s=0.25)
    s.wait(0.4)
    s.hold_end(move, "both", s.go(P.stand(yaw), 2.0, hold_s=0.6))
    s.segment(move, "both", start)


def strap(s: Script, body: Body, side: str, hold_s: float, yaw: float, style: Style = TIDY) -> None:
    """Raise one leg with a soft knee, hands at the calf; hold; lower."""
    move = "hamstring_strap"
    start = s.t_s
    mid = s.go(P.strap(body, yaw, raised=side, up=style.size), 1.4, hold_s=hold_s)
    s.hold_begin(move, side, mid)
    s.hold_end(move, side, s.go(P.strap(body, yaw), 1.4, hold_s=0.8))
    s.segment(move, side, start)
