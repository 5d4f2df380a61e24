"""Frame sources: file timing, strictly increasing timestamps, and one clear sentence for each bad input."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from coach.sources import CameraSource, FileSource, SourceError, open_source


def test_file_frames_carry_the_files_own_timing(make_video) -> None:
    video = make_video("clip.mp4", 10, size=(80, 60), fps=25)
    with open_source(str(video)) as source:
        frames = list(source)
        assert (source.fps, source.size, source.frame_count) == (25.0, (80, 60), 10)
    assert [f.t_ms for f in frames] == [i * 40 for i in range(10)]
    assert [f.index for f in frames] == list(range(10))
    assert frames[0].image_bgr.shape == (60, 80, 3) and frames[0].image_bgr.dtype == np.uint8


def test_irregular_frame_times_are_kept_and_stay_increasing(tmp_path: Path) -> None:
    """A variable-frame-rate file: t_ms follows the stored presentation times, not index / fps."""
    video = tmp_path / "vfr.mkv"
    pts_ms = [0, 30, 100, 110, 300]
    with av.open(str(video), "w") as container:
        stream = container.add_stream("mjpeg", rate=30)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuvj420p"
        stream.codec_context.time_base = stream.time_base = Fraction(1, 1000)
        for t in pts_ms:
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="bgr24")
            frame.pts = t
            frame.time_base = stream.codec_context.time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    with FileSource(video) as source:
        assert [f.t_ms for f in source] == pts_ms


def test_digit_spec_means_a_camera_and_a_missing_camera_is_one_sentence() -> None:
    with pytest.raises(SourceError, match=r"^No camera is available at index 63 .*\.$"):
        open_source("63")
    with pytest.raises(SourceError, match="index 62"):
        CameraSource(62)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing.mp4", r"^No such video file: .*missing\.mp4\.$"),
        ("notes.mp4", r"notes\.mp4 is not a video file FFmpeg can read\.$"),
        ("cut.mp4", r"cut\.mp4 looks like an MP4 video but cannot be read; it is truncated or corrupt\.$"),
        ("empty.mp4", r"empty\.mp4 contains no video frames\.$"),
        ("folder", r"folder is a directory, not a video file\.$"),
    ],
)
def test_bad_inputs_are_reported_when_opened(make_bad_video, name: str, expected: str) -> None:
    with pytest.raises(SourceError, match=expected):
        open_source(str(make_bad_video(name)))
