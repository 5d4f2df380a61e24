"""Bad and unusual video input: what `coach replay` and the file source do with each.

Each bad file gets one sentence and exit code 2, with no report (or report folder) left behind; unusual but valid
files (variable frame rate, a rotated phone video, 4K, 160x120, a two-hour clip, odd path names) play correctly.
"""

from __future__ import annotations

import errno
import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import encode_video

from coach.cli import main
from coach.errors import CoachError
from coach.sources import FileSource, SourceError

TWO_HOURS_S = 2 * 60 * 60


def replay_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["replay", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_clip(path: Path, images: list[np.ndarray], pts_ms: list[int] | None = None, rotation: int = 0,
               faststart: bool = False) -> Path:
    """An H.264 mp4 of the images, with optional irregular presentation times (ms) and display rotation."""
    height, width = images[0].shape[:2]
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=30, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if pts_ms is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        if rotation:
            stream.set_display_rotation(rotation)
        for i, image in enumerate(images):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            if pts_ms is not None:
                frame.pts, frame.time_base = pts_ms[i], Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def grey(n: int, size: tuple[int, int] = (64, 48)) -> list[np.ndarray]:
    width, height = size
    return [np.full((height, width, 3), 40 + (i * 5) % 200, np.uint8) for i in range(n)]


# ------------------------------------------------------------------------------------------------ bad files
@pytest.mark.parametrize(
    ("name", "make", "sentence"),
    [
        ("notes.mp4", lambda p, v: p.write_text("a shopping list, not a video\n"),
         "is not a video file FFmpeg can read."),
        ("empty.mp4", lambda p, v: p.write_bytes(b""), "is not a video file FFmpeg can read."),
        ("photo.mp4", lambda p, v: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)),
         "is not a video file FFmpeg can read."),
        ("cut.mp4", lambda p, v: p.write_bytes(v.read_bytes()[: v.stat().st_size // 2]),
         "looks like an MP4 video but cannot be read; it is truncated or corrupt."),
        ("none.mp4", lambda p, v: encode_video(p, 0), "contains no video frames."),
    ],
)
def test_bad_file_is_one_sentence_exit_2_and_nothing_written(capsys, tmp_path: Path, make_video, name, make,
                                                             sentence) -> None:
    video = tmp_path / name
    make(video, make_video("whole.mp4", 30))
    out_dir = tmp_path / "reports"
    code, out, err = replay_cli(capsys, str(video), "--out", str(out_dir))
    assert code == 2
    assert err == f"coach: error: {video} {sentence}\n" and out == ""
    assert not out_dir.exists()


def test_truncated_mid_stream_plays_what_is_there_and_says_so(tmp_path: Path) -> None:
    """With the index at the front (a 'faststart' file), a cut file still has its first frames."""
    whole = write_clip(tmp_path / "whole.mp4", grey(60), faststart=True)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.6)])
    with FileSource(cut) as source:
        frames = list(source)
        assert 0 < len(frames) < 60 and source.ended_early
    times = [f.t_ms for f in frames]
    assert times == sorted(set(times))


