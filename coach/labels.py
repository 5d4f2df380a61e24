"""Sample clip labels (the sidecar next to each clip) and the one comparison of a replay report against them.

The replay test suite and `coach bench accuracy` both judge a report through `compare`, so "counted right" means the
same thing in CI and in the published accuracy table: reps exact per move and side, hold seconds per move and side,
and the recognised moves equal to the labelled ones (an empty room: nothing recognised, nothing counted).
There is one check per labelled count and one per count the labels do not have (a side or move counted that should
be zero), so a false positive is an error while sides nobody counted add nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.errors import CoachError


class LabelError(CoachError):
    """A label sidecar is missing or unreadable; str() is one sentence for the user."""


@dataclass(frozen=True)
class ClipLabels:
    """What a sample clip shows: the labelled moves' time spans and the expected reps and hold seconds."""

    video: Path
    fps: float
    frame_count: int
    duration_ms: int
    segments: list[dict[str, Any]]  # {"move": id | None, "side": ..., "start_ms", "end_ms"}
    expected: dict[str, dict[str, dict[str, float]]]  # move -> {"reps": {side: n}, "hold_s": {side: s}}
    person_frames: int
    role: str = "sample"  # a manifest's target | near_miss | distractor | no_person; "sample" for a sidecar
    rep_accept: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)  # move -> side -> [min, max]
    judged_moves: tuple[str, ...] | None = None  # moves whose counts are judged; None: all (a montage: none)
    label: str = ""  # what the clip shows in its own words (a manifest's move name)
    factors: dict[str, str] = field(default_factory=dict)  # a generated clip's variety: factor -> bin (manifest)

    @property
    def name(self) -> str:
        return self.video.stem

    @property
    def moves(self) -> list[str]:
        """The labelled move ids, in order of first appearance."""
        return list(dict.fromkeys(s["move"] for s in self.segments if s["move"] is not None))


def _read_json(path: Path, missing: str) -> Any:
    """A labels file's JSON; LabelError `missing` when it is not there, one sentence naming it when unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LabelError(missing) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelError(f"Cannot read the labels {path}: {exc}.") from None


def sidecar_path(video: Path) -> Path:
    return video.with_suffix(".json")


def load_labels(video: Path) -> ClipLabels:
    """The labels of `video` (read from `<video stem>.json` beside it)."""
    path = sidecar_path(video)
    data = _read_json(path, f"{video} has no label sidecar ({path.name} is missing).")
    try:
        return ClipLabels(
            video=video, fps=float(data["fps"]), frame_count=int(data["frame_count"]),
            duration_ms=int(data["duration_ms"]), segments=list(data["segments"]),
            expected={move: {"reps": dict(want.get("reps", {})), "hold_s": dict(want.get("hold_s", {}))}
                      for move, want in data["expected"].items()},
            person_frames=int(data["person_frames"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LabelError(f"The labels {path} lack a valid {exc} field.") from None


POOLED = "pooled"
"""Side key of a count labelled without a side: it is judged against the move's left + right counts together."""


@dataclass(frozen=True)
class Relative:
    """How a real-world exercise maps onto the circuit: the move a coach should recognise for it (None: no move, no
    segment), what of it that move counts ("reps", "hold", "reps+hold" or None: nothing may be counted) and under
    which side key: "both" for the two-leg bridge and the fold, else per side, or POOLED when the labels do not say
    which."""

    move_id: str | None
    counts: str | None = None
    side_key: str = POOLED


