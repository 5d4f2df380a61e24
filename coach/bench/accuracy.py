"""`coach bench accuracy`: counted vs labelled on every labelled clip, for the coach and for a naive counter.

Each clip is decoded and run through the pose model once; its raw poses are kept for the run, and every counter
reads the same ones, so differences come from the counters alone:
- ours: One Euro smoothing, then the replay analysis (`coach.replay.analyse_poses`: recognition + move checkers),
  judged on the report `coach replay` writes;
- ours_raw: the same without smoothing, to show what smoothing buys;
- baseline: one angle threshold per move on raw poses, told the labelled moves (coach.bench.baseline).
All of them are judged by `coach.labels.compare`, the function the replay tests use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from coach.bench import metrics
from coach.bench.baseline import baseline_report
from coach.bench.perturb import Perturbation
from coach.bench.tables import Target, markdown_table, num, pct
from coach.labels import ClipLabels, Comparison, compare
from coach.moves import MOVE_IDS
from coach.moves.analysis import analyse_told
from coach.pose import Pose, PoseEstimator
from coach.presence import people_in
from coach.replay import ReplayResult, analyse_poses
from coach.smoothing import PoseSmoother
from coach.sources import FileSource

Timeline = list[tuple[int, Pose | None]]
HOLD_TARGET_S = 0.5


@dataclass
class ClipPoses:
    """One clip's raw poses and what it cost to get them (decode + pose), shared by every counter."""

    labels: ClipLabels
    raw: Timeline
    clip_fps: float
    infer_s: float
    ended_early: bool


def infer_clip(labels: ClipLabels, variant: str, max_frames: int | None,
               perturbation: Perturbation | None = None) -> ClipPoses:
    """Decode and detect every frame (up to max_frames) of one labelled clip, unsmoothed; with a perturbation, the
    frames it keeps, changed as it says (the labels are expected to match it already: see run_accuracy)."""
    raw: Timeline = []
    with FileSource(labels.video) as source, PoseEstimator(variant) as estimator:
        started_s = time.perf_counter()
        for frame in source:
            if max_frames is not None and frame.index >= max_frames:
                break
            if perturbation is not None:
                if not perturbation.keeps(frame.index, source.fps):
                    continue
                frame = replace(frame, t_ms=perturbation.t_ms(frame.t_ms),
                                image_bgr=perturbation.picture(frame.image_bgr, frame.index))
            raw.append((frame.t_ms, estimator.detect(frame)))
        infer_s = time.perf_counter() - started_s
        return ClipPoses(labels, raw, source.fps, infer_s, source.ended_early)


def _our_timeline(poses: ClipPoses, smooth: bool) -> Timeline:
    """The poses as the replay analysis reads them: person gate, then (optionally) One Euro smoothing."""
    smoother, people = PoseSmoother(), people_in(poses.raw)
    return [(t_ms, smoother.apply(pose)) for t_ms, pose in people] if smooth else people


def _our_report(poses: ClipPoses, smooth: bool) -> dict[str, Any]:
    """The replay report for these poses, built by the replay module's own analysis and report code."""
    timeline = _our_timeline(poses, smooth)
    result = ReplayResult(
        video=poses.labels.video, frames=len(timeline), duration_ms=round(timeline[-1][0] + 1000 / poses.clip_fps),
        clip_fps=poses.clip_fps, processing_fps=0.0, frames_with_person=sum(p is not None for _, p in timeline),
        analysis=analyse_poses(timeline, "auto"), ended_early=poses.ended_early)
    return result.report()


COUNTERS: dict[str, tuple[str, Callable[[ClipPoses], dict[str, Any]]]] = {
    "ours": ("follow mode: smoothing + recognition + move checkers (the replay report)",
             lambda p: _our_report(p, smooth=True)),
    "ours_told": ("the same checkers told the labelled moves and spans (what follow mode should equal)",
                  lambda p: analyse_told(_our_timeline(p, smooth=True), p.labels.segments)),
    "ours_raw": ("follow mode without One Euro smoothing", lambda p: _our_report(p, smooth=False)),
    "baseline": ("one angle threshold per move, raw poses, no dwell/gate, told the move",
                 lambda p: baseline_report(p.raw, p.labels.segments)),
}


