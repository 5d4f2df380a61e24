"""Data faults: `kill -9` at random points of live sessions never corrupts the history and loses at most the set
in progress; a full disk or an unusable data folder turns history off with one warning and coaching carries on."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import encode_video
from fakes import FakeEstimator, PassThroughSmoother, make_pose, tick_moves
from fastapi.testclient import TestClient

from coach.circuit import Circuit
from coach.events import Settings
from coach.history import DB_FILENAME, HistoryRecorder, HistoryStore
from coach.server import ServeConfig, create_app

TESTS = Path(__file__).resolve().parent
KILLS = 6
KILL_AFTER_SETS = (0, 12)  # each kill comes after a random number of committed sets in this range
CHILD_TIMEOUT_S = 60


def kill_child_after(data_dir: Path, sets: int) -> list[tuple[int, int]]:
    """Start the child, read `sets` commit markers, SIGKILL it; returns the (session, set id) markers read."""
    child = subprocess.Popen([sys.executable, str(TESTS / "fakes.py"), str(data_dir)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=TESTS.parent,
                             env={**os.environ, "PYTHONPATH": str(TESTS.parent)})
    markers = []
    try:
        assert child.stdout is not None
        while len(markers) < sets:
            line = child.stdout.readline()
            assert line.startswith("SET "), f"child ended early: {line!r} {child.stderr.read() if child.stderr else ''}"
            _, session, set_id = line.split()
            markers.append((int(session), int(set_id)))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(CHILD_TIMEOUT_S)
    assert child.returncode == -signal.SIGKILL
    return markers


def test_kill_9_at_random_points_never_corrupts_and_loses_at_most_the_set_in_progress(tmp_path: Path) -> None:
    rng = random.Random(20240607)
    confirmed: set[int] = set()
    for _ in range(KILLS):
        markers = kill_child_after(tmp_path, rng.randint(*KILL_AFTER_SETS))
        confirmed |= {set_id for _, set_id in markers}
        with HistoryStore.open(tmp_path) as store:  # opens, migrates and checks like the app does
            assert store.integrity_ok()
            stored = {set_id for session in store.sessions() for set_id, _ in store.sets(session.id)}
        assert confirmed <= stored  # every set reported as saved survived; only the one being coached may be lost
        with sqlite3.connect(tmp_path / DB_FILENAME) as conn:
            partial = conn.execute(
                "SELECT s.id FROM sets s WHERE s.reps != (SELECT COUNT(*) FROM reps r WHERE r.set_id = s.id)"
            ).fetchall()
        assert partial == []  # no half-written set: its reps commit with it


def test_a_full_disk_turns_history_off_with_a_warning_and_the_circuit_carries_on(tmp_path: Path) -> None:
    recorder = HistoryRecorder.open(tmp_path)
    assert recorder.store is not None
    recorder.start_session(rounds=2, set_seconds=30)
    page_count = recorder.store._conn.execute("PRAGMA page_count").fetchone()[0]
    recorder.store._conn.execute(f"PRAGMA max_page_count = {page_count}")  # the disk fills up now
    moves = tick_moves([f"tick_{n}" for n in range(7)])  # 14 sets of ~30 reps: more than the pages left
    circuit = Circuit(Settings(rounds=2, seconds=30), moves, on_set_done=recorder.record_set_result)
    events, t_ms = [], 0
    while circuit.state != "finished" and t_ms < 20 * 60_000:
        events += circuit.update(t_ms, make_pose(t_ms))
        t_ms += 33
    assert circuit.state == "finished"  # all fourteen sets coached
    summary = next(e for e in events if e.type == "summary")
    assert sum(side.reps for move in summary.moves for side in move.sides.values()) >= 14 * 25
    assert recorder.warning is not None and "full" in recorder.warning
    assert recorder.warning.startswith("History is off for this session:")
    assert not recorder.available


def unusable_dirs(tmp_path: Path) -> list[Path]:
    """A folder path that is a file (always fails), and a read-only folder (fails unless we are root)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    dirs = [blocker / "data"]
    if os.geteuid() != 0:
        read_only = tmp_path / "read-only"
        read_only.mkdir()
        read_only.chmod(0o500)
        dirs.append(read_only / "data")
    return dirs


def test_an_unusable_data_folder_gives_one_warning_on_the_overlay_and_the_session_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coach.pose.PoseEstimator", FakeEstimator)
    monkeypatch.setattr("coach.smoothing.PoseSmoother", PassThroughSmoother)
    video = encode_video(tmp_path / "clip.mp4", 20, size=(64, 48))
    for data_dir in unusable_dirs(tmp_path):
        recorder = HistoryRecorder.open(data_dir)
        assert recorder.warning is not None and str(data_dir) in recorder.warning
        config = ServeConfig(source_spec=str(video), source_kind="file", source_name="clip.mp4", speed=0,
                             settings=Settings(mode="follow"), history_dir=str(data_dir))
        with TestClient(create_app(config)) as client, client.websocket_connect("/ws") as ws:
            ws.receive_text()
            ws.send_text(json.dumps({"type": "start", "settings": {"mode": "follow"}}))
            events = []
            while not events or events[-1]["type"] not in ("summary", "error"):
                message = ws.receive()
                if message.get("text"):
                    events.append(json.loads(message["text"]))
        assert events[-1]["type"] == "summary", events[-1]
        warnings = [e for e in events if e["type"] == "warning" and e["warning_id"] == "history_off"]
        assert len(warnings) == 1 and "History is off for this session" in warnings[0]["text"]
        # Every frame coached: the session reached the last frame's time. (Pose events themselves are skipped for a
        # tab that falls behind, by design, and a busy machine can make the test's own reader that tab.)
        assert events[-1]["t_ms"] == pytest.approx(19 * 1000 / 30, abs=2)
        assert any(e["type"] == "pose" for e in events)
