"""Render one clip spec to an H.264 MP4 and write its label sidecar (schema in docs/CONTRACTS.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from coach.synth.body import JOINT_NAMES, Body
from coach.synth.choreo import Script, place
from coach.synth.export import BODY_SHAPES, REGION_NAMES
from coach.synth.render import HEIGHT, WIDTH, Camera, Renderer, Room

FPS = 30
MAIN_JOINTS = tuple(f"{s}_{j}" for j in ("shoulder", "hip", "knee", "ankle", "wrist", "elbow")
                    for s in ("left", "right"))
MAIN_IDX = [JOINT_NAMES.index(j) for j in MAIN_JOINTS]
MIN_MAIN_IN_VIEW = 9
"""A frame has the person in view when this many of the 12 main joints project inside the picture."""


def joints_in_picture(px: np.ndarray, size: tuple[int, int]) -> list | None:
    """A frame's entry of the sidecar's `joints_2d`: each joint's pixel position rounded to 0.1 (None for one outside
    the picture), or None when the person is not in view."""
    width, height = size
    inside = (px[:, 0] >= 0) & (px[:, 0] < width) & (px[:, 1] >= 0) & (px[:, 1] < height)
    if int(inside[MAIN_IDX].sum()) < MIN_MAIN_IN_VIEW:
        return None
    return [[round(float(x), 1), round(float(y), 1)] if ok else None for (x, y), ok in zip(px, inside, strict=True)]

# Clothing palettes: region name -> RGB (0..1); regions not listed are skin.
OUTFITS: dict[str, dict[str, tuple[float, float, float]]] = {
    "blue_tee_black_shorts": {"shirt": (0.16, 0.36, 0.70), "sleeve": (0.16, 0.36, 0.70), "hips": (0.12, 0.12, 0.14),
                              "thigh": (0.12, 0.12, 0.14), "shoe": (0.92, 0.92, 0.92), "hair": (0.22, 0.14, 0.09)},
    "red_top_grey_leggings": {"shirt": (0.72, 0.18, 0.20), "hips": (0.35, 0.36, 0.40), "thigh": (0.35, 0.36, 0.40),
                              "shin": (0.35, 0.36, 0.40), "shoe": (0.20, 0.22, 0.30), "hair": (0.10, 0.08, 0.07)},
    "green_tee_navy_shorts": {"shirt": (0.22, 0.52, 0.34), "sleeve": (0.22, 0.52, 0.34), "hips": (0.13, 0.17, 0.35),
                              "thigh": (0.13, 0.17, 0.35), "shoe": (0.85, 0.35, 0.15), "hair": (0.45, 0.30, 0.15)},
    "white_tee_black_leggings": {"shirt": (0.90, 0.90, 0.88), "sleeve": (0.90, 0.90, 0.88),
                                 "hips": (0.10, 0.10, 0.11), "thigh": (0.10, 0.10, 0.11), "shin": (0.10, 0.10, 0.11),
                                 "shoe": (0.30, 0.55, 0.80), "hair": (0.05, 0.04, 0.04)},
}
SKIN_TONES = {"light": (0.87, 0.68, 0.57), "medium": (0.72, 0.52, 0.38), "dark": (0.45, 0.31, 0.22)}


@dataclass
class ClipSpec:
    """A clip: who, wearing what, seen from where, doing which script."""

    name: str
    description: str
    build: Callable[[Script, Body], None]
    shape: str = "ava"
    outfit: str = "blue_tee_black_shorts"
    skin: str = "light"
    start: dict = field(default_factory=dict)
    start_xy: tuple[float, float] = (0.0, 0.0)
    cam_azimuth_deg: float = -60.0  # camera direction seen from the person: 0 = in front, +90 = their left side
    cam_height_m: float = 0.6
    fov_deg: float = 55.0
    room: Room = field(default_factory=Room)
    fit_from_s: float = 0.0  # frame the camera on the part after this time (walk-ins start outside the view)
    empty_s: float = 0.0  # >0: no person at all, this many seconds of empty room
    seed: int = 0
    crf: int = 28


def colours(body: Body, outfit: str, skin: str) -> np.ndarray:
    palette = np.array([OUTFITS[outfit].get(name, SKIN_TONES[skin]) for name in REGION_NAMES])
    return palette[body.regions]


def fit_camera(points: np.ndarray, azimuth_deg: float, height_m: float, fov_deg: float, view: str,
               size: tuple[int, int] = (WIDTH, HEIGHT), roll_deg: float = 0.0) -> Camera:
    """Aim at the middle of all sampled points and back off until every one is inside the frame with a margin."""
    width, height = size
    lo, hi = points.min(0), points.max(0)
    target = (lo + hi) / 2
    target[2] = min(max(target[2], 0.25), 1.0)
    direction = np.array([np.sin(np.radians(azimuth_deg)), -np.cos(np.radians(azimuth_deg))])
    for dist in np.arange(1.5, 8.0, 0.05):
        eye = (target[0] + direction[0] * dist, target[1] + direction[1] * dist, height_m)
        cam = Camera(eye=tuple(float(v) for v in eye), target=tuple(float(v) for v in target), fov_deg=fov_deg,
                     view=view, width=width, height=height, roll_deg=roll_deg)
        px = cam.project(points)
        if (px[:, 0].min() > 0.07 * width and px[:, 0].max() < 0.93 * width and px[:, 1].min() > 0.06 * height
                and px[:, 1].max() < 0.94 * height):
            return cam
    return cam


def _view_name(spec: ClipSpec, body_yaw: float) -> str:
    rel = abs((spec.cam_azimuth_deg - body_yaw + 180) % 360 - 180)
    return "front" if rel < 25 else "side" if 70 <= rel <= 110 else "oblique"


def build_script(spec: ClipSpec, body: Body) -> Script:
    script = Script(np.random.default_rng(spec.seed), start=spec.start, at_xy=spec.start_xy)
    spec.build(script, body)
    return script


def render_clip(spec: ClipSpec, out_dir: Path, renderer_cache: dict | None = None, labels_only: bool = False) -> dict:
    """Render `spec` into out_dir/<name>.mp4 and .json (only the .json with `labels_only`); returns the sidecar."""
    body = Body(spec.shape if spec.shape in BODY_SHAPES else "ava")
    cache = renderer_cache if renderer_cache is not None else {}
    renderer = None if labels_only else cache.get("r") or cache.setdefault("r", Renderer(body.faces))
    empty = spec.empty_s > 0
    script = None if empty else build_script(spec, body)
    duration_s = spec.empty_s if empty else script.t_s
    n_frames = int(np.ceil((duration_s + (0 if empty else 0.3)) * FPS))  # a short still tail after the script
    sample_vertices = np.arange(0, len(body.rest), 37)
    if empty:
        camera = Camera(eye=(1.6, -2.8, spec.cam_height_m), target=(0.0, 0.0, 0.6), fov_deg=spec.fov_deg,
                        view="front")
    else:
        pts, yaws = [], []
        for i in range(0, n_frames, 6):
            if i / FPS < spec.fit_from_s:
                continue
            angles, anchor, xy = place(body, script, i / FPS)
            posed = body.pose(angles, anchor, xy)
            pts.append(posed.vertices[sample_vertices])
            yaws.append(angles.get("body_yaw", 0.0))
        yaw = float(np.median(yaws))
        camera = fit_camera(np.concatenate(pts), spec.cam_azimuth_deg + yaw, spec.cam_height_m, spec.fov_deg,
                            _view_name(spec, 0.0))
    cols = colours(body, spec.outfit, spec.skin)
    joints_2d: list = []
    person_frames = 0
    out_dir.mkdir(parents=True, exist_ok=True)
    encoder = None if labels_only else Encoder(out_dir / f"{spec.name}.mp4", spec.crf)
    for i in range(n_frames):
        if empty:
            joints_2d.append(None)
            if encoder:
                encoder.write(renderer.draw(None, cols, camera, spec.room))
            continue
        angles, anchor, xy = place(body, script, i / FPS)
        posed = body.pose(angles, anchor, xy)
        joints_2d.append(joints_in_picture(camera.project(posed.joints), (WIDTH, HEIGHT)))
        person_frames += joints_2d[-1] is not None
        if encoder:
            encoder.write(renderer.draw(posed.vertices, cols, camera, spec.room))
    if encoder:
        encoder.close()
    sidecar = _sidecar(spec, script, camera, n_frames, person_frames, joints_2d)
    (out_dir / f"{spec.name}.json").write_text(compact_json(sidecar))
    return sidecar


class Encoder:
    """H.264 MP4 through PyAV (libx264, yuv420p): browsers and OpenCV both read it."""

    def __init__(self, path: Path, crf: int, fps: int = FPS, size: tuple[int, int] = (WIDTH, HEIGHT),
                 preset: str = "medium") -> None:
        self.container = av.open(str(path), "w")
        self.stream = self.container.add_stream("libx264", rate=fps, options={"crf": str(crf), "preset": preset})
        self.stream.width, self.stream.height, self.stream.pix_fmt = size[0], size[1], "yuv420p"

    def write(self, image: np.ndarray) -> None:
        self.container.mux(self.stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))

    def close(self) -> None:
        self.container.mux(self.stream.encode())
        self.container.close()


def expected_counts(script: Script | None) -> dict:
    """move -> reps per side and hold seconds per side, from the script's labels (partial reps not counted)."""
    if script is None:
        return {}
    out: dict[str, dict] = {}
    for label in script.labels:
        entry = out.setdefault(label.move, {"reps": {}, "hold_s": {}})
        if label.kind == "rep":
            entry["reps"][label.side] = entry["reps"].get(label.side, 0) + 1
        elif label.kind == "hold":
            assert label.end_ms is not None
            entry["hold_s"][label.side] = round(entry["hold_s"].get(label.side, 0.0)
                                                + (label.end_ms - label.t_ms) / 1000, 1)
    for seg in script.segments:
        if seg["move"]:
            out.setdefault(seg["move"], {"reps": {}, "hold_s": {}})
    return out


