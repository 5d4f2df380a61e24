"""`coach bench latency`: frame captured -> `pose` / `rep` event received, by a real WebSocket client on loopback.

The server is `coach serve --source CLIP --model VARIANT` in a child process (its own interpreter, as users run it,
so the client's threads never share a GIL with the server's), on a free loopback port, with a throw-away history
folder. One client connects to /ws and, after a warm-up session (model load, graph start) that is not measured,
runs two sessions on the same server:

- file: the server's own source, the clip paced at its own frame rate (`--speed 1`), each frame's overlay JPEG
  sent to the client before its pose event, as a tab watching gets it. "Captured" is the server's stamp of the
  frame (`captured_wall_ms` in the pose event): the moment it was due at the clip's pace, so a feeder held up by a
  slow loop shows as latency (a file's frames wait, they are never dropped);
- browser: the client plays the page's part (web/app.js): it reads the clip at its frame rate as a camera would
  deliver it, stamps the frame on arrival, encodes a JPEG at the page's quality and sends the 8-byte capture time
  plus the JPEG; like the page, it sends no new frame while PAGE_MAX_IN_FLIGHT are on their way (no pose event back
  yet, for under a second), and such a frame counts as dropped. The server rebases capture times to the session's
  first frame, so a pose or rep event's `t_ms` names the frame it belongs to.

A rep event's latency is taken from the capture of the frame whose `t_ms` it carries. Wall clock (time.time, which
both processes share) is used only to measure. The first WARMUP_FRAMES frames of each session are run but not
measured (the black frame between sessions, the tracker's first lock-on).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
from websockets.sync.client import ClientConnection, connect

from coach.bench import metrics
from coach.bench.tables import Target, markdown_table, num
from coach.errors import CoachError
from coach.server import FRAME_HEADER
from coach.sources import FileSource

WARMUP_FRAMES = 10
WARMUP_POSES = 30  # pose events of the unmeasured first session: the model is loaded and its graph running
PAGE_JPEG_QUALITY = 80  # web/app.js CAMERA_JPEG_QUALITY (0.8)
PAGE_MAX_IN_FLIGHT = 2  # web/app.js CAMERA_MAX_IN_FLIGHT
IN_FLIGHT_TIMEOUT_MS = 1_000  # web/app.js: a frame without an answer for this long is taken as lost
SERVER_START_TIMEOUT_S = 60.0
EVENT_TIMEOUT_S = 30.0  # no event for this long: the server is stuck, the bench fails instead of hanging
DRAIN_S = 2.0  # after the last frame, how long to wait for its events
TARGET_POSE_P95_MS = 60.0


@dataclass
class _Session:
    """What the client saw of one measured session (all times wall-clock ms)."""

    captured_ms: dict[int, float] = field(default_factory=dict)  # frame t_ms -> capture time
    pose_ms: dict[int, float] = field(default_factory=dict)  # frame t_ms -> pose event received
    rep_ms: list[tuple[int, float]] = field(default_factory=list)  # (frame t_ms, rep event received)
    frame_indexes: list[int] = field(default_factory=list)  # of the pose events, in order received
    server_dropped: int = 0  # the live loop's own count (`frames_dropped` in the last state event)
    page_skipped: int = 0  # browser path: camera frames not sent because PAGE_MAX_IN_FLIGHT were on their way
    stamped_by_server: bool = False  # file path: the pose event says when its frame was captured
    summary: threading.Event = field(default_factory=threading.Event)


class _Tab:
    """One WebSocket tab: a reader thread files every event under the session being measured."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.session = _Session()
        self.poses = threading.Semaphore(0)  # released per pose event: the page's in-flight rule and the warm-up
        self.first_pose = threading.Event()  # the new session's events have begun (see begin)
        self.error: str | None = None
        self._reader = threading.Thread(target=self._read, name="bench-latency-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                message = self.ws.recv()
                received_ms = time.time() * 1000
                if isinstance(message, str):
                    self._file(json.loads(message), received_ms)
        except Exception as exc:  # the connection closed (the bench is over) or the server broke
            self.error = self.error or f"{type(exc).__name__}: {exc}"

    def _file(self, event: dict[str, Any], received_ms: float) -> None:
        session, kind = self.session, event["type"]
        if kind == "pose":
            if event["frame_index"] == 0:
                self.first_pose.set()
            if not self.first_pose.is_set():
                return  # a late event of the session this one replaced
            session.pose_ms[event["t_ms"]] = received_ms
            session.frame_indexes.append(event["frame_index"])
            if session.stamped_by_server:
                session.captured_ms[event["t_ms"]] = event["captured_wall_ms"]
            self.poses.release()
        elif kind == "rep" and self.first_pose.is_set():
            session.rep_ms.append((event["t_ms"], received_ms))
        elif kind == "state":
            session.server_dropped = event["frames_dropped"]
        elif kind == "summary":
            session.summary.set()
        elif kind == "error" and event["code"] in ("pipeline", "source"):
            self.error = event["message"]

    def begin(self, start: dict[str, Any]) -> _Session:
        """Start a new session (replacing the last) and measure it from its first frame on.

        After a finished session (its summary is in) every pose event is the new one's, even when the live loop,
        still busy, replaced the page's frame 0 in its slot; otherwise late events wait for a pose of frame 0."""
        last_finished = self.session.summary.is_set()
        self.first_pose.clear()
        self.poses = threading.Semaphore(0)
        self.session = _Session(stamped_by_server=start["source"] == "server")
        if last_finished:
            self.first_pose.set()
        self.ws.send(json.dumps({"type": "start", "settings": {"mode": "follow"}, **start}))
        return self.session

    def wait_poses(self, count: int) -> None:
        for _ in range(count):
            if not self.poses.acquire(timeout=EVENT_TIMEOUT_S):
                raise CoachError(f"The server sent no pose event for {EVENT_TIMEOUT_S:.0f} s ({self.error}).")

    def finish(self) -> None:
        """Stop the session and wait for its summary (so its last events are in)."""
        self.ws.send(json.dumps({"type": "stop"}))
        if not self.session.summary.wait(EVENT_TIMEOUT_S):
            raise CoachError(f"The server sent no summary after stop ({self.error}).")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _server(clip: Path, variant: str) -> Iterator[int]:
    """`coach serve` in a child process on a free loopback port; yields the port once it accepts connections."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="coach-bench-latency-") as data_dir:
        command = [sys.executable, "-m", "coach.cli", "serve", "--source", str(clip), "--no-open", "--port", str(port),
                   "--mode", "follow", "--speed", "1", "--model", variant]
        code_root = str(Path(__file__).resolve().parents[2])  # the child runs this very checkout's coach
        env = {**os.environ, "COACH_DATA_DIR": data_dir,
               "PYTHONPATH": os.pathsep.join(filter(None, (code_root, os.environ.get("PYTHONPATH"))))}
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            deadline_s = time.monotonic() + SERVER_START_TIMEOUT_S
            while True:
                if child.poll() is not None:
                    raise CoachError(f"`coach serve` exited with status {child.returncode} before it listened.")
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
                if time.monotonic() > deadline_s:
                    raise CoachError(f"`coach serve` did not listen on port {port} within "
                                     f"{SERVER_START_TIMEOUT_S:.0f} s.")
                time.sleep(0.1)
            yield port
        finally:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _file_session(client: _Tab, max_frames: int | None, clip_s: float) -> _Session:
    """The server's file source at the clip's own pace, to its end (or `max_frames` pose events, then stop)."""
    session = client.begin({"source": "server"})
    if max_frames is None:
        if not session.summary.wait(clip_s + EVENT_TIMEOUT_S):
            raise CoachError(f"The clip did not finish playing ({client.error}).")
        return session
    client.wait_poses(max_frames)
    client.finish()
    return session


def _browser_session(client: _Tab, clip: Path, max_frames: int | None) -> _Session:
    """The page's part: frames at the clip's rate, each a capture time plus a JPEG, a few on their way at most.

    `max_frames` counts frames sent: on a slow machine the page skips most frames, and a count of frames played
    could leave none past the warm-up to measure."""
    session = client.begin({"source": "browser"})
    in_flight, sent_ms = 0, 0.0
    with FileSource(clip) as source:
        started_s = time.monotonic()
        first_ms: float | None = None
        for frame in source:
            if max_frames is not None and len(session.captured_ms) >= max_frames:
                break
            delay_s = started_s + frame.t_ms / 1000 - time.monotonic()
            if delay_s > 0:
                time.sleep(delay_s)
            captured_ms = time.time() * 1000
            while in_flight and client.poses.acquire(blocking=False):
                in_flight -= 1  # a pose came back
            if in_flight and captured_ms - sent_ms > IN_FLIGHT_TIMEOUT_MS:
                in_flight = 0
            if in_flight >= PAGE_MAX_IN_FLIGHT:
                session.page_skipped += 1
                continue
            ok, jpeg = cv2.imencode(".jpg", frame.image_bgr, [cv2.IMWRITE_JPEG_QUALITY, PAGE_JPEG_QUALITY])
            if not ok:
                raise CoachError(f"Could not encode frame {frame.index} of {clip.name} as JPEG.")
            first_ms = captured_ms if first_ms is None else first_ms
            session.captured_ms[round(captured_ms - first_ms)] = captured_ms  # the server's t_ms for this frame
            client.ws.send(FRAME_HEADER.pack(captured_ms) + jpeg.tobytes())
            in_flight, sent_ms = in_flight + 1, captured_ms
    time.sleep(DRAIN_S)
    client.finish()
    return session


def _stats(latencies_ms: list[float]) -> dict[str, float | int | None]:
    if not latencies_ms:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    return {"n": len(latencies_ms), **{f"p{p}_ms": round(metrics.percentile(latencies_ms, p), 1)
                                       for p in (50, 95, 99)}, "max_ms": round(max(latencies_ms), 1)}


def _summarise(path: str, session: _Session, frames_in_source: int) -> dict[str, Any]:
    """Latency statistics past the warm-up frames, and the frames that got no pose event, by cause: not sent by the
    page (PAGE_MAX_IN_FLIGHT on their way), replaced in the live loop's one-frame slot (server, as of the last state
    event), or lost (the rest)."""
    measured = sorted(session.captured_ms)[WARMUP_FRAMES:]
    first_measured_ms = measured[0] if measured else 0
    pose = [session.pose_ms[t] - session.captured_ms[t] for t in measured if t in session.pose_ms]
    rep = [received - session.captured_ms[t] for t, received in session.rep_ms
           if t >= first_measured_ms and t in session.captured_ms]
    dropped = frames_in_source - len(session.pose_ms)
    return {
        "path": path, "frames": frames_in_source, "pose_events": len(session.pose_ms), "frames_dropped": dropped,
        "dropped_by_page": session.page_skipped, "dropped_by_server": session.server_dropped,
        "lost": dropped - session.page_skipped - session.server_dropped,
        "frame_to_pose": _stats(pose), "frame_to_rep": _stats(rep),
    }


def run_latency(clip: Path, variant: str = "full", max_frames: int | None = None,
                progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Both paths on one `coach serve`, after one unmeasured warm-up session."""
    with FileSource(clip) as source:  # bad input fails here, before the server starts
        fps, size = source.fps, source.size
        frame_count = sum(1 for _ in source) if max_frames is None else None
    frames = max_frames if max_frames is not None else frame_count
    assert frames is not None
    runs = []
    with _server(clip, variant) as port, connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as ws:
        client = _Tab(ws)
        progress(f"latency: warm-up session on {clip.name} ({variant} model)")
        client.begin({"source": "server"})
        client.wait_poses(WARMUP_POSES)
        progress(f"latency: file source, {frames} frames at {fps:.0f} fps")
        file_session = _file_session(client, max_frames, frames / fps)
        played = frame_count if max_frames is None else max(file_session.frame_indexes, default=-1) + 1
        runs.append(_summarise("file", file_session, played))
        progress(f"latency: browser camera at {fps:.0f} fps, "
                 + ("the whole clip" if max_frames is None else f"until {max_frames} frames are sent"))
        browser_session = _browser_session(client, clip, max_frames)
        played = frame_count if max_frames is None else len(browser_session.captured_ms) + browser_session.page_skipped
        runs.append(_summarise("browser", browser_session, played))
    return {"kind": "latency", "clip": clip.name, "model": variant, "fps": round(fps, 2), "size": list(size),
            "warmup_frames": WARMUP_FRAMES, "runs": runs, "targets": [t.as_json() for t in targets(runs)]}


