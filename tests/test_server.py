"""The live server end to end over a sample video: WebSocket events match the clip's labels, bad messages get an
error event without ending the session, foreign origins are refused, and `coach serve` picks a sensible source."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from coach.cli.serve import resolve_source
from coach.errors import CoachError
from coach.events import EVENT_ADAPTER, Settings
from coach.server import (
    CLIENT_BACKLOG,
    MAX_CONTROL_BYTES,
    MAX_FRAME_BYTES,
    Coach,
    ServeConfig,
    _Client,
    create_app,
    origin_allowed,
)

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
CLIP = SAMPLES / "bridge_march_a.mp4"
HOLD_TOLERANCE_S = 1.0


def labels(clip: Path) -> dict:
    return json.loads(clip.with_suffix(".json").read_text())


def make_client(tmp_path: Path, clip: Path = CLIP) -> TestClient:
    config = ServeConfig(source_spec=str(clip), source_kind="file", source_name=clip.name, speed=0,
                         settings=Settings(mode="follow"), history_dir=str(tmp_path))
    return TestClient(create_app(config))


def receive_until(ws, stop_type: str, limit: int = 100_000) -> list:
    """Events (parsed with the wire schema) up to and including the first of `stop_type`; JPEG frames counted."""
    events = []
    for _ in range(limit):
        message = ws.receive()
        if message.get("bytes") is not None:
            continue
        event = EVENT_ADAPTER.validate_json(message["text"])
        events.append(event)
        if event.type == stop_type:
            return events
        if event.type == "summary" or (event.type == "error" and event.code in ("pipeline", "source")):
            raise AssertionError(f"the session ended before a {stop_type} event: {event}")
    raise AssertionError(f"no {stop_type} event")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """One follow-mode session over the clip, with malformed messages sent while it runs."""
    tmp_path = tmp_path_factory.mktemp("history")
    with make_client(tmp_path) as client, client.websocket_connect("/ws") as ws:
        hello = EVENT_ADAPTER.validate_json(ws.receive_text())
        ws.send_text(json.dumps({"type": "start", "settings": {"mode": "follow"}}))
        before = receive_until(ws, "rep")
        ws.send_text("{not json")
        ws.send_text(json.dumps({"type": "explode"}))
        ws.send_text(json.dumps({"type": "settings", "settings": {"seconds": 5}}))
        ws.send_text(json.dumps({"type": "pause", "padding": "x" * MAX_CONTROL_BYTES}))
        ws.send_bytes(b"\xff" * (MAX_FRAME_BYTES + 1))
        ws.send_bytes(b"\xff\xd8 not a browser-camera session")
        after = receive_until(ws, "summary")
        sessions = client.get("http://127.0.0.1:8000/api/history/sessions").json()["sessions"]
    return {"hello": hello, "events": before + after, "after": after, "history": sessions}


def test_hello_describes_source_and_circuit(session):
    hello = session["hello"]
    assert hello.source == "file" and hello.source_name == CLIP.name
    assert [m.move_id for m in hello.moves][2] == "bridge_march"
    assert any("comfortable" in tip for tip in hello.tips)


def test_rep_and_hold_events_and_summary_match_the_labels(session):
    expected = labels(CLIP)["expected"]
    events = session["events"]
    summary = events[-1]
    assert summary.type == "summary"
    by_move = {m.move_id: m for m in summary.moves}
    for move_id, want in expected.items():
        got = by_move[move_id].sides
        for side, reps in want.get("reps", {}).items():
            assert (got[side].reps if side in got else 0) == reps, (move_id, side)
            rep_events = [e for e in events if e.type == "rep" and e.move_id == move_id and e.side == side]
            assert len(rep_events) == reps and [e.count for e in rep_events] == list(range(1, reps + 1))
        for side, hold_s in want.get("hold_s", {}).items():
            got_s = got[side].hold_s if side in got else 0.0
            assert abs(got_s - hold_s) <= HOLD_TOLERANCE_S, (move_id, side, got_s, hold_s)
    assert any(e.type == "pose" and e.points for e in events)
    assert events[-2].type in ("cue", "state")


def test_bad_messages_get_one_error_each_and_the_session_continues(session):
    after = session["after"]
    codes = [e.code for e in after if e.type == "error"]
    assert codes == ["bad_json", "unknown_type", "invalid", "too_large", "too_large", "no_session"]
    last_error = max(i for i, e in enumerate(after) if e.type == "error")
    assert any(e.type == "pose" for e in after[last_error:])
    assert after[-1].type == "summary"


def test_finished_sets_are_recorded_in_the_history(session):
    assert len(session["history"]) == 1


def test_consecutive_sessions_share_one_estimator_and_count_alike(tmp_path, monkeypatch):
    """The server builds one pose model for its life (a graph per start grew memory by ~30 MB a start); a second
    session on it starts again at t_ms 0 and counts exactly what the first did."""
    from coach.pose import PoseEstimator

    built: list = []

    class Recorded(PoseEstimator):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)
            self.sessions, self.closed = 1, False

        def begin_session(self) -> None:
            self.sessions += 1
            super().begin_session()

        def close(self) -> None:
            self.closed = True
            super().close()

    monkeypatch.setattr("coach.pose.PoseEstimator", Recorded)
    runs = []
    with make_client(tmp_path) as client, client.websocket_connect("/ws") as ws:
        ws.receive_text()  # hello
        for _ in range(2):
            ws.send_text(json.dumps({"type": "start", "settings": {"mode": "follow"}}))
            runs.append(receive_until(ws, "summary"))
        assert len(built) == 1 and built[0].sessions == 2 and not built[0].closed
    assert built[0].closed  # the server's shutdown frees it

    def counts(events: list) -> tuple:
        reps = [(e.move_id, e.side, e.count, e.t_ms) for e in events if e.type == "rep"]
        summary = {m.move_id: {side: s.reps for side, s in m.sides.items()} for m in events[-1].moves}
        return reps, summary, next(e.t_ms for e in events if e.type == "pose")

    first, second = counts(runs[0]), counts(runs[1])
    assert first[0] and first[2] == 0
    assert second == first


def test_two_starts_at_once_leave_one_session_running(monkeypatch):
    """Starts are serialised: without that, a start waiting for the old session to stop let a second start slip in,
    and the first then replaced the second's session without stopping it (two sessions on the shared estimator)."""
    import asyncio

    from coach.events import StartControl

    sessions: list = []

    class FakeSession:
        def __init__(self, *args, **kwargs) -> None:
            self.stopped = False
            sessions.append(self)

        def start(self) -> None:
            pass

        def stop(self) -> None:
            self.stopped = True

    monkeypatch.setattr("coach.server.LiveSession", FakeSession)
    coach = Coach(ServeConfig(source_spec="clip.mp4", keep_history=False))
    tab = _Client(websocket=None)  # type: ignore[arg-type]

    async def press_start(times: int) -> None:
        await asyncio.gather(*(coach.start(StartControl(type="start"), tab) for _ in range(times)))

    asyncio.run(press_start(1))
    asyncio.run(press_start(2))
    assert [s.stopped for s in sessions] == [True, True, False]
    assert coach.session is sessions[-1]


