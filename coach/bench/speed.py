"""`coach bench speed`: frames per second and per-stage latency of the live pipeline, per pose model variant.

Each frame goes through the live coach's own per-frame step (`LiveSession._process`: overlay JPEG, pose, smoothing,
circuit, pose event, emit) with the pose estimator, smoother and circuit wrapped in timers, and an emit that encodes
every message for the wire as the server does (`coach.events.dump`). Stages, in ms per frame:
- decode: the next frame from the file (PyAV);
- pose: MediaPipe PoseLandmarker (VIDEO mode);
- smoothing: One Euro filter on the landmarks;
- checkers: the circuit update (geometry, recognition, move checker, circuit events);
- encode: the events' wire JSON;
- overlay: the rest of the live step (the frame's JPEG for the overlay, brightness check, pose event).
End-to-end fps is frames / (decode + live step), run one after the other on one thread (the live server decodes on
its own thread, so it is a floor); pose-only fps is frames / pose time in the same run. Replay runs decode, pose,
smoothing and checkers, so its speed is the clip's duration over their time. The first WARMUP_FRAMES of every clip
(model load, graph start, tracker lock-on) are run but not measured.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from coach.bench import metrics
from coach.bench.results import peak_rss_mb
from coach.bench.tables import Target, markdown_table, num
from coach.circuit import Circuit
from coach.events import Settings, dump
from coach.live import LiveSession, SlotItem
from coach.models import ModelError, ensure_model
from coach.pose import PoseEstimator
from coach.smoothing import PoseSmoother
from coach.sources import FileSource

WARMUP_FRAMES = 10
STAGES = ("decode", "pose", "smoothing", "checkers", "encode", "overlay")
OWN_STAGES = ("smoothing", "checkers", "encode", "overlay")
REPLAY_STAGES = ("decode", "pose", "smoothing", "checkers")
TARGET_FPS = 30.0
TARGET_OWN_MS = 1.5
TARGET_POSE_SHARE = 0.9
TARGET_REPLAY_X = 1.5


class _Timed:
    """Stands in for `target`, adding the time spent in its `method` to `spent[stage]`."""

    def __init__(self, target: Any, method: str, stage: str, spent: dict[str, float]) -> None:
        self._target, self._method, self._stage, self._spent = target, method, stage, spent

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name != self._method:
            return attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            started_s = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self._spent[self._stage] += (time.perf_counter() - started_s) * 1000

        return timed


def _clip_stages(video: Path, variant: str, max_frames: int | None) -> tuple[dict[str, list[float]], float]:
    """Per-frame ms of every stage (warm-up dropped) and the clip's frame rate."""
    samples: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "step")}
    spent = dict.fromkeys(STAGES, 0.0)

    def emit(messages: list[BaseModel | bytes]) -> None:
        started_s = time.perf_counter()
        for message in messages:
            if isinstance(message, BaseModel):
                dump(message)
        spent["encode"] += (time.perf_counter() - started_s) * 1000

    circuit = Circuit(Settings(mode="follow"))
    session = LiveSession(Settings(mode="follow"), emit, source_spec=str(video),
                          make_circuit=lambda *_args, **_kwargs: _Timed(circuit, "update", "checkers", spent))
    with FileSource(video) as source, PoseEstimator(variant) as estimator:
        timed_estimator = _Timed(estimator, "detect", "pose", spent)
        smoother = _Timed(PoseSmoother(), "apply", "smoothing", spent)
        frames = iter(source)
        index = 0
        while max_frames is None or index < max_frames:
            for stage in STAGES:
                spent[stage] = 0.0
            started_s = time.perf_counter()
            frame = next(frames, None)
            decoded_s = time.perf_counter()
            if frame is None:
                break
            session._process(SlotItem(frame, None, frame.t_ms, frame.index, time.time() * 1000), timed_estimator,
                             smoother)
            step_ms = (time.perf_counter() - decoded_s) * 1000
            spent["decode"] = (decoded_s - started_s) * 1000
            spent["overlay"] = step_ms - sum(spent[s] for s in ("pose", "smoothing", "checkers", "encode"))
            if index >= WARMUP_FRAMES:
                for stage in STAGES:
                    samples[stage].append(spent[stage])
                samples["step"].append(spent["decode"] + step_ms)
            index += 1
        return samples, source.fps


