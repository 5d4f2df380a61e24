"""`coach bench speed`: frames per second and per-stage latency of the live pipeline, per pose model variant.

Each clip runs through `LiveSession` as `coach serve --source FILE --speed 0` runs it with a tab watching: its feeder
thread decodes each frame and encodes its overlay JPEG (`LiveSession._slot_item`), its pipeline thread runs the
per-frame step (`LiveSession._process`: pose, smoothing, circuit, pose event, emit). Both methods are the real ones,
timed from a subclass; the pose estimator, smoother and circuit are wrapped in timers, and the emit encodes every
message for the wire as the server does (`coach.events.dump`). Stages, in ms per frame:
- feeder thread: decode (the next frame from the file, PyAV); jpeg (the frame's JPEG for the overlay);
- pipeline thread: pose (MediaPipe PoseLandmarker, VIDEO mode); smoothing (One Euro filter on the landmarks);
  checkers (the circuit update: geometry, recognition, move checker, circuit events); encode (the events' wire
  JSON); overlay (the rest of the step: brightness check, pose event).
End-to-end fps is frames / wall-clock time with both threads running, as live (so decode and jpeg compete with the
model for the cores); pose-only fps is frames / pose time in the same run. Replay runs decode, pose, smoothing and
checkers one after the other on one thread, so its speed is the clip's duration over their time, with decode timed in
a decode-only pass over the same frames before the live run. Every clip is a new session on one pose estimator per
variant, as every start in `coach serve` is (`SharedEstimator`). The first WARMUP_FRAMES of every clip (model load,
graph start, the black frame between sessions, tracker lock-on) are run but not measured.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from coach.bench import metrics
from coach.bench.results import peak_rss_mb
from coach.bench.tables import Target, markdown_table, num
from coach.circuit import Circuit
from coach.errors import CoachError
from coach.events import ErrorEvent, Settings, dump
from coach.live import LiveSession, SlotItem
from coach.models import ModelError, ensure_model
from coach.pose import PoseEstimator, SharedEstimator
from coach.presence import PersonGate
from coach.smoothing import PoseSmoother
from coach.sources import FileSource, Frame, FrameSource

WARMUP_FRAMES = 10
FEEDER_STAGES = ("decode", "jpeg")
STEP_STAGES = ("pose", "smoothing", "checkers", "encode", "overlay")
STAGES = (*FEEDER_STAGES, *STEP_STAGES)
OWN_STAGES = ("smoothing", "checkers", "encode", "overlay")  # the pipeline thread's work besides the model
REPLAY_STAGES = ("replay_decode", "pose", "smoothing", "checkers")
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


class _TimedFile(FrameSource):
    """A clip's first `max_frames` frames (all when None), appending each frame's decode ms to `decode_ms`."""

    def __init__(self, video: Path, max_frames: int | None, decode_ms: list[float]) -> None:
        self._source = FileSource(video)
        self.fps, self.size, self.frame_count = self._source.fps, self._source.size, self._source.frame_count
        self._max_frames, self._decode_ms = max_frames, decode_ms

    def __iter__(self) -> Iterator[Frame]:
        frames = iter(self._source)
        while self._max_frames is None or len(self._decode_ms) < self._max_frames:
            started_s = time.perf_counter()
            frame = next(frames, None)
            if frame is None:
                return
            self._decode_ms.append((time.perf_counter() - started_s) * 1000)
            yield frame

    def close(self) -> None:
        self._source.close()


class _TimedSession(LiveSession):
    """One clip through the live session's own threads, every stage of every frame timed (see the module notes)."""

    def __init__(self, video: Path, estimator: SharedEstimator, max_frames: int | None) -> None:
        self.samples: dict[str, list[float]] = {stage: [] for stage in STAGES}
        self.step_end_s: list[float] = []
        self.errors: list[str] = []
        self.clip_fps = 0.0
        self._video, self._max_frames = video, max_frames
        self._spent = dict.fromkeys(STEP_STAGES, 0.0)
        spent = self._spent
        super().__init__(
            Settings(mode="follow"), self._emit, source_spec=str(video), speed=0,
            make_circuit=lambda settings, on_set_done: _Timed(Circuit(settings, on_set_done=on_set_done), "update",
                                                              "checkers", spent),
            shared_estimator=estimator,
            make_smoother=lambda: _Timed(PoseSmoother(), "apply", "smoothing", spent),
            make_source=self._open_clip,
            video_wanted=lambda: True,
        )

    def _open_clip(self, _spec: str) -> FrameSource:
        source = _TimedFile(self._video, self._max_frames, self.samples["decode"])
        self.clip_fps = source.fps
        return source

    def _emit(self, messages: list[BaseModel | bytes]) -> None:
        started_s = time.perf_counter()
        for message in messages:
            if isinstance(message, BaseModel):
                dump(message)
                if isinstance(message, ErrorEvent):
                    self.errors.append(message.message)
        self._spent["encode"] += (time.perf_counter() - started_s) * 1000

    @contextmanager
    def _estimator(self) -> Iterator[Any]:
        """The server's shared estimator, lent as for any session, with its `detect` timed as the pose stage."""
        with super()._estimator() as estimator:
            yield _Timed(estimator, "detect", "pose", self._spent)

    def _slot_item(self, frame: Frame, late_s: float = 0.0) -> SlotItem:
        started_s = time.perf_counter()
        item = super()._slot_item(frame, late_s)
        self.samples["jpeg"].append((time.perf_counter() - started_s) * 1000)
        return item

    def _process(self, item: SlotItem, estimator: Any, person_gate: PersonGate, smoother: Any) -> None:
        for stage in STEP_STAGES:
            self._spent[stage] = 0.0
        started_s = time.perf_counter()
        super()._process(item, estimator, person_gate, smoother)
        ended_s = time.perf_counter()
        self._spent["overlay"] = (ended_s - started_s) * 1000 - sum(
            self._spent[s] for s in ("pose", "smoothing", "checkers", "encode"))
        for stage in STEP_STAGES:
            self.samples[stage].append(self._spent[stage])
        self.step_end_s.append(ended_s)