def targets(runs: list[dict[str, Any]]) -> list[Target]:
    found = []
    for run in runs:
        found += [Target(f"{run['path']}: frame -> pose event p95", run["frame_to_pose"]["p95_ms"],
                         TARGET_POSE_P95_MS, at_least=False, unit=" ms"),
                  Target(f"{run['path']}: frames dropped", run["frames_dropped"], 0, at_least=False)]
    return found


def markdown(results: dict[str, Any]) -> str:
    def cells(stats: dict[str, Any]) -> str:
        return " / ".join(num(stats[key]) for key in ("p50_ms", "p95_ms", "p99_ms")) + f" (n={stats['n']})"

    rows = [[run["path"], run["frames"], cells(run["frame_to_pose"]), cells(run["frame_to_rep"]),
             f"{run['frames_dropped']} (page {run['dropped_by_page']}, server {run['dropped_by_server']}, "
             f"lost {run['lost']})"] for run in results["runs"]]
    return "\n\n".join([
        f"Clip {results['clip']} ({results['size'][0]}x{results['size'][1]}, {results['fps']:g} fps), "
        f"{results['model']} model; the first {results['warmup_frames']} frames of each session are not measured.",
        markdown_table(["path", "frames", "frame -> pose ms p50 / p95 / p99", "frame -> rep ms p50 / p95 / p99",
                        "frames dropped"], rows),
        "\n".join(t.line() for t in targets(results["runs"])),
    ])
