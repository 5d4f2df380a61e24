"""Camera faults, injected with a scripted fake camera: missing or busy at start, unplugged mid-set, frozen pictures.

What the user sees: one sentence saying how to pick another camera (or a file, or the browser's camera); mid-set a
"camera disconnected" warning while the session pauses, then "camera is back" and the same set carrying on; a
"frozen" warning while nothing is counted on the repeated picture; a browser camera that stops sending pauses the set
in every tab and its return resumes it, with no time credited for the gap.
"""

from __future__ import annotations

import itertools
import json
import struct
import threading
from typing import Any

import cv2
import pytest
from fakes import (
    FRAME_MS,
    SAME,
    BusyCamera,
    FakeCamera,
    FakeEstimator,
    Lockstep,
    MissingCamera,
    PassThroughSmoother,
    Unplug,
    fake_live_models,
    picture,
    play_camera_script,
    tick_moves,
)
from fastapi.testclient import TestClient

from coach.events import Settings
from coach.live import LiveSession
from coach.moves import MOVE_IDS
from coach.server import ServeConfig, create_app
from coach.sources import BROWSER_QUIET_AFTER_MS, CameraSource, QuietWatch, SourceError, SourceStatus

WAIT_S = 20.0  # upper bound for a threaded session to finish; they take well under a second


def pictures(first: int, count: int, person: bool = True) -> list[Any]:
    return [picture(n, person=person) for n in range(first, first + count)]


def watched(camera: FakeCamera) -> tuple[CameraSource, list[SourceStatus], threading.Event]:
    source = CameraSource(0, open_capture=camera, clock_ns=camera.clock, retry_s=0)
    statuses: list[SourceStatus] = []
    cancel = threading.Event()

    def on_status(status: SourceStatus) -> None:
        statuses.append(status)
        if camera.exhausted.is_set():
            cancel.set()

    source.watch(on_status, cancel)
    return source, statuses, cancel


# ------------------------------------------------------------------------------------------------ at start-up
def test_missing_camera_says_how_to_pick_another_source() -> None:
    with pytest.raises(SourceError) as caught:
        CameraSource(3, open_capture=MissingCamera())
    text = str(caught.value)
    assert text.startswith("No camera is available at index 3")
    assert "--source 1" in text and "--source FILE" in text and "This device's camera" in text
    assert "\n" not in text and text.endswith(".")


def test_busy_camera_names_the_likely_cause() -> None:
    with pytest.raises(SourceError, match=r"another program .*is probably using it"):
        CameraSource(0, open_capture=BusyCamera())


def test_camera_that_exists_but_will_not_open_is_called_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coach.sources._device_exists", lambda index: True)
    with pytest.raises(SourceError, match=r"^Camera 2 exists but cannot be opened: another program"):
        CameraSource(2, open_capture=MissingCamera())


# ------------------------------------------------------------------------------------------------ mid-stream
def test_unplugged_camera_is_reported_waited_for_and_carries_on() -> None:
    camera = FakeCamera([*pictures(0, 5), Unplug(gap_ms=4_000, failed_opens=3), *pictures(5, 5)])
    source, statuses, _cancel = watched(camera)
    frames = list(source)
    assert [s.kind for s in statuses] == ["lost", "ok", "lost"]  # the last: the script ran out (unplugged again)
    assert "disconnected" in statuses[0].text and "paused" in statuses[0].text
    assert len(frames) == 10 and [f.index for f in frames] == list(range(10))
    times = [f.t_ms for f in frames]
    assert times == sorted(set(times))  # strictly increasing across the reconnect
    assert times[5] - times[4] >= 4_000  # the time away is visible in the timestamps
    assert camera.opens == 1 + 3 + 1  # the first open, three failed retries, the one that worked


def test_a_camera_nobody_watches_just_ends_when_unplugged() -> None:
    camera = FakeCamera([*pictures(0, 3), Unplug(), *pictures(3, 3)])
    source = CameraSource(0, open_capture=camera, clock_ns=camera.clock, retry_s=0)
    assert len(list(source)) == 3


def test_frozen_pictures_are_never_passed_on_and_are_reported() -> None:
    camera = FakeCamera([*pictures(0, 3), *[SAME] * 60, *pictures(3, 3)])
    source, statuses, _cancel = watched(camera)
    frames = list(source)
    assert [s.kind for s in statuses] == ["frozen", "ok", "lost"]
    assert "frozen" in statuses[0].text
    assert len(frames) == 6  # the 60 repeats (2 s) produced no frame
    assert frames[3].t_ms - frames[2].t_ms >= 60 * FRAME_MS