RECOGNISING = ("ours", "ours_raw")
"""The counters that find the moves themselves; the others are told them, so recognition says nothing of them."""


def _error_figures(errors: Sequence[float], hold_errors: Sequence[float]) -> dict[str, Any]:
    """MAE and off-by-one rate of the rep errors, mean and worst hold error; None where nothing was counted."""
    return {
        "mae": metrics.mae(errors) if errors else None,
        "off_by_one_rate": metrics.off_by_one_rate(errors) if errors else None,
        "hold_error_s": {"mean": metrics.mean(hold_errors), "max": max(hold_errors)} if hold_errors else None,
    }


FALSE_HOLD_S = 1.0
"""On a clip where nothing should be counted, this much hold time (or any rep) is a false count."""


def false_count(cmp: Comparison, with_recognition: bool) -> bool:
    """Something counted (or, for a recognising counter, a move segment) where the labels expect nothing."""
    reps = any(c.counted for c in cmp.reps if not c.labelled)
    holds = any(c.counted_s >= FALSE_HOLD_S for c in cmp.holds if not c.labelled_s)
    segment = with_recognition and any(move not in cmp.labelled_moves for move in cmp.recognised_moves)
    return reps or holds or segment


def _summary(comparisons: Sequence[Comparison], with_recognition: bool,
             quiet: Sequence[bool]) -> dict[str, Any]:
    """Overall figures: exact_rate is per clip with counts to judge (all its counts right, within any accepted
    range), MAE/off-by-one per counted side; false counts over the clips where nothing should be counted."""
    errors = [c.error for cmp in comparisons for c in cmp.reps]
    hold_errors = [c.error_s for cmp in comparisons for c in cmp.holds]
    judged = [cmp for cmp, nothing in zip(comparisons, quiet, strict=True) if not nothing and cmp.reps + cmp.holds]
    silent = [cmp for cmp, nothing in zip(comparisons, quiet, strict=True) if nothing]
    return {
        "clips": len(comparisons),
        "judged_clips": len(judged),
        **_rep_rates(judged),
        "quiet_clips": len(silent),
        "false_count_clips": sum(false_count(cmp, with_recognition) for cmp in silent),
        **_error_figures(errors, hold_errors),
        "recognition_rate": metrics.mean([1.0 if cmp.recognition_ok else 0.0 for cmp in comparisons])
        if with_recognition else None,
    }


def _per_move(comparisons: Sequence[Comparison], with_recognition: bool) -> dict[str, dict[str, Any]]:
    """The same figures per move: over the clips labelled with it or where it was counted."""
    rows: dict[str, dict[str, Any]] = {}
    for move_id in MOVE_IDS:
        involved = [cmp for cmp in comparisons
                    if move_id in cmp.labelled_moves or any(c.move_id == move_id for c in [*cmp.reps, *cmp.holds])]
        if not involved:
            continue
        errors = [c.error for cmp in involved for c in cmp.reps if c.move_id == move_id]
        hold_errors = [c.error_s for cmp in involved for c in cmp.holds if c.move_id == move_id]
        labelled = [cmp for cmp in involved if move_id in cmp.labelled_moves]
        rows[move_id] = {
            "clips": len(involved),
            "exact_rate": metrics.mean([1.0 if all(c.error == 0 for c in cmp.reps if c.move_id == move_id) else 0.0
                                        for cmp in involved]) if errors else None,
            **_error_figures(errors, hold_errors),
            "recognition_rate": metrics.mean([1.0 if move_id in cmp.recognised_moves else 0.0 for cmp in labelled])
            if with_recognition and labelled else None,
        }
    return rows


def _per_factor(comparisons: Sequence[Comparison], clips: Sequence[ClipPoses],
                with_recognition: bool) -> dict[str, dict[str, dict[str, Any]]]:
    """Figures per variety factor and bin (a generated set's manifest names them): which factor costs most."""
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for factor in sorted({f for clip in clips for f in clip.labels.factors}):
        bins: dict[str, list[Comparison]] = {}
        for cmp, clip in zip(comparisons, clips, strict=True):
            if factor in clip.labels.factors:
                bins.setdefault(clip.labels.factors[factor], []).append(cmp)
        rows[factor] = {value: _bin_figures(group, with_recognition) for value, group in sorted(bins.items())}
    return rows


