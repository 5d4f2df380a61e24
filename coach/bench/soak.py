"""`coach bench soak`: the live session (the server's own threads and loop) fed clips in a loop for N minutes.

Memory that grows with time (a history kept per frame, a queue that is never drained) is the kind of bug only a long
run shows. The clips play back to back, over and over, with timestamps running on, through `LiveSession` exactly as
`coach serve --source FILE --speed 0` runs them with a tab watching (follow mode, every frame processed and encoded
as JPEG for the overlay, events encoded for the wire);
the main thread samples resident memory and frames done. Growth is measured from the sample at WARMUP_SHARE of the
run (model, allocator pools and caches warm by then) to the end, and a least-squares slope over those samples is
extrapolated to 30 minutes when the run is shorter.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from coach.bench.results import current_rss_mb
from coach.bench.tables import Target, markdown_table, num
from coach.events import ErrorEvent, PoseEvent, Settings, dump
from coach.live import LiveSession
from coach.sources import FileSource, Frame, FrameSource

WARMUP_SHARE = 0.2
TARGET_GROWTH_MB_PER_30_MIN = 20.0
SAMPLES_PER_RUN = 30


class LoopSource(FrameSource):
    """The clips one after another, again and again, until `until_s` (monotonic clock) or `max_frames`."""

    def __init__(self, videos: Sequence[Path], until_s: float, max_frames: int | None = None) -> None:
        self.videos, self.until_s, self.max_frames = list(videos), until_s, max_frames
        with FileSource(self.videos[0]) as first:  # bad input fails here, before any thread starts
            self.fps, self.size = first.fps, first.size
        self.frame_count = None
        self._closed = False

    def __iter__(self) -> Iterator[Frame]:
        offset_ms, index = 0, 0
        while not self._closed:
            for video in self.videos:
                with FileSource(video) as source:
                    end_ms = offset_ms
                    for frame in source:
                        if time.monotonic() >= self.until_s or (self.max_frames is not None
                                                                and index >= self.max_frames) or self._closed:
                            return
                        end_ms = offset_ms + frame.t_ms
                        yield Frame(frame.image_bgr, end_ms, index)
                        index += 1
                    offset_ms = end_ms + round(1000 / source.fps)

    def close(self) -> None:
        self._closed = True


def _slope_per_s(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of y over x; 0 for fewer than two points."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def run_soak(videos: Sequence[Path], minutes: float, variant: str = "full", max_frames: int | None = None,
             progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Samples of RSS and fps over the run, the growth after warm-up, and its 30-minute extrapolation."""
    from coach.pose import PoseEstimator

    duration_s = minutes * 60
    interval_s = max(duration_s / SAMPLES_PER_RUN, 0.5)
    frames = [0]
    errors: list[str] = []

    def emit(messages: list[BaseModel | bytes]) -> None:
        for message in messages:
            if isinstance(message, BaseModel):
                dump(message)
                frames[0] += isinstance(message, PoseEvent)
                if isinstance(message, ErrorEvent):
                    errors.append(message.message)

    started_s = time.monotonic()
    source = LoopSource(videos, started_s + duration_s, max_frames)
    session = LiveSession(Settings(mode="follow"), emit, source_spec=str(videos[0]), speed=0,
                          make_estimator=lambda: PoseEstimator(variant), make_source=lambda _spec: source,
                          video_wanted=lambda: True)  # as if a tab watched: every frame's overlay JPEG too
    samples: list[dict[str, float]] = [{"t_s": 0.0, "frames": 0, "fps": 0.0, "rss_mb": current_rss_mb()}]
    session.start()
    while not session.done.wait(interval_s):
        now_s, done = time.monotonic() - started_s, frames[0]
        fps = (done - samples[-1]["frames"]) / (now_s - samples[-1]["t_s"])
        samples.append({"t_s": round(now_s, 1), "frames": done, "fps": round(fps, 1), "rss_mb": current_rss_mb()})
        progress(f"soak: {now_s:6.0f} s  {done:6d} frames  {fps:5.1f} fps  RSS {samples[-1]['rss_mb']:.0f} MB")
    session.stop()  # samples end here: once the session is over its model is freed and RSS falls
    elapsed_s = time.monotonic() - started_s
    settled = [s for s in samples if s["t_s"] >= WARMUP_SHARE * elapsed_s] or samples[-1:]
    growth_mb = settled[-1]["rss_mb"] - settled[0]["rss_mb"]
    slope = _slope_per_s([(s["t_s"], s["rss_mb"]) for s in settled])
    return {"kind": "soak", "runs": [{
        "variant": variant, "clips": [v.name for v in videos], "minutes": round(elapsed_s / 60, 2),
        "frames": frames[0], "fps": round(frames[0] / elapsed_s, 1),
        "rss_start_mb": samples[0]["rss_mb"], "rss_settled_mb": settled[0]["rss_mb"],
        "rss_end_mb": settled[-1]["rss_mb"], "rss_peak_mb": max(s["rss_mb"] for s in samples),
        "rss_growth_mb": round(growth_mb, 1), "rss_growth_mb_per_30_min": round(slope * 1800, 1),
        "warmup_share": WARMUP_SHARE, "errors": errors, "samples": samples,
    }]}


def targets(run: dict[str, Any]) -> list[Target]:
    return [Target("RSS growth per 30 min (after warm-up)", run["rss_growth_mb_per_30_min"],
                   TARGET_GROWTH_MB_PER_30_MIN, at_least=False, unit=" MB")]


def markdown(results: dict[str, Any]) -> str:
    run = results["runs"][0]
    summary = markdown_table(
        ["model", "minutes", "frames", "fps", "RSS start / settled / end / peak MB", "growth MB (measured)",
         "growth MB / 30 min (slope)"],
        [[run["variant"], num(run["minutes"], 1), run["frames"], num(run["fps"]),
          f"{run['rss_start_mb']:.0f} / {run['rss_settled_mb']:.0f} / {run['rss_end_mb']:.0f} / "
          f"{run['rss_peak_mb']:.0f}", num(run["rss_growth_mb"]), num(run["rss_growth_mb_per_30_min"])]])
    over_time = markdown_table(["t s", "frames", "fps", "RSS MB"],
                               [[num(s["t_s"], 0), s["frames"], num(s["fps"]), num(s["rss_mb"], 0)]
                                for s in run["samples"]])
    return "\n\n".join([summary, over_time, "\n".join(t.line() for t in targets(run))])
