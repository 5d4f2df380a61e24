"""`coach routines` list/show/export/import/delete and `coach serve --routine`: invalid files are refused with one
sentence and exit 2, and nothing already saved changes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coach.cli import main
from coach.routines import ROUTINES_FILENAME

COACH = Path(sys.executable).parent / "coach"  # the console script installed by `pip install -e .`
MINE = {"name": "Desk break", "moves": ["hamstring_scoop", "hip_90_90", "hip_flexor_reach"], "rounds": 1,
        "seconds": 45, "per_side": False, "mode": "timed"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, routine: Any) -> str:
    path.write_text(routine if isinstance(routine, str) else json.dumps(routine))
    return str(path)


def test_list_show_export_import_delete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "routines", "list")
    assert code == 0
    assert out.splitlines()[0].split() == ["*", "Full", "circuit", "built-in", "7", "moves,", "1", "x", "30", "s,",
                                           "timed"]
    assert [line[2:26].strip() for line in out.splitlines()[:4]] == ["Full circuit", "Warm-up", "Cooldown",
                                                                     "Quick one round"]
    code, out, _ = run(capsys, "routines", "export", "Cooldown", "--out", str(tmp_path / "cool.json"))
    assert code == 0 and json.loads((tmp_path / "cool.json").read_text())["moves"] == [
        "hip_flexor_reach", "forward_fold_pedals", "hamstring_strap"]
    code, out, _ = run(capsys, "routines", "import", write(tmp_path / "mine.json", MINE))
    assert (code, out) == (0, "Saved 'Desk break': 3 moves, 1 x 45 s, timed\n")
    code, out, _ = run(capsys, "routines", "show", "desk break")
    assert out.splitlines() == ["Desk break: 1 x 45 s, timed", "  1. Hamstring scoops (hamstring_scoop)",
                                "  2. 90/90 hip switches (hip_90_90)",
                                "  3. Half-kneeling hip flexor stretch (hip_flexor_reach)"]
    code, out, _ = run(capsys, "routines", "export", "Desk break")
    assert json.loads(out) == MINE
    code, out, _ = run(capsys, "routines", "import", write(tmp_path / "mine.json", {**MINE, "seconds": 60}))
    assert out.startswith("Replaced 'Desk break'")
    code, out, _ = run(capsys, "routines", "delete", "Desk break")
    assert (code, out) == (0, "Deleted 'Desk break'\n")
    assert "Desk break" not in run(capsys, "routines")[1]


@pytest.mark.parametrize(("content", "sentence"), [
    ({**MINE, "moves": ["hamstring_scoop", "handstand"]},
     "Not a valid routine: moves: 'handstand' is not one of the moves"),
    ({**MINE, "seconds": 20}, "Not a valid routine: seconds: must be from 30 to 60, not 20."),
    ({**MINE, "rounds": 5}, "Not a valid routine: rounds: must be 1 or 2, not 5."),
    ('{"name": "Desk break", "moves": [', "The file is not valid JSON"),
    ({**MINE, "name": "y" * 17_000}, "The file is 16385 bytes; a routine file is at most 16384 bytes."),
    ({**MINE, "name": "Warm-up"}, "'Warm-up' is a built-in routine; save yours under another name."),
])
def test_invalid_files_exit_2_with_one_sentence_and_change_nothing(tmp_path: Path, own_data_dir: Path,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     content: Any, sentence: str) -> None:
    assert run(capsys, "routines", "import", write(tmp_path / "mine.json", MINE))[0] == 0
    saved = (own_data_dir / ROUTINES_FILENAME).read_bytes()
    code, out, err = run(capsys, "routines", "import", write(tmp_path / "bad.json", content))
    assert code == 2 and out == ""
    assert err.startswith("coach: error: ") and sentence in err and err.count("\n") == 1
    assert (own_data_dir / ROUTINES_FILENAME).read_bytes() == saved


def test_the_console_script_exits_2_on_a_bad_file(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", {**MINE, "moves": ["moonwalk"]})
    done = subprocess.run([str(COACH), "routines", "import", bad], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2
    assert done.stderr == (f"coach: error: {bad}: Not a valid routine: moves: 'moonwalk' is not one of the moves "
                           "(hip_90_90, lunge_rotation, bridge_march, hamstring_scoop, hip_flexor_reach, "
                           "forward_fold_pedals, hamstring_strap).\n")


@pytest.mark.parametrize("name", ["Full circuit", "Cooldown"])
def test_presets_cannot_be_deleted(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, _, err = run(capsys, "routines", "delete", name)
    assert (code, err) == (2, f"coach: error: '{name}' is a built-in routine and cannot be deleted.\n")


def test_a_corrupted_store_is_reported_and_set_aside(own_data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (own_data_dir / ROUTINES_FILENAME).write_text("[1, 2")
    code, out, err = run(capsys, "routines", "list")
    assert code == 0 and "Full circuit" in out
    assert err.startswith("coach: warning: Your saved routines could not be read (")
    assert [p.read_text() for p in own_data_dir.glob(f"{ROUTINES_FILENAME}.corrupt-*")] == ["[1, 2"]


def test_serve_routine_picks_and_adjusts_the_routine(make_video, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **_: served.append(app))
    video = make_video("grey.mp4", 5)
    code, _, _ = run(capsys, "serve", "--source", str(video), "--no-open", "--port", str(free_port()), "--routine",
                     "warm-up", "--seconds", "45")
    assert code == 0
    coach = served[0].state.coach
    assert (coach.routine.name, coach.routine.seconds, coach.routine.mode) == ("Warm-up", 45, "follow")
    assert coach.routine.moves == ["hip_90_90", "lunge_rotation", "bridge_march", "hamstring_scoop"]
    assert coach.hello().routine == "Warm-up"


def test_serve_with_an_unknown_routine_is_one_sentence(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("coach.cli.serve.resolve_source", lambda _spec: pytest.fail("the source was opened"))
    code, _, err = run(capsys, "serve", "--no-open", "--port", str(free_port()), "--routine", "Marathon")
    assert (code, err) == (2, "coach: error: There is no routine named 'Marathon'; `coach routines list` shows "
                              "them.\n")
