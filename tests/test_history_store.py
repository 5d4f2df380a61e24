"""The SQLite history store: round trip, crash safety, migration, and staying out of the live loop's way."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from history_fixture import MOVE_IDS, ONE_SIDED, FakeSummary, summary_for

from coach.history.store import (
    DB_FILENAME,
    MIGRATION_V1_TO_V2,
    SCHEMA_V1,
    SCHEMA_VERSION,
    HistoryError,
    HistoryRecorder,
    HistoryStore,
    RepRecord,
    SetRecord,
    resolve_data_dir,
)

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Rep:
    """A RepCounted event's fields."""

    t_ms: int
    side: str | None
    count: int
    rom_value: float | None
    rom_name: str | None


def test_full_circuit_round_trip(tmp_path: Path) -> None:
    recorder = HistoryRecorder.open(tmp_path)
    session_id = recorder.start_session(
        rounds=2, set_seconds=45, note="rest-day", started_at="2025-06-01T08:00:00+02:00"
    )
    written: list[SetRecord] = []
    t_ms = 0
    for round_no in (1, 2):
        for move_id in MOVE_IDS:
            for side in ("left", "right") if move_id in ONE_SIDED else ("both",):
                summary = summary_for(move_id, side, progress=0.5, recent=True)
                events = [
                    Rep(t_ms + 1000 * i, rep_side, i, 40.0 + i, summary.rom_name)
                    for rep_side, count in summary.reps.items()
                    for i in range(1, count + 1)
                ]
                set_id = recorder.record_set(
                    move_id, side, round_no, summary, started_t_ms=t_ms, ended_t_ms=t_ms + 45_000, rep_events=events
                )
                assert set_id is not None
                written.append(
                    SetRecord.from_summary(
                        move_id, side, round_no, summary, started_t_ms=t_ms, ended_t_ms=t_ms + 45_000, rep_events=events
                    )
                )
                t_ms += 50_000
    recorder.end_session(ended_at="2025-06-01T08:25:00+02:00")
    recorder.close()
    assert len(written) == 2 * 11  # 7 moves, 4 of them once per side, 2 rounds

    with HistoryStore.open(tmp_path, create=False) as store:
        [row] = store.sessions()
        assert (row.id, row.source, row.rounds, row.set_seconds, row.note) == (session_id, "live", 2, 45, "rest-day")
        assert row.ended_at == "2025-06-01T08:25:00+02:00"
        assert row.set_count == 22
        assert row.rep_count == sum(r.rep_count for r in written)
        assert row.hold_ms == sum(r.hold_total_ms for r in written)
        read = [record for _, record in store.sets(session_id)]
    assert read == written
    strap = next(r for r in read if r.move_id == "hamstring_strap" and r.side == "right")
    assert strap.hold_ms == {"right": 27_000}
    assert strap.rom == {"right": (69.0,)}
    assert strap.cues == ((8_000, "Keep the knee soft, not locked"),)
    bridge = next(r for r in read if r.move_id == "bridge_march")
    assert bridge.reps[0] == RepRecord("left", bridge.started_t_ms + 1000, 41.0, "knee_lift_deg")
    assert bridge.rep_count == 10


def test_reps_from_summary_alone_pair_with_rom(tmp_path: Path) -> None:
    summary = FakeSummary("lunge_rotation", reps={"right": 3}, rom={"right": [40.0, 42.5]}, rom_name="rot_deg")
    record = SetRecord.from_summary("lunge_rotation", "right", 1, summary)
    assert [(r.side, r.t_ms, r.rom_value) for r in record.reps] == [
        ("right", None, 40.0),
        ("right", None, 42.5),
        ("right", None, None),
    ]


def test_kill_9_mid_session_keeps_finished_sets(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "history_writer.py"), str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    finished: dict[int, int] = {}  # set number -> set id, for every set the writer saw committed
    try:
        for line in proc.stdout:
            if line.startswith("SET "):
                _, n, set_id = line.split()
                finished[int(n)] = int(set_id)
                if len(finished) == 25:
                    break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(finished) == 25

    with HistoryStore.open(tmp_path, create=False) as store:
        assert store.integrity_ok()
        [session] = store.sessions()
        assert session.ended_at is None  # killed before end_session
        sets = dict(store.sets(session.id))
    assert set(finished.values()) <= set(sets)
    assert sorted(sets) == list(range(min(sets), min(sets) + len(sets)))  # no gaps
    for record in sets.values():  # every stored set is whole: its reps, holds and ROM came with it
        n = record.started_t_ms
        assert record.rep_count == 1 + n % 7
        assert record.hold_ms == {"left": 1000 * n}
        assert record.rom == {"left": (float(n),) * record.rep_count}
        assert record.cues == ((n, f"cue {n}"),)