def _rep_rates(judged: Sequence[Comparison]) -> dict[str, float | None]:
    """Share of judged clips with every count exact, and with every count within one; None with none judged."""
    if not judged:
        return {"exact_rate": None, "within_one_rate": None}
    return {"exact_rate": metrics.mean([1.0 if cmp.reps_exact else 0.0 for cmp in judged]),
            "within_one_rate": metrics.mean([1.0 if all(abs(c.error) <= 1 for c in cmp.reps) else 0.0
                                             for cmp in judged])}


def _bin_figures(group: Sequence[Comparison], with_recognition: bool) -> dict[str, Any]:
    judged = [cmp for cmp in group if cmp.reps]
    holds = [c.error_s for cmp in group for c in cmp.holds]
    return {
        "clips": len(group),
        "rep_clips": len(judged),
        **_rep_rates(judged),
        "hold_error_s_max": max(holds) if holds else None,
        "recognition_rate": metrics.mean([1.0 if cmp.recognition_ok else 0.0 for cmp in group])
        if with_recognition else None,
    }


def _clip_rows(comparisons: Sequence[Comparison], clips: Sequence[ClipPoses]) -> list[dict[str, Any]]:
    return [{
        "clip": cmp.clip, "role": clip.labels.role, "label": clip.labels.label, "exact": cmp.reps_exact,
        **({"factors": clip.labels.factors} if clip.labels.factors else {}),
        "max_hold_error_s": round(cmp.max_hold_error_s, 2),
        "recognition_ok": cmp.recognition_ok, "labelled_moves": cmp.labelled_moves,
        "recognised_moves": cmp.recognised_moves,
        "reps": [{"move": c.move_id, "side": c.side, "labelled": c.labelled, "counted": c.counted} for c in cmp.reps],
        "holds": [{"move": c.move_id, "side": c.side, "labelled_s": c.labelled_s, "counted_s": c.counted_s}
                  for c in cmp.holds],
    } for cmp, clip in zip(comparisons, clips, strict=True)]


def nothing_expected(labels: ClipLabels) -> bool:
    """A clip where no move may be counted or recognised: distractors, near misses, relatives, empty rooms."""
    return not labels.expected and labels.judged_moves is None and not labels.moves


def run_accuracy(labelled: Sequence[ClipLabels], variant: str = "full", max_frames: int | None = None,
                 progress: Callable[[str], None] = print, perturbation: Perturbation | None = None) -> dict[str, Any]:
    """Results (JSON-ready) of every counter over `videos`; `fps` per run = frames / (decode + pose + counter).

    max_frames cuts each clip short (smoke tests): its counts are then compared with the whole clip's labels.
    perturbation: every clip is replayed changed so (coach.bench.perturb), judged on labels that follow the change.
    """
    clips: list[ClipPoses] = []
    for labels in labelled:
        progress(f"pose: {labels.video.name}")
        if perturbation is not None:
            labels = perturbation.relabel(labels)
        clips.append(infer_clip(labels, variant, max_frames, perturbation))
    quiet = [nothing_expected(clip.labels) for clip in clips]
    frames = sum(len(c.raw) for c in clips)
    infer_s = sum(c.infer_s for c in clips)
    runs = []
    reports_of: dict[str, list[dict[str, Any]]] = {}
    for counter, (description, count) in COUNTERS.items():
        started_s = time.perf_counter()
        reports = reports_of[counter] = [count(clip) for clip in clips]
        counter_s = time.perf_counter() - started_s
        comparisons = [compare(report, clip.labels) for report, clip in zip(reports, clips, strict=True)]
        with_recognition = counter in RECOGNISING
        runs.append({
            "counter": counter, "description": description, "variant": variant, "frames": frames,
            "fps": round(frames / (infer_s + counter_s), 1),
            "counter_ms_per_frame": round(1000 * counter_s / frames, 3),
            **_summary(comparisons, with_recognition, quiet),
            "per_move": _per_move(comparisons, with_recognition),
            "per_factor": _per_factor(comparisons, clips, with_recognition),
            "per_clip": _clip_rows(comparisons, clips),
        })
    agreement = follow_vs_told(reports_of["ours"], reports_of["ours_told"], clips)
    return {"kind": "accuracy", "variant": variant, "max_frames": max_frames,
            "perturbation": None if perturbation is None else {"name": perturbation.name,
                                                               "description": perturbation.description},
            "clips": [c.labels.video.name for c in clips], "runs": runs, "follow_vs_told": agreement,
            "targets": [t.as_json() for t in targets(runs[0], agreement)]}