def test_a_short_repeat_is_dropped_without_a_warning() -> None:
    camera = FakeCamera([*pictures(0, 3), SAME, SAME, *pictures(3, 3)])
    source, statuses, _cancel = watched(camera)
    assert len(list(source)) == 6
    assert [s.kind for s in statuses] == ["lost"]


# ------------------------------------------------------------------------------------------------ live session
def run_live(script: list[Any]) -> tuple[list[Any], FakeEstimator]:
    """A guided (timed) session of the tick circuit over the fake camera; stopped when the script runs out."""
    lockstep = Lockstep()
    camera = FakeCamera(script, lockstep=lockstep)
    estimator = FakeEstimator(lockstep)
    events: list[Any] = []

    def emit(messages: list[Any]) -> None:
        events.extend(m for m in messages if not isinstance(m, bytes))

    moves = tick_moves()
    from coach.circuit import Circuit

    session = LiveSession(
        Settings(mode="timed"), emit, source_spec="0",
        make_circuit=lambda settings, on_set_done: Circuit(settings, moves, on_set_done=on_set_done),
        make_estimator=lambda: estimator, make_smoother=PassThroughSmoother,
        make_source=lambda spec: CameraSource(0, open_capture=camera, clock_ns=camera.clock, retry_s=0.001),
    )
    play_camera_script(session, camera, WAIT_S)
    return events, estimator


def first(events: list[Any], predicate: Any) -> int:
    return next(i for i, e in enumerate(events) if predicate(e))


def test_unplugged_mid_set_pauses_warns_and_resumes_the_same_set() -> None:
    gap_ms = 6_000
    events, _estimator = run_live([*pictures(0, 180), Unplug(gap_ms=gap_ms, failed_opens=2), *pictures(180, 90)])
    lost = first(events, lambda e: e.type == "warning" and e.warning_id == "camera_lost")
    back = first(events, lambda e: e.type == "warning" and e.warning_id == "camera_ok")
    assert "disconnected" in events[lost].text
    before = [e for e in events[:lost] if e.type == "state"][-1]
    assert before.state == "active" and before.move_id == "tick_a" and before.reps["left"] >= 2
    assert any(e.type == "state" and e.state == "paused" for e in events[lost:back])
    resumed = first(events[back:], lambda e: e.type == "state" and e.state == "active") + back
    after = events[resumed]
    assert after.move_id == before.move_id and after.round == before.round  # the same set, not a new one
    assert after.reps["left"] >= before.reps["left"]  # reps kept
    assert after.time_left_ms >= before.time_left_ms - 1_000  # the minutes away did not run the set clock down
    summary = next(e for e in events if e.type == "summary")
    reps_in_events = sum(1 for e in events if e.type == "rep")
    assert summary.moves[0].sides["left"].reps == reps_in_events >= 4


def test_frozen_camera_warns_and_nothing_is_counted_on_the_stale_picture() -> None:
    events, estimator = run_live([*pictures(0, 150), *[SAME] * 90, *pictures(150, 60)])
    frozen = first(events, lambda e: e.type == "warning" and e.warning_id == "camera_frozen")
    moving = first(events, lambda e: e.type == "warning" and e.warning_id == "camera_ok")
    assert "frozen" in events[frozen].text and frozen < moving
    frozen_from_ms, frozen_to_ms = 150 * FRAME_MS, 240 * FRAME_MS
    processed = estimator.frames
    assert not [t for t in processed if frozen_from_ms + FRAME_MS < t < frozen_to_ms]  # no stale frame processed
    assert [e for e in events[frozen:moving] if e.type == "rep"] == []


# ------------------------------------------------------------------------------------------------ browser camera
class SecondsClock:
    """A monotonic clock in seconds that moves only when told (the watchdog's and the rate limiter's)."""

    def __init__(self) -> None:
        self.s = 100.0

    def __call__(self) -> float:
        return self.s


