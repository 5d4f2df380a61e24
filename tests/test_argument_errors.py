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


# ------------------------------------------------------------------------------------------------ coach commands
@pytest.fixture
def no_model_no_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tripwires on every way a command opens the pose model or decodes a video or camera. Every module that imports
    these names is imported first, so none keeps a tripwire after the test."""
    import coach.bench.accuracy
    import coach.bench.soak
    import coach.bench.speed
    import coach.cli
    import coach.live
    import coach.pose
    import coach.replay
    import coach.server
    import coach.sources

    coach.cli.build_parser()  # imports every command module
    for module, name in ((coach.sources, "FileSource"), (coach.sources, "CameraSource"),
                         (coach.sources, "open_source"), (coach.live, "open_source"), (coach.replay, "FileSource"),
                         (coach.pose, "PoseEstimator"), (coach.replay, "PoseEstimator")):
        monkeypatch.setattr(module, name, Tripwire(f"{module.__name__}.{name}"))


def run_coach(capsys, *argv: str) -> str:
    """`coach ARGV` in process; asserts exit code 2 and returns the one error line."""
    from coach.cli import main

    try:
        code = main(list(argv))
    except SystemExit as exited:  # argparse's own checks
        code = exited.code
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return one_error_line(captured.err)


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"never decoded")
    return path


@pytest.mark.usefixtures("no_model_no_decoder")
def test_replay_checks_move_and_out_before_opening_anything(capsys, video: Path, read_only_folder: Path) -> None:
    line = run_coach(capsys, "replay", str(video), "--move", "nonsense")
    assert line.startswith("coach: error: Unknown move 'nonsense'; use auto or one of hip_90_90, lunge_rotation")
    line = run_coach(capsys, "replay", str(video), "--out", str(read_only_folder))
    assert line.startswith(f"coach: error: --out {read_only_folder} cannot be written to")


@pytest.mark.usefixtures("no_model_no_decoder")
def test_serve_checks_the_port_before_opening_the_camera(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", Tripwire("the web server"))
    line = run_coach(capsys, "serve", "--port", "99999", "--no-open")
    assert line == "coach: error: --port must be 1-65535, not 99999."
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        line = run_coach(capsys, "serve", "--port", str(port), "--source", "0", "--no-open")
    assert line.startswith(f"coach: error: Cannot listen on 127.0.0.1:{port}")


@pytest.mark.usefixtures("no_model_no_decoder")
def test_serve_pair_checks_its_address_and_port_before_opening_the_camera(capsys,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", Tripwire("the web server"))
    line = run_coach(capsys, "serve", "--pair", "--host", "0.0.0.0", "--allow-remote", "--no-open")
    assert line.startswith("coach: error: --pair keeps the coach itself on this computer")
    line = run_coach(capsys, "serve", "--pair", "--pair-address", "my-laptop.local", "--no-open")
    assert line == "coach: error: --pair-address must be an IP address of this computer, not 'my-laptop.local'."
    line = run_coach(capsys, "serve", "--pair", "--pair-port", "8000", "--no-open")
    assert line == "coach: error: --pair-port must be 1-65535 and differ from --port, not 8000."
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        main_port = free.getsockname()[1]  # free again once closed, for the main listener's check
    with socket.socket() as taken:
        taken.bind(("127.0.0.2", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        line = run_coach(capsys, "serve", "--pair", "--pair-address", "127.0.0.2", "--pair-port", str(port),
                         "--port", str(main_port), "--source", "0", "--no-open")
    assert line.startswith(f"coach: error: Cannot listen on 127.0.0.2:{port}")


@pytest.mark.usefixtures("no_model_no_decoder")
def test_bench_checks_out_and_name_before_measuring(capsys, monkeypatch: pytest.MonkeyPatch,
                                                    read_only_folder: Path, video: Path) -> None:
    from coach.bench import accuracy, soak, speed

    for module, name in ((speed, "run_speed"), (accuracy, "run_accuracy"), (soak, "run_soak")):
        monkeypatch.setattr(module, name, Tripwire(f"bench {name}"))
    line = run_coach(capsys, "bench", "soak", "--clips", str(video), "--out", str(read_only_folder))
    assert line.startswith(f"coach: error: --out {read_only_folder} cannot be written to")
    line = run_coach(capsys, "bench", "speed", "--clips", str(video), "--name", "../elsewhere")
    assert line == "coach: error: --name '../elsewhere' must be a plain file name part (no / or ..)."
    line = run_coach(capsys, "bench", "speed", "--variants", "full,huge")
    assert line == "coach: error: Unknown model variant huge; choose from lite, full, heavy."


def test_history_checks_since_and_out_before_reading(capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                     read_only_folder: Path) -> None:
    import coach.history

    monkeypatch.setattr(coach.history.HistoryStore, "open", Tripwire("the history database"))
    line = run_coach(capsys, "history", "list", "--since", "2025-13-01", "--data-dir", str(tmp_path))
    assert line == "coach history list: error: argument --since: wants a date like 2025-06-01, not '2025-13-01'"
    line = run_coach(capsys, "history", "export", "--out", str(read_only_folder / "h.json"), "--data-dir",
                     str(tmp_path))
    assert line.startswith(f"coach: error: --out's folder {read_only_folder} cannot be written to")


def test_models_checks_variant_and_dir_before_building(capsys, monkeypatch: pytest.MonkeyPatch,
                                                       read_only_folder: Path) -> None:
    import coach.models

    for name in ("_write_bundle", "_build_members", "_provision_remote"):  # building or downloading the model
        monkeypatch.setattr(coach.models, name, Tripwire(f"coach.models.{name}"))
    line = run_coach(capsys, "models", "--variant", "huge")
    assert line.startswith("coach models: error: argument --variant: invalid choice: 'huge'")
    line = run_coach(capsys, "models", "--dir", str(read_only_folder))
    assert line.startswith(f"coach: error: Cannot write the pose model to {read_only_folder}")