def test_v1_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V1)
    conn.execute(
        "INSERT INTO sessions (started_at, ended_at, rounds, set_seconds, note)"
        " VALUES ('2024-05-01T07:00:00+02:00', '2024-05-01T07:10:00+02:00', 1, 30, 'after-run')"
    )
    conn.execute(
        "INSERT INTO sets (session_id, move_id, side, round, started_t_ms, ended_t_ms, reps, hold_ms, rom_name)"
        " VALUES (1, 'hamstring_strap', 'left', 1, 0, 30000, 0, 26000, 'leg_raise_deg')"
    )
    conn.execute("INSERT INTO holds (set_id, side, hold_ms) VALUES (1, 'left', 26000)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    with HistoryStore.open(tmp_path) as store:
        [row] = store.sessions()
        assert (row.source, row.note, row.hold_ms) == ("live", "after-run", 26000)
        [(_, record)] = store.sets(row.id)
        assert (record.good_form_ms, record.hold_ms) == (0, {"left": 26000})
        store.add_set(row.id, SetRecord("hamstring_strap", "right", 1, 30_000, 60_000, good_form_ms=21_000))
        assert store.integrity_ok()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT good_form_ms FROM sets ORDER BY id").fetchall() == [(0,), (21_000,)]
    conn.close()


def test_v2_rows_keep_working_and_live_ones_were_the_full_circuit(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V1 + MIGRATION_V1_TO_V2)
    conn.execute("INSERT INTO sessions (started_at, rounds, set_seconds, source) VALUES "
                 "('2024-05-01T07:00:00+02:00', 1, 30, 'live'), ('2024-05-02T07:00:00+02:00', 1, 30, 'replay')")
    conn.execute("INSERT INTO sets (session_id, move_id, side, round, started_t_ms, ended_t_ms, reps, hold_ms)"
                 " VALUES (1, 'bridge_march', 'both', 1, 0, 30000, 6, 0)")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with HistoryStore.open(tmp_path) as store:
        live, replay = store.sessions()
        assert (live.routine, live.routine_moves, live.rep_count) == ("Full circuit", MOVE_IDS, 6)
        assert (replay.routine, replay.routine_moves) == (None, ())
        assert store.integrity_ok()


def test_sessions_carry_their_routine(tmp_path: Path) -> None:
    recorder = HistoryRecorder.open(tmp_path)
    recorder.start_session(rounds=1, set_seconds=30, routine="Hips only",
                           routine_moves=["hip_flexor_reach", "hip_90_90"])
    recorder.end_session()
    with HistoryStore.open(tmp_path) as store:
        [row] = store.sessions()
        assert (row.routine, row.routine_moves) == ("Hips only", ("hip_flexor_reach", "hip_90_90"))


def test_newer_schema_is_refused_in_one_sentence(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(HistoryError, match="newer Stride Coach"):
        HistoryStore.open(tmp_path)


def test_unwritable_data_dir_turns_history_off_without_raising(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    recorder = HistoryRecorder.open(blocker)
    assert not recorder.available
    assert recorder.warning is not None and "History is off" in recorder.warning
    assert recorder.start_session(rounds=1, set_seconds=30) is None
    assert recorder.record_set("hip_90_90", "both", 1, FakeSummary("hip_90_90")) is None
    recorder.end_session()


def test_full_disk_turns_history_off_and_keeps_finished_sets(tmp_path: Path) -> None:
    recorder = HistoryRecorder.open(tmp_path)
    recorder.start_session(rounds=1, set_seconds=30)
    first = recorder.record_set("hip_90_90", "both", 1, summary_for("hip_90_90", "both", 0.0, False))
    assert first is not None and recorder.store is not None
    pages = recorder.store._conn.execute("PRAGMA page_count").fetchone()[0]
    recorder.store._conn.execute(f"PRAGMA max_page_count = {pages}")  # the "disk" is now full
    big = FakeSummary("bridge_march", reps={"left": 2000}, rom={"left": [1.0] * 2000}, cues=[(1, "x" * 5000)])
    assert recorder.record_set("bridge_march", "both", 1, big) is None
    assert not recorder.available
    assert "full" in (recorder.warning or "")
    assert recorder.record_set("bridge_march", "both", 1, big) is None  # stays off, quietly
    recorder.end_session()
    with HistoryStore.open(tmp_path) as store:
        assert store.integrity_ok()
        [session] = store.sessions()
        assert [set_id for set_id, _ in store.sets(session.id)] == [first]


def test_data_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(None) == tmp_path / "env"
    assert resolve_data_dir(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv("COACH_DATA_DIR")
    assert resolve_data_dir(None).name == "stride-coach"


def test_unknown_side_is_refused(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path) as store:
        session_id = store.start_session(rounds=1, set_seconds=30)
        with pytest.raises(HistoryError, match="Unknown side"):
            store.add_set(session_id, SetRecord("hip_90_90", "middle", 1, 0, 1))


def test_circuit_set_results_are_recorded_with_the_worked_side(tmp_path: Path) -> None:
    from coach.circuit import SetResult
    from coach.moves.base import MoveSummary, RepCounted

    recorder = HistoryRecorder.open(tmp_path)
    strap = MoveSummary("hamstring_strap", {}, {"right": 24_000}, {"right": [70.0]}, "leg_raise_deg", [], 22_000)
    march = MoveSummary(
        "bridge_march", {"left": 1, "right": 1}, {}, {"left": [33.0], "right": [31.0]}, "knee_lift_deg", [], 9_000
    )
    march_reps = [
        RepCounted(4_000, "left", 1, 33.0, "knee_lift_deg"),
        RepCounted(6_500, "right", 1, 31.0, "knee_lift_deg"),
    ]
    assert recorder.record_set_result(SetResult(1, "hamstring_strap", 1_000, 31_000, 30_000, strap, [])) is not None
    assert (
        recorder.record_set_result(SetResult(1, "bridge_march", 31_000, 61_000, 30_000, march, march_reps)) is not None
    )
    recorder.end_session()
    with HistoryStore.open(tmp_path) as store:
        [session] = store.sessions()  # opened by the first set, since nobody called start_session
        assert (session.rounds, session.set_seconds, session.ended_at is not None) == (1, 30, True)
        (_, strap_set), (_, march_set) = store.sets(session.id)
    assert (strap_set.side, strap_set.hold_ms, strap_set.good_form_ms) == ("right", {"right": 24_000}, 22_000)
    assert march_set.side == "both"
    assert [(r.side, r.t_ms, r.rom_value) for r in march_set.reps] == [("left", 4_000, 33.0), ("right", 6_500, 31.0)]