def run_variant(videos: Sequence[Path], variant: str, max_frames: int | None) -> dict[str, Any]:
    """One results row: fps, stage statistics, pose share, replay speed and peak RSS for one model variant."""
    try:
        ensure_model(variant)
    except ModelError as exc:
        return {"variant": variant, "available": False, "reason": str(exc), "fps": None}
    stages: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "step")}
    clip_s = 0.0
    for video in videos:
        samples, clip_fps = _clip_stages(video, variant, max_frames)
        for stage, values in samples.items():
            stages[stage].extend(values)
        clip_s += len(samples["step"]) / clip_fps
    frames = len(stages["step"])
    if frames == 0:
        return {"variant": variant, "available": True, "reason": "no frames after warm-up", "fps": None}
    own = [sum(values) for values in zip(*(stages[s] for s in OWN_STAGES), strict=True)]
    total_s = sum(stages["step"]) / 1000
    pose_s = sum(stages["pose"]) / 1000
    replay_s = sum(sum(stages[s]) for s in REPLAY_STAGES) / 1000
    fps = frames / total_s
    return {
        "variant": variant, "available": True, "frames": frames, "fps": round(fps, 1),
        "pose_only_fps": round(frames / pose_s, 1), "e2e_over_pose_only": round(fps / (frames / pose_s), 3),
        "replay_x_realtime": round(clip_s / replay_s, 2),
        "own_ms": metrics.stage_stats(own),
        "stages": {stage: metrics.stage_stats(stages[stage]) for stage in STAGES},
        "peak_rss_mb": peak_rss_mb(),
    }


def run_speed(videos: Sequence[Path], variants: Sequence[str], max_frames: int | None = None,
              progress: Callable[[str], None] = print) -> dict[str, Any]:
    runs = []
    for variant in variants:
        progress(f"speed: {variant} model over {len(videos)} clip(s)")
        runs.append(run_variant(videos, variant, max_frames))
    full = next((r for r in runs if r["variant"] == "full" and r["fps"] is not None), None)
    return {"kind": "speed", "warmup_frames_per_clip": WARMUP_FRAMES, "max_frames": max_frames,
            "clips": [v.name for v in videos], "runs": runs,
            "targets": [t.as_json() for t in targets(full)]}


def targets(full: dict[str, Any] | None) -> list[Target]:
    """The published targets, judged on the full model (None: it was not run)."""
    def get(*keys: str) -> float | None:
        value: Any = full
        for key in keys:
            value = None if value is None else value[key]
        return value

    return [
        Target("full model end-to-end fps (640x480)", get("fps"), TARGET_FPS, at_least=True),
        Target("own stages, mean ms/frame", get("own_ms", "mean_ms"), TARGET_OWN_MS, at_least=False, unit=" ms"),
        Target("end-to-end / pose-only fps", get("e2e_over_pose_only"), TARGET_POSE_SHARE, at_least=True),
        Target("replay speed, x real time", get("replay_x_realtime"), TARGET_REPLAY_X, at_least=True, unit="x"),
    ]


def markdown(results: dict[str, Any]) -> str:
    """Throughput per variant, then per-stage median / p95 ms per variant, then the target lines."""
    head = ["model", "e2e fps", "pose-only fps", "e2e / pose-only", "replay x real time", "own ms mean (p95)",
            "peak RSS MB"]
    rows, stage_rows = [], []
    for r in results["runs"]:
        if r["fps"] is None:
            rows.append([r["variant"], f"unavailable: {r.get('reason', '')}", "", "", "", "", ""])
            continue
        rows.append([r["variant"], num(r["fps"]), num(r["pose_only_fps"]), f"{100 * r['e2e_over_pose_only']:.0f}%",
                     num(r["replay_x_realtime"], 2, "x"),
                     f"{r['own_ms']['mean_ms']:.2f} ({r['own_ms']['p95_ms']:.2f})", num(r["peak_rss_mb"], 0)])
        stage_rows.append([r["variant"], *(f"{r['stages'][s]['median_ms']:.2f} / {r['stages'][s]['p95_ms']:.2f}"
                                           for s in STAGES)])
    return "\n\n".join([
        markdown_table(head, rows),
        markdown_table(["model (median / p95 ms)", *STAGES], stage_rows),
        f"Warm-up: the first {results['warmup_frames_per_clip']} frames of each clip are run but not measured.",
        "\n".join(t.line() for t in targets(next((r for r in results["runs"]
                                                  if r["variant"] == "full" and r["fps"] is not None), None))),
    ])