def _sidecar(spec: ClipSpec, script: Script | None, camera: Camera, n_frames: int, person_frames: int,
             joints_2d: list) -> dict:
    duration_ms = round(n_frames * 1000 / FPS)
    segments = script.segments if script else [{"move": None, "side": None, "start_ms": 0, "end_ms": duration_ms}]
    events = [{"kind": lb.kind, "move": lb.move, "side": lb.side, "t_ms": lb.t_ms,
               **({"end_ms": lb.end_ms} if lb.end_ms is not None else {})} for lb in (script.labels if script else [])]
    return {
        "clip": f"{spec.name}.mp4", "fps": FPS, "width": WIDTH, "height": HEIGHT, "frame_count": n_frames,
        "duration_ms": duration_ms, "description": spec.description,
        "body": {"shape": spec.shape, "phenotype": BODY_SHAPES.get(spec.shape, {}), "outfit": spec.outfit,
                 "skin": spec.skin} if script else {},
        "camera": {"eye": [round(v, 3) for v in camera.eye], "target": [round(v, 3) for v in camera.target],
                   "fov_deg": camera.fov_deg, "view": camera.view},
        "segments": segments,
        "expected": expected_counts(script),
        "events": events,
        "person_frames": person_frames,
        "joints_2d": {"names": list(JOINT_NAMES), "frames": joints_2d},
    }


def compact_json(sidecar: dict) -> str:
    """Readable header, one line per frame of joints: small and diff-friendly."""
    frames = sidecar["joints_2d"]["frames"]
    head = {**sidecar, "joints_2d": {"names": sidecar["joints_2d"]["names"], "frames": "@FRAMES@"}}
    text = json.dumps(head, indent=1)
    rows = ",\n".join(json.dumps(f, separators=(",", ":")) for f in frames)
    return text.replace('"@FRAMES@"', "[\n" + rows + "\n]") + "\n"