def test_the_report_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure at the last step (disk full) leaves the previous report intact and no temporary file."""
    from coach.replay import Analysis, ReplayResult, write_report

    result = ReplayResult(video=tmp_path / "run.mp4", frames=3, duration_ms=100, clip_fps=30.0, processing_fps=9.0,
                          frames_with_person=0, analysis=Analysis(), ended_early=False)
    out_dir = tmp_path / "out"
    path = write_report(result, out_dir)
    before = path.read_text()

    def disk_full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("coach.replay.os.replace", disk_full)
    result.frames = 4
    with pytest.raises(CoachError, match=r"^Cannot write the report to .*run\.json: No space left on device\.$"):
        write_report(result, out_dir)
    assert path.read_text() == before
    assert sorted(p.name for p in out_dir.iterdir()) == ["run.json"]


# ------------------------------------------------------------------------------------------------ odd but valid
def test_variable_frame_rate_times_come_from_the_file(tmp_path: Path) -> None:
    pts_ms = [0, 33, 50, 120, 121, 400, 433, 1000]
    video = write_clip(tmp_path / "vfr.mp4", grey(len(pts_ms)), pts_ms=pts_ms)
    with FileSource(video) as source:
        times = [f.t_ms for f in source]
    assert times == pts_ms


@pytest.mark.parametrize(("rotation", "corner"), [(90, "bottom_left"), (-90, "top_right"), (180, "bottom_right")])
def test_rotated_phone_video_plays_upright(tmp_path: Path, rotation: int, corner: str) -> None:
    """A phone stores sideways pixels plus a display rotation; frames come out as a player shows them."""
    image = np.zeros((48, 64, 3), np.uint8)
    image[:16, :16] = 255  # a white block in the stored picture's top-left corner
    video = write_clip(tmp_path / "phone.mp4", [image] * 3, rotation=rotation)
    with FileSource(video) as source:
        frame = next(iter(source))
        assert source.size == (frame.image_bgr.shape[1], frame.image_bgr.shape[0])
    height, width = frame.image_bgr.shape[:2]
    assert (width, height) == ((48, 64) if rotation % 180 else (64, 48))
    corners = {"top_left": (0, 0), "top_right": (0, width - 16), "bottom_left": (height - 16, 0),
               "bottom_right": (height - 16, width - 16)}
    bright = {name: frame.image_bgr[y:y + 16, x:x + 16].mean() for name, (y, x) in corners.items()}
    assert max(bright, key=lambda name: bright[name]) == corner


@pytest.mark.parametrize("size", [(3840, 2160), (160, 120)])
def test_4k_and_tiny_frames_go_through_the_pose_model(tmp_path: Path, size: tuple[int, int]) -> None:
    from coach.pose import PoseEstimator

    video = write_clip(tmp_path / f"{size[0]}.mp4", grey(2, size))
    with FileSource(video) as source, PoseEstimator() as estimator:
        assert source.size == size
        for frame in source:
            assert frame.image_bgr.shape == (size[1], size[0], 3)
            assert estimator.detect(frame) is None  # an empty room, at any size


def test_a_two_hour_file_is_streamed_in_constant_memory(tmp_path: Path) -> None:
    """7200 frames at 1 fps (two hours; tiny frames so it encodes in a moment). Opening does not preload, and memory
    stays flat while frames stream: a thousand frames are read, each dropped before the next (all 7200 would be
    66 MB of pixels)."""
    import tracemalloc

    video = tmp_path / "long.mp4"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("libx264", rate=1, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        image = np.full((48, 64, 3), 90, np.uint8)
        for i in range(TWO_HOURS_S):
            image[0, 0, 0] = i % 256
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode())
    tracemalloc.start()
    try:
        with FileSource(video) as source:
            opened_bytes, _ = tracemalloc.get_traced_memory()
            assert source.frame_count == TWO_HOURS_S and source.fps == 1.0
            frames = iter(source)
            for _ in range(200):
                next(frames)
            tracemalloc.reset_peak()
            for _ in range(800):
                frame = next(frames)
            _current, streaming_peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert frame.t_ms == 999_000 and frame.index == 999
    assert opened_bytes < 1_000_000  # nothing decoded ahead
    assert streaming_peak_bytes - opened_bytes < 200_000  # a frame or two alive at any time (800 would be 7 MB)


@pytest.mark.parametrize("name", ["my runs/Hüftmobilität 1.mp4", "séance d'étirement 🏃.mp4", "跑步 拉伸.mp4"])
def test_paths_with_spaces_and_unicode(capsys, tmp_path: Path, name: str) -> None:
    video = tmp_path / name
    video.parent.mkdir(parents=True, exist_ok=True)
    write_clip(video, grey(3))
    with FileSource(video) as source:
        assert len(list(source)) == 3
    missing = video.with_name("gone " + video.name)
    code, _out, err = replay_cli(capsys, str(missing))
    assert code == 2 and err == f"coach: error: No such video file: {missing}.\n"


def test_replay_cli_writes_a_report_for_a_unicode_name(capsys, tmp_path: Path) -> None:
    video = write_clip(tmp_path / "Läufe am Morgen.mp4", grey(4, (160, 120)))
    code, out, err = replay_cli(capsys, str(video), "--out", str(tmp_path / "out dir"))
    assert code == 0, err
    assert (tmp_path / "out dir" / "Läufe am Morgen.json").is_file()
    assert "Frames: 4 " in out


def test_a_source_error_names_the_file_once(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    with pytest.raises(SourceError) as caught:
        FileSource(path)
    assert str(caught.value).count(str(path)) == 1
