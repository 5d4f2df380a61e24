"""The local web server: serves the overlay (web/), streams events over a WebSocket, takes controls on it.

One coaching session at a time (one person in one living room); any number of tabs may watch it. Starts are
serialised, and every session uses the one pose estimator the server keeps for its whole life (`SharedEstimator`).
The WebSocket at /ws carries, server -> client, the events of `coach.events` (JSON text) and each processed frame as
a binary JPEG message just before its `pose` event (for the server's own sources encoded only while some tab can
take it: see `Coach.video_wanted`; a browser camera's frames go to every tab but its own); client -> server, the
controls of `coach.events.Control` (JSON text) and, for the browser-camera source, binary frames: an 8-byte
little-endian float64 capture time in ms, then the JPEG bytes; when those stop coming the session pauses the set
and tells every tab (`coach.sources.QuietWatch`).
Browsers are only let in from the overlay's own origin (no other web page may drive or watch the camera).
Every limit a misbehaving or hostile client could hit is enforced here, per connection: message size, message rate
(token bucket), tabs open at once, and the backlog of unsent events (a tab that stops reading is dropped, so it can
never hold memory or slow the others). Broadcast events carry `seq`, the order they were sent in.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import logging
import struct
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError

from coach.circuit import TIPS, Circuit, CircuitMoves, SetResult
from coach.events import (
    CONTROL_ADAPTER,
    DayKind,
    ErrorEvent,
    HelloEvent,
    Routine,
    Settings,
    SourceKind,
    StartControl,
    WarningEvent,
    dump,
)
from coach.history import HistoryRecorder
from coach.history.api import history_router
from coach.landmarks import SKELETON_EDGES
from coach.live import LiveSession, live_models
from coach.pairing.guard import paired_device
from coach.pose import SharedEstimator
from coach.recorded.api import video_router
from coach.recorded.jobs import MAX_UPLOAD_BYTES, VideoJobs
from coach.routines import PRESET_NAMES, RoutineError, RoutineStore, presets
from coach.routines.api import routines_router

if TYPE_CHECKING:
    from coach.pairing.listener import Lan

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
MAX_CONTROL_BYTES = 4_096  # a control message is a few dozen bytes
MAX_FRAME_BYTES = 2_000_000  # a 640x480 JPEG is ~50 kB; 1080p at high quality stays well under this
FRAME_HEADER = struct.Struct("<d")
CLIENT_BACKLOG = 8  # frames/poses waiting for a slow client beyond this are skipped for that client
MAX_OUTBOX = 512  # events a tab has not taken yet; beyond this it is not reading and is dropped (minutes of events)
MAX_CLIENTS = 16  # tabs connected at once; one living room needs a few
MESSAGES_PER_S = 60.0  # per tab: browser-camera frames (up to 30 fps) plus controls
MESSAGE_BURST = 120
CLOSE_TRY_AGAIN = 1013  # WebSocket close code "try again later": too many tabs
CLOSE_POLICY = 1008  # WebSocket close code "policy violation": foreign origin, not reading
STICKY_TYPES = ("round", "move", "state", "summary")  # replayed to a tab that joins mid-session
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


@dataclass
class ServeConfig:
    """What `coach serve` decided at start-up."""

    source_spec: str | None = None  # a video path or webcam index; None = only the browser's camera
    source_kind: SourceKind = "none"
    source_name: str = ""
    source_note: str = ""
    speed: float = 1.0
    model: str | None = None  # a pinned pose model variant; None: full, lite while full cannot keep up (live)
    settings: Settings = field(default_factory=Settings)
    host: str = "127.0.0.1"
    port: int = 8000
    keep_history: bool = True  # record each finished set in the history database
    autostart: bool = False  # start a session when the first tab connects (the sample-video demo without a webcam)
    history_dir: str | None = None  # None: COACH_DATA_DIR or the user data dir (routines are kept there too)
    upload_dir: str | None = None  # videos sent to the "Analyse a video" page; None: a temporary folder
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    routine: Routine | None = None  # `coach serve --routine`; None: the last one used (Full circuit at first)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_port(netloc: str, default_port: int) -> tuple[str, int] | None:
    try:
        parts = urlsplit(f"//{netloc}")
        return (parts.hostname or "").lower(), parts.port or default_port
    except ValueError:
        return None


def origin_allowed(origin: str | None, host_header: str | None, config: ServeConfig) -> bool:
    """Same-origin browsers only. Non-browser clients send no Origin and are allowed.

    The page's origin must equal the Host it asked for (same host:port) or be a loopback name with our port; when
    we listen on loopback the Host must be a loopback name too, which defeats DNS rebinding.
    """
    if origin is None:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https"):
        return False
    origin_hp = _host_port(parts.netloc, 443 if parts.scheme == "https" else 80)
    host_hp = _host_port(host_header or "", 80)
    if origin_hp is None or host_hp is None:
        return False
    if is_loopback(config.host) and not is_loopback(host_hp[0]):
        return False
    if origin_hp == host_hp:
        return True
    return is_loopback(origin_hp[0]) and origin_hp[1] == config.port


def request_allowed(origin: str | None, host_header: str | None, config: ServeConfig) -> bool:
    """An HTTP request the page's API may serve: `origin_allowed`, and a loopback Host when we listen on loopback
    even without an Origin (a same-origin GET sends none, and a DNS-rebinding page would be same-origin)."""
    host_hp = _host_port(host_header or "", 80)
    if is_loopback(config.host) and (host_hp is None or not is_loopback(host_hp[0])):
        return False
    return origin_allowed(origin, host_header, config)


class _Client:
    """One connected tab: an outbox drained by its own sender task; a slow tab misses frames, never events, and a
    tab that stops reading altogether (MAX_OUTBOX) is dropped."""

    def __init__(self, websocket: WebSocket, clock: Callable[[], float] = time.monotonic) -> None:
        self.websocket = websocket
        self.outbox: deque[tuple[str | bytes, bool]] = deque()
        self.wakeup = asyncio.Event()
        self.droppable = 0
        self.too_slow = False
        self.tasks: list[asyncio.Task[Any]] = []  # its reader and sender, cancelled when it is dropped
        self._clock = clock
        self._tokens = MESSAGE_BURST
        self._refilled_s = clock()
        self._limited = False

    def push(self, message: str | bytes, droppable: bool) -> None:
        if self.too_slow:
            return
        if droppable:
            if self.droppable >= CLIENT_BACKLOG:
                return
            self.droppable += 1
        self.outbox.append((message, droppable))
        self.wakeup.set()
        if len(self.outbox) > MAX_OUTBOX:
            self.drop()

    def ready_for_frame(self) -> bool:
        """Whether a video frame pushed now would be queued rather than skipped (see `push`)."""
        return not self.too_slow and self.droppable < CLIENT_BACKLOG

    def drop(self) -> None:
        """Stop serving a tab that does not read: free its backlog and end its tasks (the endpoint closes it)."""
        log.warning("dropped a tab that stopped reading (%d events waiting)", len(self.outbox))
        self.too_slow = True
        self.outbox.clear()
        for task in self.tasks:
            task.cancel()

    def allow(self) -> bool | None:
        """Token bucket per tab: True = handle the message; False = drop it and tell the tab once; None = drop it."""
        now_s = self._clock()
        self._tokens = min(MESSAGE_BURST, self._tokens + (now_s - self._refilled_s) * MESSAGES_PER_S)
        self._refilled_s = now_s
        if self._tokens >= 1:
            self._tokens -= 1
            self._limited = False
            return True
        if self._limited:
            return None
        self._limited = True
        return False

    async def pump(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.outbox:
                message, droppable = self.outbox.popleft()
                self.droppable -= droppable
                if isinstance(message, bytes):
                    await self.websocket.send_bytes(message)
                else:
                    await self.websocket.send_text(message)


class Coach:
    """The server's state: the connected tabs, the one live session, the routine and settings for the next start."""

    def __init__(self, config: ServeConfig, moves: CircuitMoves | None = None) -> None:
        self.config = config
        self.routines = RoutineStore(config.history_dir, base=config.settings)
        self.routines_warning: str | None = None  # a routines file set aside or unreadable: told to every tab
        self.routine = config.routine or self._last_routine()
        self.settings = self.routine.settings()
        self.clients: list[_Client] = []
        self.sticky: dict[str, str] = {}
        self.session: LiveSession | None = None
        self.session_owner: _Client | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.clock: Callable[[], float] = time.monotonic  # rate limits and the browser camera's watchdog; a test seam
        self._history_warned: LiveSession | None = None
        self._seq = itertools.count(1)
        self.autostarted = False
        self._moves = moves
        self.history = HistoryRecorder.open(config.history_dir) if config.keep_history else None
        # the start sheet's default: the last after-run / rest-day choice, kept in the history (only those two notes)
        self.day = cast("DayKind | None", self.history.last_day_note() if self.history is not None else None)
        # built on the first session, closed at shutdown; full (lite while it cannot keep up) unless --model pins one
        self.estimator = SharedEstimator(lambda: live_models(config.model or "full"))
        self._starting = asyncio.Lock()  # one start at a time, so no session is replaced without being stopped

    def _last_routine(self) -> Routine:
        try:
            routine = self.routines.last_used()
        except RoutineError as exc:
            self.routines_warning = str(exc)
            return presets(self.config.settings)[0]
        self.routines_warning = self.routines.warning
        return routine

    def _routine_list(self) -> list[Routine]:
        try:
            return self.routines.routines()
        except RoutineError:
            return presets(self.config.settings)  # said once already (`routines_warning`); the presets still work

    @property
    def moves(self) -> CircuitMoves:
        if self._moves is None:
            self._moves = CircuitMoves.standard()
        return self._moves

    def hello(self) -> HelloEvent:
        moves = self.moves
        return HelloEvent(
            source=self.config.source_kind, source_name=self.config.source_name, source_note=self.config.source_note,
            settings=self.settings, state=self.session.circuit.state if self.session else "idle",
            moves=[moves.info(m) for m in moves.move_ids], tips=list(TIPS),
            skeleton_edges=[(int(a), int(b)) for a, b in SKELETON_EDGES], day=self.day,
            routines=self._routine_list(), routine=self.routine.name, builtin_routines=len(PRESET_NAMES),
        )

    # ---- fan-out (video_wanted from the feeder thread, the rest from the pipeline thread) ----

    def video_wanted(self) -> bool:
        """Asked by the session's feeder thread before it encodes a frame for the overlay: skip the encode when no tab
        would take it. Reads the tabs without the event loop: an answer one frame stale costs one frame, no more."""
        return any(client.ready_for_frame() for client in list(self.clients))

    def emit_threadsafe(self, messages: list[BaseModel | bytes]) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._fanout, messages)

    def _fanout(self, messages: list[BaseModel | bytes]) -> None:
        for message in messages:
            if isinstance(message, bytes):
                for client in self.clients:
                    if client is not self.session_owner:  # a browser camera's own page draws its own video
                        client.push(message, droppable=True)
                continue
            kind = getattr(message, "type", "")
            if hasattr(message, "seq"):
                message.seq = next(self._seq)
            text = dump(message)
            if kind in STICKY_TYPES:
                self.sticky[kind] = text
            for client in self.clients:
                client.push(text, droppable=kind == "pose")

    # ---- controls ----

    async def start(self, control: StartControl, client: _Client) -> None:
        if control.routine is not None:
            self.routine, self.settings = control.routine, control.routine.settings()
        elif control.settings is not None:
            self.settings = control.settings
        if control.day is not None:
            self.day = control.day
        if control.source == "server" and self.config.source_spec is None:
            client.push(dump(ErrorEvent(code="no_source", message="The server has no camera or video; choose "
                                        "'this device's camera' instead.")), droppable=False)
            return
        async with self._starting:  # two tabs pressing start together: the second stops the first's session
            await self.stop_session()
            self.sticky.clear()
            on_set_done, on_finish = self._history_hooks(control)
            moves = self.moves.for_routine(self.routine.moves)
            self.session = LiveSession(
                self.settings, self.emit_threadsafe,
                source_spec=self.config.source_spec if control.source == "server" else None,
                speed=self.config.speed, on_set_done=on_set_done, on_finish=on_finish,
                make_circuit=lambda settings, on_set_done: Circuit(settings, moves, on_set_done=on_set_done),
                shared_estimator=self.estimator, video_wanted=self.video_wanted, clock_s=self.clock,
                keep_up=self.config.model is None,
            )
            self.session_owner = client if control.source == "browser" else None
            self.session.start()
        self._remember_routine()
        self._warn_if_history_off()

    def _remember_routine(self) -> None:
        """The next start sheet preselects this routine when it is a saved one (an unsaved edit leaves the last saved
        choice in place); a store that cannot be written only loses that."""
        try:
            self.routines.mark_used(self.routines.get(self.routine.name).name)
        except RoutineError as exc:
            log.info("routine not remembered: %s", exc)

    def _history_hooks(self, control: StartControl) -> tuple[Callable[[SetResult], None] | None,
                                                             Callable[[], None] | None]:
        """The one seam to the history store: a session row per start, a set row per finished set."""
        if self.history is None:
            return None, None
        self.history.end_session()
        from_file = control.source == "server" and self.config.source_kind == "file"
        self.history.start_session(rounds=self.settings.rounds, set_seconds=self.settings.seconds,
                                   source="replay" if from_file else "live", note=control.day,
                                   routine=self.routine.name, routine_moves=self.routine.moves)
        history = self.history

        def on_set_done(result: SetResult) -> None:
            history.record_set_result(result)  # never raises; a full or read-only disk turns history off
            self._warn_if_history_off()

        return on_set_done, history.end_session

    def _warn_if_history_off(self) -> None:
        """Tell the tabs, once per session, that sets are not being saved (the coaching itself carries on)."""
        warning = self.history.warning if self.history is not None else None
        if warning and self._history_warned is not self.session:
            self._history_warned = self.session
            self.emit_threadsafe([WarningEvent(warning_id="history_off", text=warning)])

    async def stop_session(self) -> None:
        if self.session is not None:
            session, self.session, self.session_owner = self.session, None, None
            await asyncio.to_thread(session.stop)

    async def handle_text(self, client: _Client, text: str) -> None:
        if len(text.encode()) > MAX_CONTROL_BYTES:
            self._error(client, "too_large", f"Control messages are limited to {MAX_CONTROL_BYTES} bytes.")
            return
        try:
            control = CONTROL_ADAPTER.validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            if first["type"] == "json_invalid":
                self._error(client, "bad_json", "That message was not valid JSON.")
            elif first["type"] in ("union_tag_invalid", "union_tag_not_found"):
                self._error(client, "unknown_type", "Unknown control type; expected start, pause, resume, skip, "
                            "stop or settings.")
            else:
                where = ".".join(str(p) for p in first["loc"])
                self._error(client, "invalid", f"Invalid control ({where}: {first['msg']}).")
            return
        if control.type == "start":
            await self.start(control, client)
        elif control.type == "settings":
            self.settings = control.settings
        elif self.session is None:
            self._error(client, "no_session", "No session is running; send start first.")
        else:
            self.session.control(control.type)

    def handle_bytes(self, client: _Client, data: bytes) -> None:
        if len(data) > MAX_FRAME_BYTES:
            self._error(client, "too_large", f"Camera frames are limited to {MAX_FRAME_BYTES} bytes.")
            return
        if self.session is None or self.session_owner is not client:
            self._error(client, "no_session", "Camera frames need a browser-camera session; send start first.")
            return
        if len(data) <= FRAME_HEADER.size:
            self._error(client, "bad_frame", "A camera frame must be an 8-byte time followed by JPEG bytes.")
            return
        (client_ms,) = FRAME_HEADER.unpack_from(data)
        self.session.offer_browser_frame(data[FRAME_HEADER.size:], client_ms)

    @staticmethod
    def _error(client: _Client, code: str, message: str) -> None:
        client.push(dump(ErrorEvent(code=code, message=message)), droppable=False)


