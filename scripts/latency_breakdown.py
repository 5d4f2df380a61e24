"""Where a frame's latency goes on the file path of `coach bench latency`: stamps around the pose model call and the
live step inside the server, and at a WebSocket client, per frame. Stages (ms, p50 / p95 / p99):

- due -> ready: from the moment the frame was due at the clip's pace to the feeder having it decoded and stamped
  (late when the feeder was held up: its slot still full, or decoding slowly);
- ready -> taken: the wait in the one-frame slot until the live loop takes it;
- model: the pose model call (`PoseEstimator.detect`);
- own: the rest of the live step (smoothing, circuit, events), up to handing its messages to the event loop;
- to client: event loop, socket, client.

The app runs in this process (uvicorn on a loopback socket, the client on another thread), so the stages share one
interpreter; `coach bench latency` is the figure of record (server in its own process).

    .venv/bin/python scripts/latency_breakdown.py --frames 600
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from websockets.sync.client import connect

from coach.bench.metrics import percentile
from coach.bench.results import load_average
from coach.events import Settings
from coach.live import LiveSession
from coach.pose import PoseEstimator
from coach.server import ServeConfig, create_app

CLIP = Path(__file__).resolve().parent.parent / "sample_videos" / "bridge_march_a.mp4"
WARMUP_FRAMES = 30
STAGES = ("due -> ready", "ready -> taken", "model", "own", "to client", "total")


def instrument(stamps: dict[int, dict[str, float]]) -> None:
    """Wrap the feeder's stamp, the model call and the live step to stamp each frame (wall clock ms, by frame index)."""
    slot_item, detect, process = LiveSession._slot_item, PoseEstimator.detect, LiveSession._process

    def timed_slot_item(self: LiveSession, frame: Any, late_s: float = 0.0) -> Any:
        stamps.setdefault(frame.index, {})["ready"] = time.time() * 1000
        return slot_item(self, frame, late_s)

    def timed_detect(self: PoseEstimator, frame: Any) -> Any:
        stamps.setdefault(frame.index, {})["model_start"] = time.time() * 1000
        pose = detect(self, frame)
        stamps[frame.index]["model_end"] = time.time() * 1000
        return pose

    def timed_process(self: LiveSession, item: Any, *args: Any) -> None:
        stamps.setdefault(item.index, {}).update(due=item.captured_wall_ms, taken=time.time() * 1000)
        process(self, item, *args)
        stamps[item.index]["emitted"] = time.time() * 1000

    LiveSession._slot_item = timed_slot_item  # type: ignore[method-assign]
    PoseEstimator.detect = timed_detect  # type: ignore[method-assign]
    LiveSession._process = timed_process  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600, help="pose events to measure, after 30 warm-up frames")
    parser.add_argument("--clip", type=Path, default=CLIP)
    args = parser.parse_args()
    stamps: dict[int, dict[str, float]] = {}
    instrument(stamps)
    config = ServeConfig(source_spec=str(args.clip), source_kind="file", source_name=args.clip.name, speed=1.0,
                         settings=Settings(mode="follow"), keep_history=False, model="full")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="warning", ws_per_message_deflate=False))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    received: dict[int, float] = {}
    load_before = load_average()
    try:
        with connect(f"ws://127.0.0.1:{sock.getsockname()[1]}/ws", max_size=None, open_timeout=30) as ws:
            ws.send(json.dumps({"type": "start", "settings": {"mode": "follow"}}))
            while len(received) < WARMUP_FRAMES + args.frames:
                message = ws.recv(30)
                if isinstance(message, str) and (event := json.loads(message))["type"] == "pose":
                    received[event["frame_index"]] = time.time() * 1000
                elif isinstance(message, str) and event["type"] == "summary":
                    break
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
    stages: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for index, received_ms in received.items():
        s = stamps.get(index, {})
        if index < WARMUP_FRAMES or "emitted" not in s:
            continue
        for stage, value in zip(STAGES, (s["ready"] - s["due"], s["taken"] - s["ready"],
                                         s["model_end"] - s["model_start"],
                                         s["emitted"] - s["model_end"], received_ms - s["emitted"],
                                         received_ms - s["due"]), strict=True):
            stages[stage].append(value)
    print(f"{args.clip.name}, full model, {len(stages['total'])} frames at the clip's pace; load average before "
          f"{load_before}, after {load_average()}")
    for stage, values in stages.items():
        print(f"{stage:>14}: " + " / ".join(f"{percentile(values, p):6.1f}" for p in (50, 95, 99)) + " ms")


if __name__ == "__main__":
    main()
