"""`coach replay VIDEO --annotate OUT.mp4`: an H.264 MP4 with the input's frames and timing, findings burned in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
COACH = Path(sys.executable).parent / "coach"
CLIP = REPO / "sample_videos" / "bridge_march_a.mp4"


def frame_times_ms(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [round(float(frame.pts * frame.time_base) * 1000) for frame in container.decode(stream)]


@pytest.mark.replay
def test_annotated_sample_keeps_frames_and_timing(tmp_path: Path) -> None:
    out = tmp_path / "annotated.mp4"
    done = subprocess.run([str(COACH), "replay", str(CLIP), "--annotate", str(out)], cwd=tmp_path,
                          capture_output=True, text=True, check=False, timeout=600, env={**os.environ, "CI": "true"})
    assert done.returncode == 0, done.stderr
    assert f"Annotated video: {out}" in done.stdout
    with av.open(str(out)) as container:
        assert [s.type for s in container.streams] == ["video"]  # no audio
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (640, 480)
    source_times, annotated_times = frame_times_ms(CLIP), frame_times_ms(out)
    assert len(annotated_times) == len(source_times) == 684
    assert max(abs(a - b) for a, b in zip(annotated_times, source_times, strict=True)) <= 1
    assert not list(tmp_path.glob(".*partial*"))


def odd_sized_video(path: Path, frame_count: int) -> Path:
    """95x63 grey frames: H.264 allows odd sides in 4:4:4 (a phone's crop can give them), 4:2:0 does not."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 95, 63, "yuv444p"
        for index in range(frame_count):
            image = np.full((63, 95, 3), index * 7, dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode())
    return path


def test_annotating_a_clip_without_a_person(tmp_path: Path) -> None:
    """Odd-sized, no person: the copy has the same frames (padded to even sides) and the original's pixels."""
    from coach.recorded.annotate import write_annotated
    from coach.replay import replay_video

    video = odd_sized_video(tmp_path / "room.mp4", 15)
    out = write_annotated(replay_video(video), tmp_path / "out" / "room.mp4")
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(container.streams.video[0])]
    assert len(frames) == 15
    assert frames[0].shape == (64, 96, 3)
    assert abs(float(np.mean(frames[3][:63, :95])) - (3 * 7)) < 4  # nothing drawn where no person was found
    assert frame_times_ms(out) == frame_times_ms(video)