def test_foreign_origin_is_refused_and_same_origin_accepted(tmp_path):
    with make_client(tmp_path) as client:
        with pytest.raises(WebSocketDisconnect), \
                client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws:
            ws.receive_text()
        with client.websocket_connect("ws://127.0.0.1:8000/ws", headers={"origin": "http://127.0.0.1:8000"}) as ws:
            assert json.loads(ws.receive_text())["type"] == "hello"
        with client.websocket_connect("/ws") as ws:  # no Origin: not a browser, allowed
            assert json.loads(ws.receive_text())["type"] == "hello"


@pytest.mark.parametrize(("origin", "host", "allowed"), [
    (None, "127.0.0.1:8000", True),
    ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
    ("http://localhost:8000", "127.0.0.1:8000", True),
    ("http://localhost:3000", "127.0.0.1:8000", False),
    ("http://evil.example", "127.0.0.1:8000", False),
    ("http://evil.example:8000", "evil.example:8000", False),  # DNS rebinding onto a loopback server
    ("null", "127.0.0.1:8000", False),
    ("file://", "127.0.0.1:8000", False),
])
def test_origin_rules_on_loopback(origin, host, allowed):
    assert origin_allowed(origin, host, ServeConfig(host="127.0.0.1", port=8000)) is allowed


