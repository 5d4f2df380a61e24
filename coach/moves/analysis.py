"""Offline analysis of a whole pose stream: which moves where, and each move's reps, holds, ROM and cues.

With move="auto" the follow-mode logic the live coach runs (`coach.moves.follow.Follower`) decides which move is on
and feeds each set's checker, giving back what a wrong checker counted when the recogniser changes its mind; a
segment is one such set. Sets of the same move add up in the report.
"""

from __future__ import annotations

from collections.abc import Iterable

from coach.moves import MOVE_IDS, make_checker
from coach.moves.base import FrameResult, MoveChecker, MoveSummary, MoveTotals
from coach.moves.follow import ClosedSet, Follower
from coach.moves.recognition import MoveRecognizer
from coach.pose import Pose


def _report(summaries: list[MoveSummary]) -> dict:
    """One move's part of the report: its sets added up (reps and hold time summed, ROM values and cues in order)."""
    totals = MoveTotals()
    for summary in summaries:
        totals.add(summary)
    return {
        "reps": totals.reps,
        "hold_s": {side: round(ms / 1000.0, 2) for side, ms in totals.hold_ms.items()},
        "rom": totals.rom,
        "rom_name": totals.rom_name,
        "cues": [{"t_ms": t_ms, "text": text} for t_ms, text in totals.cues],
    }


def analyse_poses(timed_poses: Iterable[tuple[int, Pose | None]], move: str = "auto") -> dict:
    """{"moves": {move_id: {...}}, "segments": [{"move", "start_ms", "end_ms"}], "frames": [...]}.

    "moves" and "segments" are the replay report's; "frames" holds each frame's checker result (None where no
    checker ran), for whatever shows the analysis frame by frame (the annotated video).
    """
    timed = list(timed_poses)
    frames: list[FrameResult | None] = [None] * len(timed)
    if not timed:
        return {"moves": {}, "segments": [], "frames": frames}
    if move != "auto":
        checker = make_checker(move)
        for index, (t_ms, pose) in enumerate(timed):
            frames[index] = checker.update(t_ms, pose)
        segment = {"move": move, "start_ms": timed[0][0], "end_ms": timed[-1][0]}
        return {"moves": {move: _report([checker.summary()])}, "segments": [segment], "frames": frames}
    index_of = {t_ms: index for index, (t_ms, _) in enumerate(timed)}
    follower = Follower(make_checker, MoveRecognizer())
    sets: list[ClosedSet] = []
    for t_ms, pose in timed:
        step = follower.update(t_ms, pose)
        if step.closed is not None:
            sets.append(step.closed)
        for fed_ms, result in step.fed:
            frames[index_of[fed_ms]] = result  # a frame replayed after a switch now shows the new move's result
    last = follower.finish()
    sets += [last] if last is not None else []
    spans = [(c.start_ms, c.end_ms) for c in sets]
    for index, (t_ms, _) in enumerate(timed):  # a frame a rewound checker gave back and no other checker took
        if not any(start_ms <= t_ms <= end_ms for start_ms, end_ms in spans):
            frames[index] = None
    by_move: dict[str, list[MoveSummary]] = {}
    for closed in sets:
        by_move.setdefault(closed.move_id, []).append(closed.summary)
    moves = {move_id: _report(by_move[move_id]) for move_id in MOVE_IDS if move_id in by_move}
    segments = [{"move": c.move_id, "start_ms": c.start_ms, "end_ms": c.end_ms} for c in sets]
    return {"moves": moves, "segments": segments, "frames": frames}


def analyse_told(timed_poses: Iterable[tuple[int, Pose | None]], segments: Iterable[dict]) -> dict:
    """The report when the moves are told instead of recognised: each segment's frames go to its move's checker
    (one checker per move, so two segments of one move add up). What follow mode should equal."""
    timed = list(timed_poses)
    told = [s for s in segments if s.get("move")]
    checkers: dict[str, MoveChecker] = {}
    for segment in told:
        checker = checkers.setdefault(segment["move"], make_checker(segment["move"]))
        for t_ms, pose in timed:
            if segment["start_ms"] <= t_ms <= segment["end_ms"]:
                checker.update(t_ms, pose)
    moves = {move_id: _report([checkers[move_id].summary()]) for move_id in MOVE_IDS if move_id in checkers}
    return {"moves": moves, "segments": [{"move": s["move"], "start_ms": s["start_ms"], "end_ms": s["end_ms"]}
                                         for s in told]}
