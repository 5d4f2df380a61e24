"""The server under abuse: malformed, unknown, oversized and flooding messages, too many tabs, a tab that stops
reading, a foreign web page, a non-loopback bind, path traversal, and a load test with many watching tabs.

Fast cases use Starlette's TestClient; the socket-level ones run uvicorn on a free loopback port in a thread.
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from conftest import encode_video
from fakes import FakeEstimator, PassThroughSmoother
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from websockets.sync.client import connect

from coach.cli import main
from coach.events import EVENT_ADAPTER, Settings, WarningEvent, dump
from coach.server import (
    CLOSE_TRY_AGAIN,
    MAX_CLIENTS,
    MAX_CONTROL_BYTES,
    MAX_FRAME_BYTES,
    MAX_OUTBOX,
    MESSAGE_BURST,
    Coach,
    ServeConfig,
    _Client,
    create_app,
)

REPO = Path(__file__).resolve().parent.parent
LOAD_CLIENTS = MAX_CLIENTS - 1  # plus the tab that starts the session
LOAD_P95_LIMIT_MS = 500.0  # generous for a shared 2-core CI box; typical is a few ms
SOCKET_TIMEOUT_S = 20.0


def config(**overrides: Any) -> ServeConfig:
    return ServeConfig(**{"keep_history": False, "settings": Settings(mode="follow"), **overrides})


def error_codes(ws: Any, count: int) -> list[str]:
    codes = []
    while len(codes) < count:
        event = json.loads(ws.receive_text())
        if event["type"] == "error":
            codes.append(event["code"])
    return codes


# ------------------------------------------------------------------------------------------------ messages
def test_malformed_unknown_and_oversized_messages_get_an_error_and_the_tab_stays() -> None:
    with TestClient(create_app(config())) as client, client.websocket_connect("/ws") as ws:
        assert json.loads(ws.receive_text())["type"] == "hello"
        ws.send_text("{not json")
        ws.send_text("[1, 2, 3]")
        ws.send_text(json.dumps({"type": "format_disk"}))
        ws.send_text(json.dumps({"type": "start", "settings": {"rounds": 99}}))
        ws.send_text(json.dumps({"type": "pause", "x": "y" * MAX_CONTROL_BYTES}))
        ws.send_bytes(struct.pack("<d", 0.0) + b"\xff" * MAX_FRAME_BYTES)
        ws.send_bytes(b"\x01")
        assert error_codes(ws, 7) == ["bad_json", "invalid", "unknown_type", "invalid", "too_large", "too_large",
                                      "no_session"]
        ws.send_text(json.dumps({"type": "pause"}))  # still served
        assert error_codes(ws, 1) == ["no_session"]


def test_a_flood_is_rate_limited_with_one_notice(tmp_path: Path) -> None:
    app = create_app(config())
    coach: Coach = app.state.coach
    now_s = [100.0]
    coach.clock = lambda: now_s[0]  # frozen: no tokens come back during the flood
    with TestClient(app) as client, client.websocket_connect("/ws") as ws:
        ws.receive_text()
        for _ in range(MESSAGE_BURST + 200):
            ws.send_text('{"type": "pause"}')
        codes = error_codes(ws, MESSAGE_BURST + 1)
        assert codes.count("no_session") == MESSAGE_BURST and codes.count("rate_limited") == 1
        now_s[0] += 1.0  # a second later the tab may talk again
        ws.send_text('{"type": "pause"}')
        assert error_codes(ws, 1) == ["no_session"]


def test_too_many_tabs_get_a_clear_refusal() -> None:
    with TestClient(create_app(config())) as client:
        tabs = [client.websocket_connect("/ws") for _ in range(MAX_CLIENTS)]
        for tab in tabs:
            tab.__enter__()
            assert json.loads(tab.receive_text())["type"] == "hello"
        try:
            with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws") as extra:
                extra.receive_text()
            assert refused.value.code == CLOSE_TRY_AGAIN
            assert f"Too many coach tabs are open (limit {MAX_CLIENTS})" in refused.value.reason
        finally:
            for tab in tabs:
                tab.__exit__(None, None, None)
        with client.websocket_connect("/ws") as again:  # closing one makes room
            assert json.loads(again.receive_text())["type"] == "hello"


class _StuckSocket:
    """A WebSocket whose peer never reads: every send waits forever."""

    async def send_text(self, text: str) -> None:
        await asyncio.Event().wait()

    send_bytes = send_text


class _ListeningSocket:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def send_text(self, text: str) -> None:
        self.texts.append(text)

    async def send_bytes(self, data: bytes) -> None:
        pass


def test_a_tab_that_stops_reading_is_dropped_and_the_others_get_everything() -> None:
    async def scenario() -> tuple[_Client, _ListeningSocket, Coach]:
        coach = Coach(config())
        stuck, listening = _Client(_StuckSocket()), _Client(_ListeningSocket())  # type: ignore[arg-type]
        for client in (stuck, listening):
            client.tasks = [asyncio.create_task(client.pump())]
            coach.clients.append(client)
        for n in range(MAX_OUTBOX + 100):
            coach._fanout([WarningEvent(t_ms=n, warning_id="w", text="x")])
            coach._fanout([b"jpeg"])
            await asyncio.sleep(0)  # let the pumps run, as the event loop would between frames
        for _ in range(5):
            await asyncio.sleep(0)
        return stuck, listening.websocket, coach  # type: ignore[return-value]

    stuck, listening, _coach = asyncio.run(scenario())
    assert stuck.too_slow and not stuck.outbox and all(task.done() for task in stuck.tasks)
    seqs = [json.loads(text)["seq"] for text in listening.texts]
    assert len(seqs) == MAX_OUTBOX + 100 and seqs == sorted(seqs)


# ------------------------------------------------------------------------------------------------ binding
@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_a_non_loopback_bind_needs_an_explicit_flag(capsys, host: str) -> None:
    assert main(["serve", "--host", host, "--no-open"]) == 2
    err = capsys.readouterr().err
    assert f"--host {host} would let other machines open the coach" in err and "--allow-remote" in err


# ------------------------------------------------------------------------------------------------ real sockets
class LiveServer:
    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.app = app
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws_max_size=4 * 1024 * 1024))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + SOCKET_TIMEOUT_S
        while not self.server.started:  # start-up, not logic timing: bounded wait for the listener
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(SOCKET_TIMEOUT_S)
        self.sock.close()

    def raw(self, request: bytes, until: bytes | None = None) -> bytes:
        """Send one request; read the reply to the end (or up to `until`, for an upgrade that stays open)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=SOCKET_TIMEOUT_S) as conn:
            conn.sendall(request)
            reply = b""
            while chunk := conn.recv(65536):
                reply += chunk
                if until is not None and until in reply:
                    break
        return reply

    def wait_for(self, condition: Any) -> None:
        deadline = time.monotonic() + SOCKET_TIMEOUT_S
        while not condition():  # the server's tasks run in another thread: a bounded wait for them to catch up
            assert time.monotonic() < deadline, "condition not reached"
            time.sleep(0.01)


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    with LiveServer(create_app(config())) as server:
        yield server