FOLLOW_HOLD_S = 1.0
"""Follow mode's hold seconds must be within this of the told checkers' (issue 19)."""
MID_SET_SEGMENT_MS = 3000
"""A follow-mode segment shorter than this between two others is a flicker inside a set."""


def _counted(report: dict[str, Any]) -> tuple[dict[str, dict[str, int]], dict[tuple[str, str], float]]:
    reps = {move_id: {side: n for side, n in found["reps"].items() if n} for move_id, found in report["moves"].items()}
    holds = {(move_id, side): held_s for move_id, found in report["moves"].items()
             for side, held_s in found["hold_s"].items()}
    return {move_id: sides for move_id, sides in reps.items() if sides}, holds


def follow_vs_told(follow: Sequence[dict[str, Any]], told: Sequence[dict[str, Any]],
                   clips: Sequence[ClipPoses]) -> dict[str, Any]:
    """Does following (recognition + switches) cost counts? Per clip: the same reps per move and side as the
    checkers told the labelled moves and spans, hold seconds within FOLLOW_HOLD_S, and no short mid-set segment."""
    rows = []
    for follow_report, told_report, clip in zip(follow, told, clips, strict=True):
        (follow_reps, follow_holds), (told_reps, told_holds) = _counted(follow_report), _counted(told_report)
        hold_gap_s = max((abs(follow_holds.get(key, 0.0) - told_holds.get(key, 0.0))
                          for key in {*follow_holds, *told_holds}), default=0.0)
        inner = follow_report["segments"][1:-1]
        rows.append({"clip": clip.labels.video.name, "reps_equal": follow_reps == told_reps,
                     "hold_gap_s": round(hold_gap_s, 2),
                     "short_mid_set_segments": sum(s["end_ms"] - s["start_ms"] < MID_SET_SEGMENT_MS for s in inner)})
    return {
        "clips": len(rows),
        "reps_equal_rate": metrics.mean([1.0 if r["reps_equal"] else 0.0 for r in rows]) if rows else None,
        "holds_within_rate": metrics.mean([1.0 if r["hold_gap_s"] < FOLLOW_HOLD_S else 0.0 for r in rows])
        if rows else None,
        "short_mid_set_segments": sum(r["short_mid_set_segments"] for r in rows),
        "differing": [r for r in rows if not r["reps_equal"] or r["hold_gap_s"] >= FOLLOW_HOLD_S],
    }


def targets(ours: dict[str, Any], agreement: dict[str, Any]) -> list[Target]:
    hold = ours["hold_error_s"]
    equal = agreement["reps_equal_rate"]
    return [
        Target("reps exact (clips)", 100.0 * (ours["exact_rate"] or 0.0), 100.0, at_least=True, unit="%"),
        Target("hold error, worst side", hold["max"] if hold else 0.0, HOLD_TARGET_S, at_least=False, unit=" s"),
        Target("recognition (clips)", 100.0 * ours["recognition_rate"], 100.0, at_least=True, unit="%"),
        Target("false counts (clips expecting nothing)", float(ours["false_count_clips"]), 0.0, at_least=False,
               unit=""),
        Target("follow mode reps = told reps (clips)", None if equal is None else 100.0 * equal, 95.0,
               at_least=True, unit="%"),
    ]


def _hold(value: dict[str, float] | None) -> str:
    return "—" if value is None else f"{value['mean']:.2f} / {value['max']:.2f}"