def test_origin_rules_on_a_lan_address():
    config = ServeConfig(host="0.0.0.0", port=8000)
    assert origin_allowed("http://192.168.1.5:8000", "192.168.1.5:8000", config)
    assert not origin_allowed("http://192.168.1.9:8000", "192.168.1.5:8000", config)


def test_serve_falls_back_to_the_sample_video_without_a_webcam():
    spec, kind, name, note = resolve_source(None)
    if kind == "webcam":
        pytest.skip("this machine has a webcam")
    assert kind == "file" and name == "circuit_full.mp4" and Path(spec).exists()
    assert note.startswith("No webcam found")


def test_serve_reports_a_bad_source_in_one_sentence(tmp_path):
    with pytest.raises(CoachError, match="No such video file"):
        resolve_source(str(tmp_path / "missing.mp4"))


class _NoPersonEstimator:
    """Stands in for the pose model where only the frame delivery is under test."""

    def detect(self, frame):
        return None

    def close(self) -> None:
        pass


def test_a_video_file_is_never_dropped_from_so_any_speed_gives_the_same_events(make_video):
    from coach.live import LiveSession

    clip = make_video("grey.mp4", 45)

    def run(speed: float) -> list[dict]:
        messages: list = []
        session = LiveSession(Settings(mode="follow"), messages.extend, source_spec=str(clip), speed=speed,
                              make_estimator=_NoPersonEstimator)
        session.start()
        assert session.done.wait(60)
        session.stop()
        return [m.model_dump(exclude={"captured_wall_ms"}) for m in messages if not isinstance(m, bytes)]

    fast, paced = run(0), run(8.0)
    assert [e["frame_index"] for e in fast if e["type"] == "pose"] == list(range(45))
    assert fast == paced
    assert [e["type"] for e in fast[-2:]] == ["summary", "state"]


def test_the_sample_video_demo_starts_when_the_first_tab_connects(make_video, tmp_path):
    clip = make_video("grey.mp4", 30)
    config = ServeConfig(source_spec=str(clip), source_kind="file", speed=0, settings=Settings(mode="follow"),
                         history_dir=str(tmp_path), autostart=True)
    with TestClient(create_app(config)) as client, client.websocket_connect("/ws") as ws:
        assert json.loads(ws.receive_text())["type"] == "hello"
        events = receive_until(ws, "summary")  # no start sent
    # The whole clip ran: the summary comes at the last frame's time (pose events may be skipped for a busy reader).
    assert events[-1].t_ms == pytest.approx(29 * 1000 / 30, abs=2)
    assert any(e.type == "pose" for e in events)