@pytest.mark.parametrize("target", [
    "/../pyproject.toml", "/%2e%2e/pyproject.toml", "/..%2fpyproject.toml", "/%2e%2e%2fpyproject.toml",
    "/static/../../pyproject.toml", "/..%5c..%5cpyproject.toml", "/....//pyproject.toml", "//etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/history.html/../../coach/server.py",
])
def test_no_directory_traversal_on_static_files(live_server: LiveServer, target: str) -> None:
    reply = live_server.raw(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    status = int(reply.split(b" ", 2)[1])
    assert status in (400, 404), reply[:200]
    assert b"build-system" not in reply and b"root:" not in reply and b"import" not in reply


def test_the_overlay_itself_is_served(live_server: LiveServer) -> None:
    reply = live_server.raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200") and b"<html" in reply.lower()


def test_cross_site_websocket_hijacking_is_refused(live_server: LiveServer) -> None:
    handshake = ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 "Origin: {origin}\r\n\r\n")
    for origin in ("http://evil.example", "http://127.0.0.1:1", "null", f"http://evil.example:{live_server.port}"):
        reply = live_server.raw(handshake.format(port=live_server.port, origin=origin).encode(), until=b"\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 403"), reply[:80]
    own = f"http://127.0.0.1:{live_server.port}"
    ok = live_server.raw(handshake.format(port=live_server.port, origin=own).encode(), until=b"\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 101")