def test_quiet_watch_reports_a_stop_once_and_the_return_once() -> None:
    clock = SecondsClock()
    watch = QuietWatch(quiet_after_ms=2_000, clock_s=clock)
    clock.s += 60
    assert watch.poll() is None  # nothing has arrived yet: a camera still starting is not a stopped one
    watch.arrived()
    clock.s += 1.999
    assert watch.poll() is None
    clock.s += 0.001
    lost = watch.poll()
    assert lost is not None and lost.kind == "lost"
    assert lost.text.startswith("The browser camera stopped; the set is paused")
    clock.s += 30
    assert watch.poll() is None  # said once
    watch.arrived()
    back = watch.poll()
    assert back is not None and back.kind == "ok" and watch.poll() is None


def browser_frame(t_ms: int, n: int) -> bytes:
    ok, jpeg = cv2.imencode(".jpg", picture(n))
    assert ok
    return struct.pack("<d", t_ms) + jpeg.tobytes()


def receive_until(ws: Any, predicate: Any, frames: list[bytes] | None = None) -> list[dict]:
    """Events until (and including) the first that matches; pose events for earlier frames are passed over. Binary
    frames are collected in `frames`; without it a binary message fails the test."""
    events = []
    while True:
        message = ws.receive()
        if message.get("bytes") is not None and frames is not None:
            frames.append(message["bytes"])
            continue
        event = json.loads(message["text"])
        events.append(event)
        if predicate(event):
            return events


def test_a_browser_camera_that_stops_sending_pauses_every_tab_and_resumes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Frames 0-6 s (the set starts at 3 s), then nothing; the watchdog's clock passes the quiet limit; frames come
    back at 16 s (a phone unlocked). Each frame waits for its pose event, so every frame is processed."""
    monkeypatch.setattr("coach.server.live_models", fake_live_models)
    clock = SecondsClock()
    # tick checkers under the real move ids, so the routine a start runs (the Full circuit) finds its moves
    app = create_app(ServeConfig(keep_history=False), moves=tick_moves(MOVE_IDS))
    app.state.coach.clock = clock
    sent = 0

    def send(owner: Any, t_ms: int) -> None:
        nonlocal sent
        clock.s += FRAME_MS / 1000
        owner.send_bytes(browser_frame(t_ms, sent))
        index = sent
        sent += 1
        receive_until(owner, lambda e: e["type"] == "pose" and e["frame_index"] == index)

    with TestClient(app) as client, client.websocket_connect("/ws") as owner, \
            client.websocket_connect("/ws") as watcher:
        owner.send_text(json.dumps({"type": "start", "source": "browser",
                                    "settings": {"mode": "timed", "seconds": 30, "rounds": 1}}))
        for t_ms in range(0, 6_000, FRAME_MS):  # the last frame is at 5973 ms
            send(owner, t_ms)
        clock.s += BROWSER_QUIET_AFTER_MS / 1000
        quiet = receive_until(owner, lambda e: e["type"] == "state" and e["state"] == "paused")
        assert [e["warning_id"] for e in quiet if e["type"] == "warning"] == ["camera_lost"]
        for t_ms in range(16_000, 19_000, FRAME_MS):  # 16000 ... 18970 ms
            send(owner, t_ms)
        owner.send_text(json.dumps({"type": "stop"}))
        rest = receive_until(owner, lambda e: e["type"] == "summary")
        pictures: list[bytes] = []
        seen = receive_until(watcher, lambda e: e["type"] == "summary", pictures)

    # the watching tab sees the camera's picture (the JPEG the page sent); the camera's own tab never gets it back
    assert pictures and all(p.startswith(b"\xff\xd8") for p in pictures)
    warnings = [(e["warning_id"], e["text"]) for e in seen if e["type"] == "warning"]
    assert [w for w, _ in warnings] == ["camera_lost", "camera_ok"]  # the watching tab was told too
    assert warnings[0][1].startswith("The browser camera stopped; the set is paused")
    runs = [state for state, _ in itertools.groupby(e["state"] for e in seen if e["type"] == "state")]
    assert runs == ["get_ready", "active", "paused", "active"]  # stopped: the summary ends it
    summary = rest[-1]
    # set time: 3003 -> 5973 ms before the gap and 16000 -> 18970 ms after it, never the 10 s away
    assert summary["moves"][0]["active_s"] == pytest.approx(2 * 2.970, abs=0.05)  # the summary keeps 0.1 s
    # one rep per second of frames with a person: 2970 + 2937 ms (the first frame back only restarts the clocks)
    assert summary["moves"][0]["sides"]["left"]["reps"] == 5
