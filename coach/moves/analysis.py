"""Offline analysis of a whole pose stream: which moves where, and each move's reps, holds, ROM and cues.

With move="auto" the stream is first segmented by the recogniser; reported segment starts are pulled back by the
recogniser's reaction time. Each checker is fed from the end of the previous segment, so it sees the set-up before
its move was recognised (a 90/90's first set position, a bridge's lowered start). One checker per move, so counts
from several segments of the same move add up.
"""

from __future__ import annotations

from collections.abc import Iterable

from coach.moves import MOVE_IDS, make_checker
from coach.moves.base import FrameResult, MoveChecker
from coach.moves.recognition import MoveRecognizer
from coach.pose import Pose

RECOGNITION_LAG_MS = 1500


def _segments(timed: list[tuple[int, Pose | None]]) -> list[dict]:
    recognizer = MoveRecognizer()
    runs: list[dict] = []
    for t_ms, pose in timed:
        move = recognizer.update(t_ms, pose)
        if runs and runs[-1]["move"] == move:
            runs[-1]["end_ms"] = t_ms
        else:
            runs.append({"move": move, "start_ms": t_ms, "end_ms": t_ms})
    first_ms = timed[0][0]
    segments: list[dict] = []
    for run in runs:
        if run["move"] is None:
            continue
        floor_ms = segments[-1]["start_ms"] + 1 if segments else first_ms
        start_ms = max(run["start_ms"] - RECOGNITION_LAG_MS, floor_ms)
        if segments and segments[-1]["move"] == run["move"] and segments[-1]["end_ms"] >= run["start_ms"] - 1:
            segments[-1]["end_ms"] = run["end_ms"]
            continue
        if segments and segments[-1]["end_ms"] >= start_ms:
            segments[-1]["end_ms"] = start_ms - 1
        segments.append({"move": run["move"], "start_ms": start_ms, "end_ms": run["end_ms"]})
    return segments


def _report(checker: MoveChecker) -> dict:
    summary = checker.summary()
    return {
        "reps": summary.reps,
        "hold_s": {side: round(ms / 1000.0, 2) for side, ms in summary.hold_ms.items()},
        "rom": summary.rom,
        "rom_name": summary.rom_name,
        "cues": [{"t_ms": t_ms, "text": text} for t_ms, text in summary.cues],
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
        return {"moves": {move: _report(checker)}, "segments": [segment], "frames": frames}
    segments = _segments(timed)
    checkers: dict[str, MoveChecker] = {}
    index = 0
    for segment in segments:
        checker = checkers.setdefault(segment["move"], make_checker(segment["move"]))
        while index < len(timed) and timed[index][0] <= segment["end_ms"]:
            frames[index] = checker.update(*timed[index])
            index += 1
    moves = {move_id: _report(checkers[move_id]) for move_id in MOVE_IDS if move_id in checkers}
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
    moves = {move_id: _report(checkers[move_id]) for move_id in MOVE_IDS if move_id in checkers}
    return {"moves": moves, "segments": [{"move": s["move"], "start_ms": s["start_ms"], "end_ms": s["end_ms"]}
                                         for s in told]}
