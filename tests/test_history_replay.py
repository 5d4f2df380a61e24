"""`coach replay --save`: a replayed video becomes a history session with source "replay"."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from coach import replay
from coach.cli import main
from coach.history import HistoryStore, save_replay_report

REPORT: dict[str, Any] = {
    "video": "clip.mp4",
    "frames": 1800,
    "duration_ms": 60_000,
    "moves": {
        "bridge_march": {
            "reps": {"left": 3, "right": 2},
            "hold_s": {},
            "rom": {"left": [31.0, 33.5, 32.0], "right": [30.0, 29.5]},
            "rom_name": "knee_lift_deg",
            "cues": [{"t_ms": 12_000, "text": "Keep your hips level"}],
        },
        "hamstring_strap": {
            "reps": {},
            "hold_s": {"left": 21.25},
            "rom": {"left": [68.0]},
            "rom_name": "leg_raise_deg",
            "cues": [],
        },
    },
    "segments": [
        {"move": "bridge_march", "start_ms": 0, "end_ms": 14_000},
        {"move": "hamstring_strap", "start_ms": 14_000, "end_ms": 40_000},
        {"move": "bridge_march", "start_ms": 40_000, "end_ms": 58_000},
    ],
}


def test_report_becomes_a_replay_session(tmp_path: Path) -> None:
    session_id = save_replay_report(REPORT, tmp_path, started_at="2025-06-10T07:30:00+02:00")
    with HistoryStore.open(tmp_path) as store:
        [session] = store.sessions()
        sets = [record for _, record in store.sets(session_id)]
    assert (session.source, session.rounds, session.set_seconds) == ("replay", 1, 42)
    assert (session.started_at, session.ended_at) == ("2025-06-10T07:30:00+02:00", "2025-06-10T07:31:00+02:00")
    bridge, strap = sets
    assert (bridge.move_id, bridge.side, bridge.started_t_ms, bridge.ended_t_ms) == ("bridge_march", "both", 0, 58_000)
    assert [(r.side, r.rom_value) for r in bridge.reps] == [
        ("left", 31.0),
        ("left", 33.5),
        ("left", 32.0),
        ("right", 30.0),
        ("right", 29.5),
    ]
    assert bridge.cues == ((12_000, "Keep your hips level"),)
    assert (strap.side, strap.hold_ms, strap.rom) == ("left", {"left": 21_250}, {"left": (68.0,)})


def test_session_is_dated_by_the_video_file(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"")
    os.utime(video, (1_750_000_000, 1_750_000_000))
    session_id = save_replay_report({**REPORT, "video": str(video)}, tmp_path / "data")
    with HistoryStore.open(tmp_path / "data") as store:
        session = store.session(session_id)
    assert session is not None
    ended = datetime.fromisoformat(session.ended_at or "")
    assert ended.timestamp() == 1_750_000_000
    assert ended.timestamp() - datetime.fromisoformat(session.started_at).timestamp() == 60


def _fake_replay(moves: dict[str, Any]):
    def fake(video: Path, **_: Any) -> replay.ReplayResult:
        return replay.ReplayResult(
            video=video,
            frames=1800,
            duration_ms=60_000,
            clip_fps=30.0,
            processing_fps=60.0,
            frames_with_person=1800,
            analysis=replay.Analysis(moves=moves, segments=REPORT["segments"] if moves else []),
            ended_early=False,
        )

    return fake


def test_replay_save_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(replay, "replay_video", _fake_replay(REPORT["moves"]))
    assert main(["replay", str(tmp_path / "clip.mp4"), "--save", "--data-dir", str(tmp_path / "data")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Saved to the history as session 1"
    with HistoryStore.open(tmp_path / "data") as store:
        [session] = store.sessions()
        assert session.source == "replay" and session.set_count == 2


def test_replay_save_with_no_moves_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(replay, "replay_video", _fake_replay({}))
    assert main(["replay", str(tmp_path / "clip.mp4"), "--save", "--data-dir", str(tmp_path / "data")]) == 2
    assert capsys.readouterr().err == (
        "coach: error: The replay found no moves, so there is nothing to save to the history.\n"
    )