def _clip_stages(video: Path, estimator: SharedEstimator,
                 max_frames: int | None) -> tuple[dict[str, list[float]], float, float]:
    """Per-frame ms of every stage and of a decode-only pass (warm-up dropped), the measured frames' wall-clock
    seconds, the clip's frame rate."""
    replay_decode_ms: list[float] = []
    with _TimedFile(video, max_frames, replay_decode_ms) as alone:
        for _frame in alone:
            pass
    session = _TimedSession(video, estimator, max_frames)
    session.start()
    session.done.wait()
    session.stop()
    if session.errors:
        raise CoachError(f"The live session failed on {video.name}: {session.errors[0]}")
    done = len(session.step_end_s)
    samples = {stage: values[WARMUP_FRAMES:done]
               for stage, values in {**session.samples, "replay_decode": replay_decode_ms}.items()}
    wall_s = session.step_end_s[-1] - session.step_end_s[WARMUP_FRAMES - 1] if done > WARMUP_FRAMES else 0.0
    return samples, wall_s, session.clip_fps


def run_variant(videos: Sequence[Path], variant: str, max_frames: int | None) -> dict[str, Any]:
    """One results row: fps, stage statistics, pose share, replay speed and peak RSS for one model variant."""
    try:
        ensure_model(variant)
    except ModelError as exc:
        return {"variant": variant, "available": False, "reason": str(exc), "fps": None}
    stages: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "replay_decode")}
    clip_s = wall_s = 0.0
    estimator = SharedEstimator(lambda: PoseEstimator(variant))  # one model for every clip, as `coach serve` keeps
    try:
        for video in videos:
            samples, clip_wall_s, clip_fps = _clip_stages(video, estimator, max_frames)
            for stage, values in samples.items():
                stages[stage].extend(values)
            clip_s += len(samples["pose"]) / clip_fps
            wall_s += clip_wall_s
    finally:
        estimator.close()
    frames = len(stages["pose"])
    if frames == 0:
        return {"variant": variant, "available": True, "reason": "no frames after warm-up", "fps": None}
    own = [sum(values) for values in zip(*(stages[s] for s in OWN_STAGES), strict=True)]
    feeder = [sum(values) for values in zip(*(stages[s] for s in FEEDER_STAGES), strict=True)]
    pose_s = sum(stages["pose"]) / 1000
    replay_s = sum(sum(stages[s]) for s in REPLAY_STAGES) / 1000
    fps = frames / wall_s
    return {
        "variant": variant, "available": True, "frames": frames, "fps": round(fps, 1),
        "pose_only_fps": round(frames / pose_s, 1), "e2e_over_pose_only": round(fps / (frames / pose_s), 3),
        "replay_x_realtime": round(clip_s / replay_s, 2),
        "own_ms": metrics.stage_stats(own), "feeder_ms": metrics.stage_stats(feeder),
        "replay_decode_ms": metrics.stage_stats(stages["replay_decode"]),
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
        Target("own stages (pipeline thread), mean ms/frame", get("own_ms", "mean_ms"), TARGET_OWN_MS,
               at_least=False, unit=" ms"),
        Target("end-to-end / pose-only fps", get("e2e_over_pose_only"), TARGET_POSE_SHARE, at_least=True),
        Target("replay speed, x real time", get("replay_x_realtime"), TARGET_REPLAY_X, at_least=True, unit="x"),
    ]


def markdown(results: dict[str, Any]) -> str:
    """Throughput per variant, then per-stage median / p95 ms per variant, then the target lines."""
    head = ["model", "e2e fps", "pose-only fps", "e2e / pose-only", "replay x real time", "own ms mean (p95)",
            "feeder ms mean (p95)", "peak RSS MB"]
    rows, stage_rows = [], []
    for r in results["runs"]:
        if r["fps"] is None:
            rows.append([r["variant"], f"unavailable: {r.get('reason', '')}", "", "", "", "", "", ""])
            continue
        rows.append([r["variant"], num(r["fps"]), num(r["pose_only_fps"]), f"{100 * r['e2e_over_pose_only']:.0f}%",
                     num(r["replay_x_realtime"], 2, "x"),
                     f"{r['own_ms']['mean_ms']:.2f} ({r['own_ms']['p95_ms']:.2f})",
                     f"{r['feeder_ms']['mean_ms']:.2f} ({r['feeder_ms']['p95_ms']:.2f})", num(r["peak_rss_mb"], 0)])
        stage_rows.append([r["variant"], *(f"{r['stages'][s]['median_ms']:.2f} / {r['stages'][s]['p95_ms']:.2f}"
                                           for s in STAGES)])
    return "\n\n".join([
        markdown_table(head, rows),
        markdown_table(["model (median / p95 ms)", *STAGES], stage_rows),
        f"Warm-up: the first {results['warmup_frames_per_clip']} frames of each clip are run but not measured.",
        "\n".join(t.line() for t in targets(next((r for r in results["runs"]
                                                  if r["variant"] == "full" and r["fps"] is not None), None))),
    ])
