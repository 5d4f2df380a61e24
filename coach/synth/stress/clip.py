"""Render one stress clip: the drawn body in the drawn stage, seen by the drawn camera (with a few seconds of tight
crop), through the sensor, encoded at the drawn quality; writes the video, its label sidecar (schema in
docs/CONTRACTS.md) and returns its manifest record (the real-footage manifest schema, plus `factors`)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from coach.synth.body import JOINT_NAMES, Body
from coach.synth.choreo import Script, place
from coach.synth.export import REGION_NAMES
from coach.synth.make import Encoder, compact_json, expected_counts, fit_camera, joints_in_picture
from coach.synth.render import Camera
from coach.synth.stress import sets
from coach.synth.stress.sensor import Exposure
from coach.synth.stress.stage import StageRenderer
from coach.synth.stress.variety import Variation, draw

CROP_S = 3.0
CROP_FOV_SHARE = 0.55
"""The tight crop: this long, at this share of the field of view, aimed away from the feet or the hands."""
STRIPE_M = 0.06


def colours(body: Body, v: Variation) -> np.ndarray:
    """Per-vertex colours: skin, the outfit by region, stripes or checks on the top from the rest-pose position."""
    o = v.outfit
    bottom = ("hips", "thigh", "shin") if o.long_trousers else ("hips", "thigh")
    palette = {"shirt": o.top_rgb, "hair": o.hair_rgb, **dict.fromkeys(bottom, o.bottom_rgb)}
    if o.long_sleeves:
        palette["sleeve"] = o.top_rgb
    if not o.barefoot:
        palette["shoe"] = o.shoe_rgb
    cols = np.array([palette.get(name, v.skin_rgb) for name in REGION_NAMES])[body.regions]
    top = np.isin(body.regions, [REGION_NAMES.index(r) for r in ("shirt", "sleeve") if r in palette])
    bands = np.floor(body.rest[:, 2] / STRIPE_M).astype(int)
    if o.pattern == "checks":
        bands = bands + np.floor(body.rest[:, 0] / STRIPE_M).astype(int)
    if o.pattern != "plain":
        cols[top & (bands % 2 == 0)] = o.pattern_rgb
    return cols


def _walk_end_s(script: Script) -> float:
    return max((seg["end_ms"] / 1000 for seg in script.segments if seg["move"] is None), default=0.0)


def frame_camera(v: Variation, body: Body, script: Script) -> Camera:
    """Whole-body framing of the set (after any walk-in), then backed off by the drawn distance factor."""
    sample = np.arange(0, len(body.rest), 37)
    pts = [body.pose(*place(body, script, t)).vertices[sample]
           for t in np.arange(_walk_end_s(script), script.t_s, 0.2)]
    cam = fit_camera(np.concatenate(pts), v.camera.azimuth_deg, v.camera.height_m, v.camera.fov_deg,
                     v.camera.view, v.camera.size, v.camera.roll_deg)
    eye, target = np.asarray(cam.eye), np.asarray(cam.target)
    eye[:2] = target[:2] + (eye[:2] - target[:2]) * v.camera.distance_x
    return replace(cam, eye=tuple(float(c) for c in eye))


def crop_camera(v: Variation, body: Body, script: Script, base: Camera) -> tuple[Camera, float, float]:
    """The tight camera and its time window: aimed at the shoulders-hips middle (the feet leave the image) or the
    hips-knees middle (the hands leave it)."""
    start_s = _walk_end_s(script) + v.camera.crop_at * (script.t_s - _walk_end_s(script))
    joints = body.pose(*place(body, script, start_s + CROP_S / 2)).joints
    names = ("shoulder", "hip") if v.camera.crop == "feet" else ("hip", "knee")
    aim = np.mean([joints[JOINT_NAMES.index(f"{side}_{j}")] for j in names for side in ("left", "right")], axis=0)
    return replace(base, target=tuple(float(c) for c in aim), fov_deg=base.fov_deg * CROP_FOV_SHARE), start_s, \
        start_s + CROP_S


def camera_at(t_s: float, base: Camera, crop: tuple[Camera, float, float] | None) -> Camera:
    """The base camera, easing into the crop and back out over half a second each way."""
    if crop is None:
        return base
    tight, start_s, end_s = crop
    w = float(np.clip(min(t_s - start_s, end_s - t_s) / 0.5, 0.0, 1.0))
    if w == 0.0:
        return base
    target = (1 - w) * np.asarray(base.target) + w * np.asarray(tight.target)
    return replace(base, target=tuple(float(c) for c in target), fov_deg=(1 - w) * base.fov_deg + w * tight.fov_deg)


def render(v: Variation, out_dir: Path) -> dict:
    """Render clip `v` into out_dir; returns its manifest record."""
    body = Body("ava", mix=v.mix, scale=v.scale)
    script = sets.build(v, body)
    fps = v.camera.fps
    n_frames = int(np.ceil((script.t_s + 0.3) * fps))
    base = frame_camera(v, body, script)
    crop = crop_camera(v, body, script, base) if v.camera.crop else None
    renderer = StageRenderer(body.faces, v.camera.size)
    exposure = Exposure(v.sensor, np.random.default_rng([v.seed, v.index, 2]), v.camera.size)
    cols = colours(body, v)
    out_dir.mkdir(parents=True, exist_ok=True)
    video = out_dir / f"{v.name}.mp4"
    encoder = Encoder(video, v.crf, fps, v.camera.size, preset="veryfast")  # quality is set by crf; time matters
    joints_2d: list = []
    person_frames = 0
    for i in range(n_frames):
        camera = camera_at(i / fps, base, crop)
        posed = body.pose(*place(body, script, i / fps))
        joints_2d.append(joints_in_picture(camera.project(posed.joints), v.camera.size))
        person_frames += joints_2d[-1] is not None
        encoder.write(exposure.apply(renderer.draw_stage(posed.vertices, cols, camera, v.stage)))
    encoder.close()
    renderer.ctx.release()
    sidecar = _sidecar(v, script, base, n_frames, person_frames, joints_2d)
    (out_dir / f"{v.name}.json").write_text(compact_json(sidecar))
    return manifest_record(v, script, sidecar, video)


def _sidecar(v: Variation, script: Script, camera: Camera, n_frames: int, person_frames: int,
             joints_2d: list) -> dict:
    fps = v.camera.fps
    return {
        "clip": f"{v.name}.mp4", "fps": fps, "width": v.camera.size[0], "height": v.camera.size[1],
        "frame_count": n_frames, "duration_ms": round(n_frames * 1000 / fps), "description": describe(v),
        "body": {"mix": v.mix, "scale": v.scale, "phenotype": v.phenotype(), "skin_rgb": list(v.skin_rgb)},
        "camera": {"eye": [round(c, 3) for c in camera.eye], "target": [round(c, 3) for c in camera.target],
                   "fov_deg": round(camera.fov_deg, 1), "view": camera.view, "roll_deg": camera.roll_deg},
        "segments": script.segments,
        "expected": expected_counts(script),
        "events": [{"kind": lb.kind, "move": lb.move, "side": lb.side, "t_ms": lb.t_ms,
                    **({"end_ms": lb.end_ms} if lb.end_ms is not None else {})} for lb in script.labels],
        "person_frames": person_frames,
        "factors": v.factors(),
        "joints_2d": {"names": list(JOINT_NAMES), "frames": joints_2d},
    }


def describe(v: Variation) -> str:
    """One line of what the clip shows, for the manifest's notes and the sidecar."""
    f = v.factors()
    unit = "s hold per side" if v.move in ("hip_flexor_reach", "hamstring_strap") else "reps"
    extras = [k.replace("_", " ") for k in ("walk_in", "set_ends_mid_rep", "pauses_or_fidgets", "furniture_in_front")
              if f[k] == "yes"]
    if v.camera.crop:
        extras.append(f"{v.camera.crop} cut off for {CROP_S:.0f} s")
    return (f"{v.move} ({v.variant or 'set'}, {v.count} {unit}, first side {v.side}); {f['view']} view from "
            f"{v.camera.height_m} m, {f['light']} light, {f['tempo']} tempo, {f['range']} range"
            + "".join(f"; {e}" for e in extras))