def test_overlay_frames_are_encoded_by_the_feeder_only_when_a_tab_wants_them(make_video, monkeypatch):
    """The pipeline (inference) thread never encodes a JPEG; a wanted frame goes out just before its pose event."""
    import cv2

    from coach.live import LiveSession

    clip = make_video("grey.mp4", 12)
    real_imencode = cv2.imencode
    encoded_by: list[str] = []

    def imencode(*args):
        encoded_by.append(threading.current_thread().name)
        return real_imencode(*args)

    monkeypatch.setattr(cv2, "imencode", imencode)

    def run(video_wanted) -> list:
        messages: list = []
        session = LiveSession(Settings(mode="follow"), messages.extend, source_spec=str(clip), speed=0,
                              make_estimator=_NoPersonEstimator, video_wanted=video_wanted)
        session.start()
        assert session.done.wait(60)
        session.stop()
        return messages

    asked = itertools.count()
    messages = run(lambda: next(asked) % 3 == 0)  # asked once per frame, in frame order
    jpegs = [m for m in messages if isinstance(m, bytes)]
    assert [after.frame_index for m, after in itertools.pairwise(messages) if isinstance(m, bytes)] == [0, 3, 6, 9]
    assert all(cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR).shape == (48, 64, 3) for j in jpegs)
    assert encoded_by == ["coach-_run_feeder"] * 4
    assert not any(isinstance(m, bytes) for m in run(None))  # nobody asks: no frames at all


def test_a_browser_camera_frame_is_passed_on_as_it_came_just_before_its_pose():
    """For the other tabs (a laptop showing a paired phone's camera); the server keeps it from the camera's own tab
    (`test_reliability_camera`)."""
    import cv2

    from coach.live import LiveSession

    messages: list = []
    posed = threading.Event()

    def emit(batch: list) -> None:
        messages.extend(batch)
        if any(getattr(m, "type", "") == "pose" for m in batch):
            posed.set()

    session = LiveSession(Settings(mode="follow"), emit, source_spec=None, make_estimator=_NoPersonEstimator,
                          video_wanted=lambda: True)
    session.start()
    try:
        _ok, jpeg = cv2.imencode(".jpg", np.zeros((48, 64, 3), np.uint8))
        session.offer_browser_frame(jpeg.tobytes(), 1000.0)
        assert posed.wait(30)
    finally:
        session.stop()
    (index,) = [i for i, m in enumerate(messages) if isinstance(m, bytes)]
    assert messages[index] == jpeg.tobytes() and messages[index + 1].type == "pose"


def test_frames_are_encoded_only_while_some_tab_can_take_one():
    coach = Coach(ServeConfig(keep_history=False))
    assert not coach.video_wanted()  # nobody watching
    behind = _Client(websocket=None)  # type: ignore[arg-type]  # only pushed to, never sent from
    coach.clients.append(behind)
    assert coach.video_wanted()
    for _ in range(CLIENT_BACKLOG):
        behind.push(b"jpeg", droppable=True)
    assert not coach.video_wanted()  # its frame backlog is full: a new frame would be skipped, so not encoded
    coach.clients.append(_Client(websocket=None))  # type: ignore[arg-type]
    assert coach.video_wanted()


def test_after_run_or_rest_day_is_stored_with_the_session_and_offered_next_time(tmp_path, monkeypatch):
    from fakes import fake_live_models, tick_moves

    from coach.history import HistoryStore

    monkeypatch.setattr("coach.server.live_models", fake_live_models)
    with HistoryStore.open(tmp_path) as store:
        store.start_session(rounds=1, set_seconds=30, note="rest-day", started_at="2025-06-01T07:00:00+00:00")
        store.start_session(rounds=1, set_seconds=30, source="replay", started_at="2025-06-02T07:00:00+00:00")

    def app():
        return create_app(ServeConfig(history_dir=str(tmp_path), settings=Settings(mode="follow")),
                          moves=tick_moves())

    with TestClient(app()) as client, client.websocket_connect("/ws") as ws:
        hello = EVENT_ADAPTER.validate_json(ws.receive_text())
        assert hello.day == "rest-day"  # the last choice; the untagged replay after it does not erase it
        ws.send_text(json.dumps({"type": "start", "source": "browser", "day": "after-run"}))
        ws.send_text(json.dumps({"type": "stop"}))
        receive_until(ws, "summary")
    with TestClient(app()) as client, client.websocket_connect("/ws") as ws:
        assert EVENT_ADAPTER.validate_json(ws.receive_text()).day == "after-run"
    with HistoryStore.open(tmp_path) as store:
        assert [s.note for s in store.sessions()] == ["rest-day", None, "after-run"]