def create_app(config: ServeConfig, moves: CircuitMoves | None = None, lan: Lan | None = None) -> FastAPI:
    """The FastAPI app: /ws for events and controls, the overlay at /, and the history API when present.

    With `lan` (`coach serve --pair`) it also has the pairing sheet's API, and the same app is served on the LAN
    listener behind `coach.pairing.guard.LanGuard`, which lets in paired devices only and marks their requests."""
    coach = Coach(config, moves)
    videos = VideoJobs(Path(config.upload_dir) if config.upload_dir else None, config.max_upload_bytes)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await coach.stop_session()
        await asyncio.to_thread(coach.estimator.close)
        await asyncio.to_thread(videos.close)

    def same_origin(request: Request) -> None:
        device = paired_device(request)
        if device is not None:  # over the LAN listener, whose guard has checked Host, Origin and the token
            if not device.allow_history:
                raise HTTPException(403, "This device was paired without access to your history and videos.")
            return
        if not request_allowed(request.headers.get("origin"), request.headers.get("host"), config):
            raise HTTPException(403, "Only the Stride Coach page on this computer may use this.")

    app = FastAPI(title="Stride Coach", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.coach = coach
    app.state.videos = videos

    @app.websocket("/ws")
    async def websocket_endpoint(websocket: WebSocket) -> None:
        lan_checked = paired_device(websocket) is not None  # the LAN guard checked its own Host and Origin
        if not lan_checked and not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"),
                                                  config):
            log.warning("refused a WebSocket from origin %s", websocket.headers.get("origin"))
            await websocket.close(code=CLOSE_POLICY)
            return
        await websocket.accept()
        if len(coach.clients) >= MAX_CLIENTS:
            await websocket.close(code=CLOSE_TRY_AGAIN, reason=f"Too many coach tabs are open (limit {MAX_CLIENTS}); "
                                  "close one and reload.")
            return
        coach.loop = asyncio.get_running_loop()
        client = _Client(websocket, coach.clock)
        client.push(dump(coach.hello()), droppable=False)
        if coach.routines_warning:
            client.push(dump(WarningEvent(warning_id="routines_set_aside", text=coach.routines_warning)),
                        droppable=False)
        for text in coach.sticky.values():
            client.push(text, droppable=False)
        coach.clients.append(client)
        if config.autostart and not coach.autostarted:
            coach.autostarted = True
            await coach.start(StartControl(type="start"), client)
        pump = asyncio.create_task(client.pump())
        reader = asyncio.current_task()
        client.tasks = [pump] if reader is None else [pump, reader]
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                allowed = client.allow()
                if allowed is None:
                    continue
                if allowed is False:
                    coach._error(client, "rate_limited", f"Too many messages; the limit is {MESSAGES_PER_S:.0f} a "
                                 "second, so some were ignored.")
                elif message.get("text") is not None:
                    await coach.handle_text(client, message["text"])
                elif message.get("bytes") is not None:
                    coach.handle_bytes(client, message["bytes"])
        except WebSocketDisconnect:
            pass
        except asyncio.CancelledError:
            if not client.too_slow:
                raise
            if reader is not None:
                reader.uncancel()  # our own cancel (see _Client.drop): carry on to the close below
        finally:
            pump.cancel()
            coach.clients.remove(client)
            if coach.session_owner is client:
                await coach.stop_session()
        if client.too_slow:  # best effort: a tab that does not read may not take the close frame either
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(code=CLOSE_POLICY, reason="This tab stopped reading events "
                                                       "and was disconnected; reload it."), timeout=1.0)

    app.include_router(history_router(config.history_dir, loopback_only=is_loopback(config.host)))
    app.include_router(video_router(videos, same_origin, config.history_dir))
    app.include_router(routines_router(coach.routines, loopback_only=is_loopback(config.host)))
    if lan is not None:
        from coach.pairing.api import pairing_router

        app.include_router(pairing_router(lan, same_origin))
    app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")
    return app