def test_a_real_tab_that_stops_reading_is_dropped_while_others_read(live_server: LiveServer) -> None:
    coach: Coach = live_server.app.state.coach
    url = f"ws://127.0.0.1:{live_server.port}/ws"
    stuck = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window fills quickly
    stuck.connect(("127.0.0.1", live_server.port))
    stuck.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    events = 1_500
    with connect(url, open_timeout=SOCKET_TIMEOUT_S) as reader:
        reader.recv(SOCKET_TIMEOUT_S)  # hello
        live_server.wait_for(lambda: len(coach.clients) == 2)
        padding = "x" * 8_000
        got: list[int] = []
        for start in range(0, events, 50):  # 12 MB in bursts of 50 events: far more than the stuck tab's buffers hold
            coach.emit_threadsafe([WarningEvent(t_ms=n, warning_id="load", text=padding)
                                   for n in range(start, start + 50)])
            got += [json.loads(reader.recv(SOCKET_TIMEOUT_S))["t_ms"] for _ in range(50)]
        assert got == list(range(events))
        live_server.wait_for(lambda: len(coach.clients) == 1)  # the stuck tab was dropped; the reader never noticed
    stuck.close()


def test_load_many_tabs_watch_one_session_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """LOAD_CLIENTS tabs watch one session over a 2 s clip played in real time; the pose model is faked (this
    measures the server's fan-out, not MediaPipe). Every tab gets every event, in order; p95 latency printed."""
    monkeypatch.setattr("coach.pose.PoseEstimator", FakeEstimator)
    monkeypatch.setattr("coach.smoothing.PoseSmoother", PassThroughSmoother)
    video = encode_video(tmp_path / "load.mp4", 60, size=(320, 240), fps=30)
    app = create_app(config(source_spec=str(video), source_kind="file", source_name="load.mp4", speed=1.0))
    received: list[list[dict[str, Any]]] = [[] for _ in range(LOAD_CLIENTS)]
    latencies_ms: list[float] = []
    lock = threading.Lock()

    def watch(slot: int, ready: threading.Barrier, url: str) -> None:
        with connect(url, open_timeout=SOCKET_TIMEOUT_S, max_size=None) as ws:
            ready.wait(SOCKET_TIMEOUT_S)
            while True:
                message = ws.recv(SOCKET_TIMEOUT_S)
                if isinstance(message, bytes):
                    continue
                event = json.loads(message)
                if event["type"] == "pose":
                    with lock:
                        latencies_ms.append(time.time() * 1000 - event["captured_wall_ms"])
                received[slot].append(event)
                if event["type"] == "summary":
                    return

    with LiveServer(app) as server:
        url = f"ws://127.0.0.1:{server.port}/ws"
        ready = threading.Barrier(LOAD_CLIENTS + 1)
        threads = [threading.Thread(target=watch, args=(i, ready, url), daemon=True) for i in range(LOAD_CLIENTS)]
        for thread in threads:
            thread.start()
        ready.wait(SOCKET_TIMEOUT_S)
        with connect(url, open_timeout=SOCKET_TIMEOUT_S) as controller:
            controller.recv(SOCKET_TIMEOUT_S)
            controller.send(json.dumps({"type": "start", "source": "server", "settings": {"mode": "follow"}}))
            while '"type":"summary"' not in str(controller.recv(SOCKET_TIMEOUT_S)):
                pass  # the controlling tab reads too (an unread tab would hold up its own close)
            for thread in threads:
                thread.join(SOCKET_TIMEOUT_S)
    assert not any(thread.is_alive() for thread in threads)
    for events in received:
        EVENT_ADAPTER.validate_python(events[-1])
        seqs = [e["seq"] for e in events if e["seq"]]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # in order, no repeats
        assert [e["seq"] for e in events if e["type"] != "pose"] == \
            [e["seq"] for e in received[0] if e["type"] != "pose"]  # no event lost by any tab
        frames = [e["frame_index"] for e in events if e["type"] == "pose"]
        assert frames == sorted(set(frames)) and len(frames) >= 54  # a slow moment may skip a frame, never reorder
    p95_ms = statistics.quantiles(latencies_ms, n=20)[-1]
    with capsys.disabled():
        print(f"\nload: {LOAD_CLIENTS} tabs, {len(latencies_ms)} pose events, latency p50 "
              f"{statistics.median(latencies_ms):.1f} ms, p95 {p95_ms:.1f} ms")
    assert p95_ms < LOAD_P95_LIMIT_MS


def test_the_wire_sequence_numbers_are_in_the_schema() -> None:
    event = WarningEvent(warning_id="w", text="t")
    assert json.loads(dump(event))["seq"] == 0