def manifest_record(v: Variation, script: Script, sidecar: dict, video: Path) -> dict:
    """The clip in the real-footage manifest schema: the circuit move id, reps per side (a two-leg bridge under
    'both'), holds per side, peak times; plus the drawn `factors` for the per-factor breakdown."""
    reps = [lb for lb in script.labels if lb.kind == "rep"]
    per_side: dict[str, int] = {}
    for lb in reps:
        per_side[lb.side] = per_side.get(lb.side, 0) + 1
    holds = [{"side": lb.side, "seconds": round((lb.end_ms - lb.t_ms) / 1000, 2), "start_s": lb.t_ms / 1000,
              "end_s": lb.end_ms / 1000} for lb in script.labels if lb.kind == "hold" and lb.end_ms is not None]
    data = video.read_bytes()
    return {
        "id": v.name, "file": video.name, "repo": "synthetic", "path": f"seed {v.seed} clip {v.index}",
        "commit": None, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
        "duration_s": round(sidecar["duration_ms"] / 1000, 3), "fps": float(v.camera.fps),
        "frames": sidecar["frame_count"], "width": v.camera.size[0], "height": v.camera.size[1],
        "move": v.move, "role": "target", "view": f"{v.factors()['view']}, azimuth {v.camera.azimuth_deg} deg, "
        f"height {v.camera.height_m} m, roll {v.camera.roll_deg} deg, static",
        "reps": len(reps) if reps else None, "reps_accept": [len(reps), len(reps)] if reps else None,
        "reps_per_side": per_side or None, "holds": holds or None,
        "rep_peak_times_s": [lb.t_ms / 1000 for lb in reps] or None,
        "label_confidence": "high", "notes": f"Rendered stress clip: {describe(v)}.", "factors": v.factors(),
    }


def render_indexed(seed: int, index: int, out_dir: Path) -> tuple[int, dict, float]:
    """Clip `index` of set `seed` (a worker process's job): index, manifest record, seconds it took."""
    started = time.perf_counter()
    return index, render(draw(seed, index), out_dir), time.perf_counter() - started
