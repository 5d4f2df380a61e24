"""Keyframed choreography: eased joint-angle transitions, holds, body placement, and the labels they imply.

A script is written the way a coach describes a set ("go to the lunge in 1.2 s, hold 0.5 s, count a rep"), so the
labels (reps, holds, segments) are recorded by the same calls that move the body and cannot drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coach.synth.body import Angles, Body


@dataclass
class Key:
    t_s: float
    angles: Angles
    anchor: str
    at_xy: tuple[float, float]


@dataclass
class Label:
    kind: str  # "rep" | "partial" | "hold"
    move: str
    side: str
    t_ms: int
    end_ms: int | None = None


@dataclass
class Script:
    """Builds a timeline of keys plus labels; `speed_jitter` varies each transition's duration a little and `tempo`
    stretches every transition and hold (2 = half speed)."""

    rng: np.random.Generator
    start: Angles
    anchor: str = "root"
    at_xy: tuple[float, float] = (0.0, 0.0)
    speed_jitter: float = 0.08
    tempo: float = 1.0
    keys: list[Key] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    _hold: dict[str, tuple[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keys.append(Key(0.0, dict(self.start), self.anchor, self.at_xy))

    @property
    def t_s(self) -> float:
        return self.keys[-1].t_s

    @property
    def pose(self) -> Angles:
        return self.keys[-1].angles

    def go(self, angles: Angles, dur_s: float, hold_s: float = 0.0, anchor: str | None = None,
           at_xy: tuple[float, float] | None = None) -> float:
        """Move to `angles` in about `dur_s`, then stay `hold_s`; returns the transition midpoint (s)."""
        last = self.keys[-1]
        dur = dur_s * self.tempo * float(1 + self.rng.uniform(-self.speed_jitter, self.speed_jitter))
        key = Key(last.t_s + dur, dict(angles), anchor or last.anchor, at_xy if at_xy is not None else last.at_xy)
        self.keys.append(key)
        mid = last.t_s + dur / 2
        if hold_s > 0:
            self.wait(hold_s * self.tempo)
        return mid

    def wait(self, hold_s: float) -> None:
        last = self.keys[-1]
        self.keys.append(Key(last.t_s + hold_s, dict(last.angles), last.anchor, last.at_xy))

    def rep(self, move: str, side: str, t_s: float | None = None, partial: bool = False) -> None:
        t = self.t_s if t_s is None else t_s
        self.labels.append(Label("partial" if partial else "rep", move, side, round(t * 1000)))

    def hold_begin(self, move: str, side: str, mid_s: float) -> None:
        self._hold[f"{move}/{side}"] = (move, round(mid_s * 1000))

    def hold_end(self, move: str, side: str, mid_s: float) -> None:
        _, start_ms = self._hold.pop(f"{move}/{side}")
        self.labels.append(Label("hold", move, side, start_ms, round(mid_s * 1000)))

    def segment(self, move: str | None, side: str | None, start_s: float, end_s: float | None = None) -> None:
        end = self.t_s if end_s is None else end_s
        self.segments.append({"move": move, "side": side, "start_ms": round(start_s * 1000),
                              "end_ms": round(end * 1000)})

    def at(self, body: Body, t_s: float) -> tuple[Angles, str, tuple[float, float], Angles, str, tuple[float, float],
                                                 float]:
        """The two keys around `t_s` and the eased blend weight between them."""
        keys = self.keys
        i = int(np.searchsorted([k.t_s for k in keys], t_s, side="right")) - 1
        i = min(max(i, 0), len(keys) - 1)
        a = keys[i]
        b = keys[min(i + 1, len(keys) - 1)]
        span = b.t_s - a.t_s
        u = 0.0 if span <= 0 else min(max((t_s - a.t_s) / span, 0.0), 1.0)
        w = (1 - np.cos(np.pi * u)) / 2
        return a.angles, a.anchor, a.at_xy, b.angles, b.anchor, b.at_xy, float(w)


def blend_angles(a: Angles, b: Angles, w: float) -> Angles:
    return {k: (1 - w) * a.get(k, 0.0) + w * b.get(k, 0.0) for k in a.keys() | b.keys()}


def place(body: Body, script: Script, t_s: float) -> tuple[Angles, str, tuple[float, float]]:
    """Angles at time t and a placement that moves each key's anchor bone smoothly onto its target."""
    a, anchor_a, at_a, b, anchor_b, at_b, w = script.at(body, t_s)
    angles = blend_angles(a, b, w)
    if anchor_a == anchor_b:
        xy = tuple((1 - w) * np.asarray(at_a) + w * np.asarray(at_b))
        return angles, anchor_a, (float(xy[0]), float(xy[1]))
    # Different anchors: blend the root offsets each anchor asks for, expressed as a root target.
    root_now = body.anchor_xy(angles, "root")
    off_a = np.asarray(at_a) - body.anchor_xy(angles, anchor_a)
    off_b = np.asarray(at_b) - body.anchor_xy(angles, anchor_b)
    xy = root_now + (1 - w) * off_a + w * off_b
    return angles, "root", (float(xy[0]), float(xy[1]))


def solve(body: Body, angles: Angles, channel: str, residual, lo: float, hi: float) -> Angles:
    """Set `channel` in [lo, hi] so residual(bone frames) crosses zero (bisection); keeps contacts on the floor."""
    out = dict(angles)

    def f(x: float) -> float:
        out[channel] = x
        return float(residual(body.bone_frames(out)))

    f_lo = f(lo)
    for _ in range(24):
        mid = (lo + hi) / 2
        if (f(mid) > 0) == (f_lo > 0):
            lo, f_lo = mid, f(mid)
        else:
            hi = mid
    out[channel] = (lo + hi) / 2
    return out


def bone_z(body: Body, frames: np.ndarray, bone: str) -> float:
    c = body.bone(bone)
    return float(frames[c][2, :3] @ body.heads[c] + frames[c][2, 3])
