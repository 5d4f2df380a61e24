"""`coach history` list/show/export, and that exports say exactly what the database holds."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import history_fixture
import pytest

from coach.cli import main
from coach.history import DB_FILENAME


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("history")
    history_fixture.build(folder)
    return folder


def _db(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{data_dir / DB_FILENAME}?mode=ro", uri=True)


def test_list_since_shows_only_later_sessions(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "list", "--since", "2025-06-14", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "Date", "Time", "Source", "Note", "Plan", "Sets", "Reps", "Hold"]
    assert [line.split()[:5] for line in out[1:3]] == [
        ["27", "2025-06-14", "18:36", "live", "after-run"],
        ["28", "2025-06-15", "18:37", "live", "rest-day"],
    ]
    assert out[1].split()[5:] == ["1x30s", "11", "46", "2m", "01s"]
    assert out[3] == ""


def test_history_without_subcommand_lists(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--data-dir", str(data_dir), "--since", "2025-06-15"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[0] == "28"


def test_show_prints_sets_rom_and_cues(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "show", "28", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Session 28: 2025-06-15T18:37:00+02:00 (live, rest-day)\n")
    assert "Hip flexor" in out and "hold: left 20s" in out and "hold: right 25s" in out
    assert "leg_raise_deg: right 74.0" in out
    assert "cue at 12.0 s: Keep your hips level" in out


def test_show_unknown_session_is_one_sentence(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "show", "999", "--data-dir", str(data_dir)]) == 2
    assert capsys.readouterr().err == "coach: error: There is no session 999; `coach history list` shows the ids.\n"


def test_bad_since_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["history", "list", "--since", "last week"])
    assert exit_info.value.code == 2
    assert "wants a date like 2025-06-01, not 'last week'" in capsys.readouterr().err


def test_empty_data_dir_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "list", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("No sessions recorded yet (")
    assert not (tmp_path / DB_FILENAME).exists()  # listing never creates a database


def test_json_export_matches_the_database(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "history.json"
    assert main(["history", "export", "--format", "json", "--out", str(out), "--data-dir", str(data_dir)]) == 0
    exported = json.loads(out.read_text())
    sessions = exported["sessions"]
    db = _db(data_dir)
    assert [(s["id"], s["started_at"], s["note"], s["source"]) for s in sessions] == db.execute(
        "SELECT id, started_at, note, source FROM sessions ORDER BY id"
    ).fetchall()
    sets = [st for s in sessions for st in s["sets"]]
    assert [(st["id"], st["move_id"], st["side"], len(st["reps"]), sum(st["hold_ms"].values())) for st in sets] == (
        db.execute("SELECT id, move_id, side, reps, hold_ms FROM sets ORDER BY id").fetchall()
    )
    assert sum(len(st["cues"]) for st in sets) == db.execute("SELECT COUNT(*) FROM cues").fetchone()[0]
    assert [v for st in sets for side in sorted(st["rom"]) for v in st["rom"][side]] == [
        v for (v,) in db.execute("SELECT value FROM rom_figures ORDER BY set_id, side, idx")
    ]
    assert [r["rom_value"] for st in sets for r in st["reps"]] == [
        v for (v,) in db.execute("SELECT rom_value FROM reps ORDER BY set_id, idx")
    ]


def test_csv_export_matches_the_database(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "history.csv"
    args = ["history", "export", "--format", "csv", "--out", str(out), "--since", "2025-06-01"]
    assert main([*args, "--data-dir", str(data_dir)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    db = _db(data_dir)
    expected = db.execute(
        "SELECT t.id, t.move_id, t.side, t.reps, t.hold_ms, t.good_form_ms FROM sets t JOIN sessions s"
        " ON s.id = t.session_id WHERE s.started_at >= '2025-06-01' ORDER BY t.id"
    ).fetchall()
    assert len(rows) == len(expected) == 10 * 11
    assert [
        (int(r["set_id"]), r["move_id"], r["side"], int(r["reps"]), int(r["hold_ms"]), int(r["good_form_ms"]))
        for r in rows
    ] == expected
    flexor_left = next(r for r in rows if r["move_id"] == "hip_flexor_reach" and r["session_id"] == "28")
    assert (flexor_left["side"], flexor_left["hold_left_ms"], flexor_left["hold_right_ms"]) == ("left", "20000", "0")
    bridge = next(r for r in rows if r["move_id"] == "bridge_march")
    assert (bridge["reps_left"], bridge["reps_right"], bridge["cues"]) == ("5", "5", "Keep your hips level")


def test_export_to_a_folder_is_refused(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "export", "--out", str(tmp_path), "--data-dir", str(data_dir)]) == 2
    assert capsys.readouterr().err.startswith("coach: error: --out wants a file name")