def markdown(results: dict[str, Any]) -> str:
    """Overall table (one row per counter), per-move table, per-clip counted vs labelled, then the target lines."""
    head = ["counter", "exact reps (clips)", "within one", "MAE reps", "off by one", "hold err mean / max s",
            "recognition", "false counts", "fps"]
    overall = [[r["counter"], f"{pct(r['exact_rate'])} of {r['judged_clips']}", pct(r["within_one_rate"]),
                num(r["mae"], 2), pct(r["off_by_one_rate"]),
                _hold(r["hold_error_s"]), pct(r["recognition_rate"]) if r["recognition_rate"] is not None else "n/a",
                f"{r['false_count_clips']} of {r['quiet_clips']}", num(r["fps"])] for r in results["runs"]]
    per_move = []
    for move_id in MOVE_IDS:
        for r in results["runs"]:
            row = r["per_move"].get(move_id)
            if row is not None:
                per_move.append([move_id, r["counter"], row["clips"], pct(row["exact_rate"]), num(row["mae"], 2),
                                 pct(row["off_by_one_rate"]), _hold(row["hold_error_s"]),
                                 pct(row["recognition_rate"]) if row["recognition_rate"] is not None else "n/a"])
    clip_rows = []
    by_counter = {r["counter"]: r["per_clip"] for r in results["runs"]}
    for index, clip in enumerate(by_counter["ours"]):
        counted = {name: _counts(rows[index]) for name, rows in by_counter.items()}
        clip_rows.append([clip["clip"], clip["role"], _counts(clip, labelled=True), counted["ours"],
                          counted["ours_told"], counted["baseline"], ", ".join(clip["recognised_moves"]) or "none"])
    factor_rows = [[factor, value, row["clips"], pct(row["exact_rate"]), pct(row["within_one_rate"]),
                    num(row["hold_error_s_max"], 2), pct(row["recognition_rate"])]
                   for r in results["runs"] if r["counter"] == "ours"
                   for factor, bins in r["per_factor"].items() for value, row in bins.items()]
    perturbation = results.get("perturbation")
    return "\n\n".join([
        *([f"Every clip replayed with one camera change, {perturbation['name']}: {perturbation['description']}."]
          if perturbation else []),
        markdown_table(head, overall),
        markdown_table(["move", "counter", "clips", "exact", "MAE", "off by one", "hold err mean / max s",
                        "recognition"], per_move),
        markdown_table(["clip", "role", "labelled", "ours (follow)", "ours (told)", "baseline", "recognised (ours)"],
                       clip_rows),
        *([markdown_table(["factor (ours)", "bin", "clips", "reps exact", "within one", "hold err max s",
                           "recognition"], factor_rows)] if factor_rows else []),
        _agreement_table(results["follow_vs_told"]),
        "\n".join(t.line() for t in targets(results["runs"][0], results["follow_vs_told"])),
    ])


def _agreement_table(agreement: dict[str, Any]) -> str:
    """Follow mode against the told checkers: the shares, then each clip where they differ."""
    rows = [["all", agreement["clips"], pct(agreement["reps_equal_rate"]), pct(agreement["holds_within_rate"]),
             agreement["short_mid_set_segments"]]]
    rows += [[row["clip"], 1, "yes" if row["reps_equal"] else "no", f"{row['hold_gap_s']:.2f} s",
              row["short_mid_set_segments"]] for row in agreement["differing"]]
    return markdown_table(["follow vs told", "clips", "reps equal", f"holds within {FOLLOW_HOLD_S:g} s",
                           f"mid-set segments < {MID_SET_SEGMENT_MS // 1000} s"], rows)


def _counts(clip: dict[str, Any], labelled: bool = False) -> str:
    """Compact "bridge_march L3 R3; hamstring_strap hold L7.5s" text of one clip's counts, move by move."""
    parts: dict[str, list[str]] = {}
    for c in clip["reps"]:
        parts.setdefault(c["move"], []).append(f"{c['side'][0].upper()}{c['labelled' if labelled else 'counted']}")
    for c in clip["holds"]:
        held_s = c["labelled_s" if labelled else "counted_s"]
        parts.setdefault(c["move"], []).append(f"hold {c['side'][0].upper()}{held_s:.1f}s")
    return "; ".join(f"{move} {' '.join(items)}" for move, items in parts.items()) or "nothing"