RELATIVES: dict[str, Relative] = {
    # Direct counterparts of circuit moves, counted (circuit move ids map to themselves, see relative()).
    "glute_bridge": Relative("bridge_march", "reps", "both"),
    "hip_thrust": Relative("bridge_march", "reps", "both"),
    "standing_forward_fold": Relative("forward_fold_pedals", "hold", "both"),
    "forward_fold": Relative("forward_fold_pedals", "hold", "both"),
    "toe_touch": Relative("forward_fold_pedals", "hold", "both"),
    "glute_bridge_march": Relative("bridge_march", "reps"),
    "hip_90_90_switches": Relative("hip_90_90", "reps"),
    "worlds_greatest_stretch": Relative("lunge_rotation", "reps"),
    "supine_hamstring_stretch": Relative("hamstring_strap", "hold"),
    # Relatives no circuit move would count (no rotation, no scoop's split stance, one leg long, no overhead
    # reach): reported for what is recognised; any count of any move is a false count.
    "single_leg_glute_bridge": Relative(None),
    "forward_lunge": Relative(None),
    "walking_lunge": Relative(None),
    "reverse_lunge": Relative(None),
    "split_squat": Relative(None),
    "hip_hinge": Relative(None),
    "romanian_deadlift": Relative(None),
    "good_morning": Relative(None),
    "half_kneeling_hip_flexor_stretch": Relative(None),
}
"""Any other exercise (near misses, distractors, an empty room) maps to Relative(None): nothing may be counted."""


def relative(move: str) -> Relative:
    """The circuit counterpart of a manifest's move name; a circuit move id maps to itself."""
    from coach.moves import MOVES

    if move in MOVES:
        return Relative(move, MOVES[move].kind)
    return RELATIVES.get(move, Relative(None))


MANIFEST = "manifest.json"
SIDES = ("left", "right", "both")
"""Sides a manifest may name for counts and holds: per leg, or "both" (a two-leg bridge, the fold's hold)."""


def load_manifest(folder: Path) -> list[ClipLabels]:
    """Every clip of a labelled folder's manifest.json (schema in docs/CONTRACTS.md), as ClipLabels."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise LabelError(f"{folder} is not a folder.")
    records = _read_json(path, f"{folder} has no {MANIFEST}.")
    if not isinstance(records, list) or not records:
        raise LabelError(f"{path} must be a non-empty JSON list of clip records.")
    return [_manifest_clip(folder, record, index) for index, record in enumerate(records)]


def _manifest_clip(folder: Path, record: Any, index: int) -> ClipLabels:
    try:
        video = folder / str(record["file"])
        fps, frames = float(record["fps"]), int(record["frames"])
        move, role = str(record["move"]), str(record["role"])
        reps, accept, holds = record.get("reps"), record.get("reps_accept"), record.get("holds") or []
        factors = {str(k): str(v) for k, v in (record.get("factors") or {}).items()}
        per_side = {str(k): int(v) for k, v in (record.get("reps_per_side") or {}).items() if k in SIDES}
        hold_s: dict[str, float] = {}
        for h in holds:  # a side held twice (an arm-down break mid-stretch) is judged on its total
            hold_s[str(h.get("side"))] = hold_s.get(str(h.get("side")), 0.0) + float(h["seconds"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LabelError(f"Clip {index + 1} of the manifest in {folder} lacks a valid {exc} field.") from None
    if not video.is_file():
        raise LabelError(f"The manifest in {folder} names {video.name}, which is not there.")
    counterpart = relative(move) if role == "target" else Relative(None)
    expected: dict[str, dict[str, dict[str, float]]] = {}
    rep_accept: dict[str, dict[str, tuple[int, int]]] = {}
    judged: tuple[str, ...] | None = None
    key = counterpart.side_key
    counts = counterpart.counts or ""
    if counterpart.move_id is not None and "reps" in counts:
        if reps is None:
            judged = ()  # a montage of cuts: recognition only
        elif key == POOLED and per_side and sum(per_side.values()) == int(reps):
            expected[counterpart.move_id] = {"reps": dict(per_side), "hold_s": {}}
        else:
            expected[counterpart.move_id] = {"reps": {key: int(reps)}, "hold_s": {}}
            low, high = (accept or [reps, reps])[:2]
            rep_accept[counterpart.move_id] = {key: (int(low), int(high))}
    if counterpart.move_id is not None and "hold" in counts and (counts == "hold" or hold_s):
        want = expected.setdefault(counterpart.move_id, {"reps": {}, "hold_s": {}})
        sided_s = {side: seconds for side, seconds in hold_s.items() if side in SIDES}
        if key == POOLED and sided_s and len(sided_s) == len(hold_s):
            want["hold_s"] = {k: round(v, 2) for k, v in sided_s.items()}
        else:
            want["hold_s"] = {key: round(sum(hold_s.values()), 2)}
    duration_ms = round(1000 * frames / fps) if fps > 0 else 0
    segments = [{"move": counterpart.move_id, "side": None, "start_ms": 0, "end_ms": duration_ms}]
    return ClipLabels(video=video, fps=fps, frame_count=frames, duration_ms=duration_ms, segments=segments,
                      expected=expected, person_frames=0 if role == "no_person" else frames, role=role,
                      rep_accept=rep_accept, judged_moves=judged, label=move, factors=factors)


def labelled_clips(folder: Path) -> list[Path]:
    """Every video in `folder` that has a label sidecar, sorted by name."""
    return sorted(p for p in folder.glob("*.mp4") if sidecar_path(p).is_file())


@dataclass(frozen=True)
class RepCheck:
    move_id: str
    side: str
    labelled: int
    counted: int
    accept: tuple[int, int] | None = None  # counts in this range are right (a clip's ambiguous first/last rep)

    @property
    def error(self) -> int:
        low, high = self.accept or (self.labelled, self.labelled)
        return min(0, self.counted - low) + max(0, self.counted - high)


@dataclass(frozen=True)
class HoldCheck:
    move_id: str
    side: str
    labelled_s: float
    counted_s: float

    @property
    def error_s(self) -> float:
        return abs(self.counted_s - self.labelled_s)


@dataclass
class Comparison:
    """One clip's report against its labels."""

    clip: str
    reps: list[RepCheck] = field(default_factory=list)
    holds: list[HoldCheck] = field(default_factory=list)
    labelled_moves: list[str] = field(default_factory=list)
    recognised_moves: list[str] = field(default_factory=list)

    @property
    def reps_exact(self) -> bool:
        return all(check.error == 0 for check in self.reps)

    @property
    def max_hold_error_s(self) -> float:
        return max((check.error_s for check in self.holds), default=0.0)

    @property
    def recognition_ok(self) -> bool:
        return set(self.recognised_moves) == set(self.labelled_moves)

    def counted_anything(self) -> bool:
        return any(c.counted for c in self.reps) or any(c.counted_s > 0 for c in self.holds)


