"""The annotated video: the input's frames with the replay's findings burned in, written as H.264 MP4 by PyAV.

PyAV (FFmpeg's libx264) rather than cv2.VideoWriter: OpenCV's wheels carry no H.264 encoder, and H.264 in MP4 is
what every browser and phone plays. The frames are decoded a second time (`FileSource`, so rotation and timestamps
match the analysis) and paired by index with the replay's timeline and per-frame checker results; nothing is
re-analysed here. Each output frame keeps its input timestamp (millisecond time base), no audio stream is written.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from coach.errors import CoachError
from coach.landmarks import SKELETON_EDGES
from coach.live import overlay_points
from coach.moves import MOVES
from coach.moves.base import HOLDING, CueGiven, FrameResult, SetupWarning
from coach.pose import Pose
from coach.replay import Progress, ReplayResult
from coach.sources import FileSource

# BGR, the overlay's colours (web/style.css): good green, attention orange, neutral white, cue yellow.
GOOD_BGR = (138, 224, 56)
ATTENTION_BGR = (74, 107, 255)
NEUTRAL_BGR = (245, 238, 232)
CUE_BGR = (63, 210, 255)
PANEL_BGR = (16, 13, 11)
CUE_SHOW_MS = 3_000  # a cue or warning stays on screen this long (frame time), like the overlay's cue line
CRF = 23  # libx264 quality: visually clean at a few hundred kB per minute of 640x480
PRESET = "veryfast"  # about 4x faster than "medium" for a few % more bytes; the pose model dominates anyway
TIME_BASE = Fraction(1, 1000)  # pts in ms: each frame keeps the t_ms the analysis used
FONT = cv2.FONT_HERSHEY_DUPLEX


def write_annotated(result: ReplayResult, out: Path, on_frame: Progress | None = None) -> Path:
    """Write `out` (MP4, H.264) from `result.video` and its analysis; `on_frame(done, total)` after each frame.

    Written to a temporary name and renamed, so `out` is either the whole video or absent."""
    partial = out.with_name(f".{out.name}.partial.mp4")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with FileSource(result.video) as source, av.open(str(partial), "w") as container:
            width, height = (side + side % 2 for side in source.size)  # yuv420p needs even sides
            stream = container.add_stream("libx264", rate=round(source.fps) or 30,
                                          options={"crf": str(CRF), "preset": PRESET})
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.codec_context.time_base = TIME_BASE
            painter = _Painter(width, height)
            for frame in source:
                if frame.index >= len(result.timeline):
                    break  # the analysis stopped at a damaged frame; so does the copy
                image = _even(frame.image_bgr, width, height)
                painter.paint(image, result.timeline[frame.index][1], _at(result.analysis.frames, frame.index))
                picture = av.VideoFrame.from_ndarray(image, format="bgr24")
                picture.pts, picture.time_base = frame.t_ms, TIME_BASE
                container.mux(stream.encode(picture))
                if on_frame is not None:
                    on_frame(frame.index + 1, len(result.timeline))
            container.mux(stream.encode())
        partial.replace(out)
    except (OSError, av.FFmpegError) as exc:
        partial.unlink(missing_ok=True)
        raise CoachError(f"Cannot write the annotated video {out}: {exc}.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return out


def _at(frames: list[FrameResult | None], index: int) -> FrameResult | None:
    return frames[index] if index < len(frames) else None


def _even(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pad an odd-sized frame by one black row/column (the encoder's chroma needs even sides)."""
    pad_y, pad_x = height - image.shape[0], width - image.shape[1]
    if pad_x or pad_y:
        image = cv2.copyMakeBorder(image, 0, pad_y, 0, pad_x, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    return np.ascontiguousarray(image)


class _Painter:
    """Draws one frame's skeleton and text; remembers the latest side and cue, which outlive the frame they came in."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.unit = max(height, 240) / 480  # 1.0 at 480 p: line widths and text scale with the picture
        self.side: str | None = None
        self.cue: tuple[int, str, tuple[int, int, int]] | None = None  # (t_ms, text, colour)

    def paint(self, image: np.ndarray, pose: Pose | None, result: FrameResult | None) -> None:
        if result is not None:
            self.side = result.side or self.side
            for event in result.events:
                if isinstance(event, CueGiven):
                    self.cue = (event.t_ms, event.text, CUE_BGR)
                elif isinstance(event, SetupWarning):
                    self.cue = (event.t_ms, event.text, ATTENTION_BGR)
        self._skeleton(image, pose, result.joint_status if result is not None else {})
        if result is not None:
            self._status(image, result)
            if self.cue is not None and result.t_ms - self.cue[0] <= CUE_SHOW_MS:
                self._banner(image, self.cue[1], self.cue[2])

    def _px(self, point: tuple[float, float]) -> tuple[int, int]:
        return round(point[0] * self.width), round(point[1] * self.height)

    def _skeleton(self, image: np.ndarray, pose: Pose | None, status: dict[int, str]) -> None:
        points = overlay_points(pose)
        if not points:
            return
        line_px, dot_px = max(2, round(4 * self.unit)), max(3, round(6 * self.unit))
        for a, b in SKELETON_EDGES:
            pa, pb = points[a], points[b]
            if pa is None or pb is None:
                continue
            bad = "attention" in (status.get(int(a)), status.get(int(b)))
            cv2.line(image, self._px(pa), self._px(pb), ATTENTION_BGR if bad else NEUTRAL_BGR, line_px, cv2.LINE_AA)
        for joint in {int(j) for edge in SKELETON_EDGES for j in edge}:
            point = points[joint]
            if point is None:
                continue
            colour = {"good": GOOD_BGR, "attention": ATTENTION_BGR}.get(status.get(joint, ""), NEUTRAL_BGR)
            cv2.circle(image, self._px(point), dot_px, colour, -1, cv2.LINE_AA)
            cv2.circle(image, self._px(point), dot_px, (0, 0, 0), max(1, round(self.unit)), cv2.LINE_AA)

    def _status(self, image: np.ndarray, result: FrameResult) -> None:
        """Top-left panel: the move, the side, then the count and/or the hold seconds of that side."""
        move = MOVES[result.move_id]
        side = self.side if self.side in result.reps or self.side in result.hold_ms else None
        lines = [(move.title, 0.7, NEUTRAL_BGR)]
        if move.one_sided and side:
            lines.append((f"{side.upper()} SIDE", 0.7, CUE_BGR))
        if result.reps:
            reps = result.reps.get(side or "", max(result.reps.values()))
            per_side = "  ".join(f"{s[0].upper()} {n}" for s, n in result.reps.items())
            lines.append((f"{reps} reps   ({per_side})", 0.9, NEUTRAL_BGR))
        if result.hold_ms:
            hold_ms = result.hold_ms.get(side or "", max(result.hold_ms.values()))
            colour = CUE_BGR if result.phase == HOLDING else NEUTRAL_BGR
            lines.append((f"hold {hold_ms // 1000} s", 0.9, colour))
        self._panel(image, lines, top=True)

    def _banner(self, image: np.ndarray, text: str, colour: tuple[int, int, int]) -> None:
        self._panel(image, [(text, 0.8, colour)], top=False)

    def _panel(self, image: np.ndarray, lines: list[tuple[str, float, tuple[int, int, int]]], top: bool) -> None:
        pad = round(8 * self.unit)
        sizes = [cv2.getTextSize(text, FONT, scale * self.unit, self._thick(scale)) for text, scale, _ in lines]
        box_w = min(self.width, max(w for (w, _h), _b in sizes) + 2 * pad)
        box_h = sum(h + b + pad for (_w, h), b in sizes) + pad
        y0 = 0 if top else self.height - box_h
        region = image[y0:y0 + box_h, 0:box_w]
        region[:] = (0.35 * region + 0.65 * np.array(PANEL_BGR)).astype(np.uint8)  # translucent backing
        y = y0 + pad
        for (text, scale, colour), ((_w, h), base) in zip(lines, sizes, strict=True):
            y += h
            cv2.putText(image, text, (pad, y), FONT, scale * self.unit, colour, self._thick(scale), cv2.LINE_AA)
            y += base + pad

    def _thick(self, scale: float) -> int:
        return max(1, round(2 * scale * self.unit))
