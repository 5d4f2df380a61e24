"""Offline analysis of a video file: source -> pose estimator -> person gate -> smoother -> move analysis -> report.

The move analysis is one call, `analyse_poses(timeline, move)`, so the move checkers plug in at a single place.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from coach.errors import CoachError
from coach.moves.base import FrameResult
from coach.pose import Pose, PoseEstimator
from coach.presence import people_in
from coach.smoothing import PoseSmoother
from coach.sources import FileSource

Timeline = Sequence[tuple[int, Pose | None]]  # (t_ms, smoothed pose or None) for every frame, in order
Progress = Callable[[int, int | None], None]  # (frames done, frames in the file or None when it does not say)


@dataclass
class Analysis:
    """What the move analysis found; `moves` and `segments` use the replay report's JSON shapes (docs/CONTRACTS.md)."""

    moves: dict[str, dict[str, Any]] = field(default_factory=dict)
    segments: list[dict[str, Any]] = field(default_factory=list)
    frames: list[FrameResult | None] = field(default_factory=list)  # per frame, not in the report (annotated video)


def analyse_poses(timeline: Timeline, move: str) -> Analysis:
    """Reps, holds, cues and move segments for a replayed clip (the moves package's analysis does the work).

    move: "auto" (recognise moves along the way) or one move id (check the whole clip as that move).
    """
    from coach.moves.analysis import analyse_poses as analyse_moves

    found = analyse_moves(timeline, move)
    return Analysis(moves=found["moves"], segments=found["segments"], frames=found["frames"])


@dataclass
class ReplayResult:
    video: Path
    frames: int
    duration_ms: int
    clip_fps: float
    processing_fps: float
    frames_with_person: int
    analysis: Analysis
    ended_early: bool  # decoding stopped at a damaged frame before the end of the file
    timeline: list[tuple[int, Pose | None]] = field(default_factory=list, repr=False)  # the smoothed poses

    def report(self) -> dict[str, Any]:
        """The JSON report (schema in docs/CONTRACTS.md)."""
        return {
            "video": str(self.video),
            "frames": self.frames,
            "duration_ms": self.duration_ms,
            "clip_fps": round(self.clip_fps, 3),
            "processing_fps": round(self.processing_fps, 1),
            "frames_with_person": self.frames_with_person,
            "moves": self.analysis.moves,
            "segments": self.analysis.segments,
        }


def replay_video(video: Path, move: str = "auto", variant: str = "full", progress: bool = False,
                 on_frame: Progress | None = None) -> ReplayResult:
    """Run the whole pipeline over `video`. Bad input raises SourceError before the model is loaded.

    `on_frame(done, total)` is called after each frame's pose (a page's progress bar); `progress` draws tqdm's.
    """
    with FileSource(video) as source:
        raw: list[tuple[int, Pose | None]] = []
        with PoseEstimator(variant) as estimator:
            started_s = time.perf_counter()  # wall clock only to measure speed, never for logic
            for frame in tqdm(source, total=source.frame_count, unit="frame", disable=not progress, leave=False):
                raw.append((frame.t_ms, estimator.detect(frame)))
                if on_frame is not None:
                    on_frame(len(raw), source.frame_count)
            smoother = PoseSmoother()
            timeline = [(t_ms, smoother.apply(pose)) for t_ms, pose in people_in(raw)]
            elapsed_s = time.perf_counter() - started_s
        frame_ms = 1000.0 / source.fps
        return ReplayResult(
            video=video,
            frames=len(timeline),
            duration_ms=round(timeline[-1][0] + frame_ms),
            clip_fps=source.fps,
            processing_fps=len(timeline) / elapsed_s if elapsed_s > 0 else 0.0,
            frames_with_person=sum(pose is not None for _, pose in timeline),
            analysis=analyse_poses(timeline, move),
            ended_early=source.ended_early,
            timeline=timeline,
        )


def write_report(result: ReplayResult, out_dir: Path) -> Path:
    """Write `<out_dir>/<video stem>.json` atomically (a temporary file renamed over it) and return its path.

    A full disk or a kill mid-write leaves the previous report (or none), never half a JSON file.
    """
    path = out_dir / f"{result.video.stem}.json"
    text = json.dumps(result.report(), indent=2) + "\n"
    temp: Path | None = None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=out_dir, prefix=f".{path.name}.", suffix=".tmp", delete=False,
                                         encoding="utf-8") as handle:
            temp = Path(handle.name)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise CoachError(f"Cannot write the report to {path}: {exc.strerror or exc}.") from None
    return path


def summary_lines(result: ReplayResult, variant: str) -> list[str]:
    """The human-readable summary printed after a replay."""
    person_pct = 100.0 * result.frames_with_person / result.frames
    speed = result.processing_fps / result.clip_fps if result.clip_fps else 0.0
    lines = [
        f"Video: {result.video}",
        f"Frames: {result.frames} ({result.duration_ms / 1000:.1f} s at {result.clip_fps:.1f} fps)",
        f"Person found in {result.frames_with_person} of {result.frames} frames ({person_pct:.0f}%)",
        f"Processing: {result.processing_fps:.1f} fps with the {variant} model ({speed:.1f}x the clip's own rate)",
    ]
    if result.ended_early:
        lines.append("Warning: the video ended at a damaged frame; it may be truncated.")
    if not result.analysis.moves:
        lines.append("Moves: none analysed")
    for move_id, found in result.analysis.moves.items():
        lines.append(f"{move_id}: reps {found.get('reps', {})}, hold_s {found.get('hold_s', {})}")
    return lines