def compare(report: dict[str, Any], labels: ClipLabels) -> Comparison:
    """Judge a replay report (docs/CONTRACTS.md schema: "moves", "segments") against the clip's labels."""
    counted: dict[str, dict[str, Any]] = report.get("moves", {})
    result = Comparison(
        clip=labels.name,
        labelled_moves=labels.moves,
        recognised_moves=list(dict.fromkeys(s["move"] for s in report.get("segments", []) if s.get("move"))),
    )
    for move_id in dict.fromkeys([*labels.expected, *counted]):
        want = labels.expected.get(move_id, {"reps": {}, "hold_s": {}})
        got = counted.get(move_id, {})
        got_reps = _pooled(got.get("reps", {}) or {}, want["reps"])
        got_hold = _pooled(got.get("hold_s", {}) or {}, want["hold_s"])
        if labels.judged_moves is not None and move_id not in labels.judged_moves:
            continue
        accept = labels.rep_accept.get(move_id, {})
        for side in dict.fromkeys([*want["reps"], *(s for s, n in got_reps.items() if n)]):
            result.reps.append(RepCheck(move_id, side, int(want["reps"].get(side, 0)), int(got_reps.get(side, 0)),
                                        accept.get(side)))
        for side in dict.fromkeys([*want["hold_s"], *(s for s, held in got_hold.items() if held)]):
            result.holds.append(HoldCheck(move_id, side, float(want["hold_s"].get(side, 0.0)),
                                          float(got_hold.get(side, 0.0))))
    return result


def _pooled(counted: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """Counts as the labels have them: left + right together under POOLED when the labels give no side (a march
    clip's labels count the marches; the two-leg bridge it starts from is not theirs to judge)."""
    if POOLED not in wanted:
        return counted
    return {POOLED: sum(value for side, value in counted.items() if side in ("left", "right"))}
