"""Every command rejects a bad argument before it starts work: exit code 2, one error line, no traceback, and the
pose model and the video decoder are never opened (their entry points are replaced by tripwires here)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest


class Tripwire:
    """Stands in for something expensive (the model, the decoder, a renderer); the test fails if it is used."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"{self.name} was used although the arguments were bad")


def one_error_line(stderr: str) -> str:
    """The error line; fails unless it is the only line that is not argparse's usage text, with no traceback."""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if not line.startswith(("usage:", " "))]
    assert len(errors) == 1, stderr
    return errors[0]


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Path:
    """A folder nothing can be written under (a file stands where its parent should be)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    return blocker / "out"


# ------------------------------------------------------------------------------------------------ synth tools
def test_synth_rejects_an_unknown_clip_and_an_unwritable_out(monkeypatch: pytest.MonkeyPatch, capsys,
                                                             read_only_folder: Path) -> None:
    if "moderngl" not in sys.modules:  # the renderer's GPU library lives in the synth venv; nothing here draws
        monkeypatch.setitem(sys.modules, "moderngl", types.ModuleType("moderngl"))
    from coach.synth import make
    from coach.synth.__main__ import main

    monkeypatch.setattr(make, "render_clip", Tripwire("the clip renderer"))
    assert main(["--only", "nonsense"]) == 2
    assert one_error_line(capsys.readouterr().err) == "Unknown clip 'nonsense'; run with --list to see the names."
    assert main(["--only", "bridge_march_a", "--out", str(read_only_folder)]) == 2
    assert one_error_line(capsys.readouterr().err).startswith(f"--out {read_only_folder} cannot be written to")


def test_synth_measure_rejects_a_missing_video_and_an_unwritable_out(monkeypatch: pytest.MonkeyPatch, capsys,
                                                                     tmp_path: Path, read_only_folder: Path) -> None:
    from coach.synth import measure

    monkeypatch.setattr(measure, "measure", Tripwire("the pose model and decoder"))
    model = tmp_path / "model.task"
    model.write_bytes(b"stand-in")
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"stand-in")
    missing = tmp_path / "missing.mp4"
    assert measure.main([str(video), str(missing), "--model", str(model), "--out", str(tmp_path / "m.json")]) == 2
    assert one_error_line(capsys.readouterr().err) == f"No such video file: {missing}."
    out = read_only_folder / "metrics.json"
    assert measure.main([str(video), "--model", str(model), "--out", str(out)]) == 2
    assert one_error_line(capsys.readouterr().err).startswith(f"--out's folder {read_only_folder} cannot be")


def test_synth_report_rejects_a_missing_folder(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path) -> None:
    from coach.synth import report

    monkeypatch.setattr(report, "write", Tripwire("the report writer"))
    monkeypatch.setattr(sys, "argv", ["report", "--dir", str(tmp_path / "nowhere")])
    with pytest.raises(SystemExit) as exited:
        report.main()
    assert exited.value.code == 2
    assert one_error_line(capsys.readouterr().err) == f"No such folder: {tmp_path / 'nowhere'}."
