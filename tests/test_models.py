"""Pose model provisioning: offline build, pinned inputs, damaged bundles rebuilt, one-line errors with exit 2."""

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from coach import cli, models
from coach.models import (
    DETECTOR_MEMBER,
    LANDMARKS_MEMBER,
    PACKAGE_DETECTOR,
    PACKAGE_LANDMARKS_FULL,
    ModelError,
    ensure_model,
    is_valid_bundle,
)
from coach.pose import PoseEstimator
from coach.sources import Frame


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """The installed mediapipe package's two model inputs, copied into a package-like tree."""
    root = tmp_path / "mediapipe"
    for relative, _ in (PACKAGE_DETECTOR, PACKAGE_LANDMARKS_FULL):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(models._mediapipe_dir() / relative, root / relative)
    return root


def test_full_bundle_is_built_offline_uncompressed_and_aligned(tmp_path: Path) -> None:
    path = ensure_model("full", tmp_path)
    assert path == tmp_path / "pose_landmarker_full.task"
    with zipfile.ZipFile(path) as bundle:
        infos = bundle.infolist()
        assert [i.filename for i in infos] == [DETECTOR_MEMBER, LANDMARKS_MEMBER]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        raw = path.read_bytes()
        for info in infos:
            data_offset = info.header_offset + 30 + len(info.filename) + len(info.extra)
            assert data_offset % 16 == 0
            assert raw[data_offset + 4: data_offset + 8] == b"TFL3"
    assert not list(tmp_path.glob(".*partial"))  # the temporary file was renamed, not left behind


def test_built_bundle_loads_and_finds_no_pose_on_a_blank_frame(tmp_path: Path) -> None:
    path = ensure_model("full", tmp_path)
    with PoseEstimator(model_path=path) as estimator:
        blank = np.zeros((480, 640, 3), dtype=np.uint8)
        assert estimator.detect(Frame(blank, 0, 0)) is None
        assert estimator.detect(Frame(blank, 33, 1)) is None


def test_tampered_input_is_rejected(tmp_path: Path, package_copy: Path) -> None:
    landmarks = package_copy / PACKAGE_LANDMARKS_FULL[0]
    data = bytearray(landmarks.read_bytes())
    data[len(data) // 2] ^= 0xFF
    landmarks.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"^sha256 mismatch for model input pose_landmark_full\.tflite"):
        ensure_model("full", tmp_path / "out", package_dir=package_copy)
    assert not (tmp_path / "out" / "pose_landmarker_full.task").exists()


def test_tampered_input_exits_2_with_one_line(tmp_path: Path, package_copy: Path, monkeypatch, capsys) -> None:
    detector = package_copy / PACKAGE_DETECTOR[0]
    detector.write_bytes(detector.read_bytes() + b"\0")
    monkeypatch.setattr(models, "_mediapipe_dir", lambda: package_copy)
    assert cli.main(["models", "--dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coach: error: sha256 mismatch for model input pose_detection.tflite")
    assert err.count("\n") == 1


@pytest.mark.parametrize("damage", ["truncate", "flip_byte", "empty", "not_zip"])
def test_damaged_bundle_on_disk_is_rebuilt(tmp_path: Path, damage: str) -> None:
    path = ensure_model("full", tmp_path)
    good = path.read_bytes()
    bad = {
        "truncate": good[: len(good) // 2],
        "flip_byte": good[:5_000_000] + bytes([good[5_000_000] ^ 0x01]) + good[5_000_001:],  # inside a member
        "empty": b"",
        "not_zip": b"<html>not a model</html>",
    }[damage]
    path.write_bytes(bad)
    assert not is_valid_bundle(path)
    assert ensure_model("full", tmp_path) == path
    assert path.read_bytes() == good


def test_unwritable_model_dir_exits_2(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    assert cli.main(["models", "--dir", str(blocker / "models")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"coach: error: Cannot write the pose model to {blocker / 'models'}")
    assert err.count("\n") == 1


def test_unavailable_variant_exits_2(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(models, "OFFICIAL_URL", "http://127.0.0.1:9/{variant}.task")  # nothing listens on port 9
    monkeypatch.setattr(models.shutil, "which", lambda _name: None)  # no npm
    assert cli.main(["models", "--variant", "lite", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coach: error: The lite pose model is unavailable")
    assert "npm is not installed" in err and err.count("\n") == 1


def test_model_dir_override_from_environment(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("COACH_MODEL_DIR", str(tmp_path / "mine"))
    assert cli.main(["models"]) == 0
    assert capsys.readouterr().out.startswith(str(tmp_path / "mine" / "pose_landmarker_full.task"))


def test_default_dir_is_the_checkouts_models_folder(monkeypatch) -> None:
    monkeypatch.delenv("COACH_MODEL_DIR", raising=False)
    assert models.default_model_dir() == Path(models.__file__).resolve().parent.parent / "models"
