"""Measure how well MediaPipe sees each rendered clip: detection rate and mean 2D joint error vs the labels.

Runs in the main venv (mediapipe, no torch): `python -m coach.synth.measure --model pose_landmarker_full.task
sample_videos/*.mp4`. Writes sample_videos/metrics.json, which the README table is made from.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import av
import numpy as np

from coach.errors import CoachError, require_writable_folder
from coach.landmarks import Landmark

ERROR_JOINTS = tuple(f"{s}_{j}" for j in ("shoulder", "hip", "knee", "ankle", "wrist") for s in ("left", "right"))


def measure(video: Path, model: Path) -> dict:
    """Detection rate over frames where the label has a person, and mean pixel error over ERROR_JOINTS."""
    import mediapipe as mp
    from mediapipe.tasks.python import vision
    from mediapipe.tasks.python.core.base_options import BaseOptions

    labels = json.loads(video.with_suffix(".json").read_text())
    names = labels["joints_2d"]["names"]
    frames = labels["joints_2d"]["frames"]
    cols = [names.index(j) for j in ERROR_JOINTS]
    mp_idx = [Landmark[j.upper()].value for j in ERROR_JOINTS]
    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                           running_mode=vision.RunningMode.VIDEO, num_poses=1)
    detected = present = false_pos = 0
    errors: dict[str, list[float]] = {j: [] for j in ERROR_JOINTS}
    with vision.PoseLandmarker.create_from_options(options) as landmarker, av.open(str(video)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            rgb = frame.to_ndarray(format="rgb24")
            result = landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb),
                                                 round(i * 1000 / labels["fps"]))
            truth = frames[i] if i < len(frames) else None
            found = bool(result.pose_landmarks)
            if truth is None:
                false_pos += found
                continue
            present += 1
            if not found:
                continue
            detected += 1
            lm = result.pose_landmarks[0]
            for name, c, k in zip(ERROR_JOINTS, cols, mp_idx, strict=True):
                if truth[c] is not None:
                    px = np.array([lm[k].x * labels["width"], lm[k].y * labels["height"]])
                    errors[name].append(float(np.linalg.norm(px - np.asarray(truth[c]))))
    all_errors = [e for v in errors.values() for e in v]
    return {
        "frames": labels["frame_count"], "person_frames": present,
        "detection_rate": round(detected / present, 4) if present else None,
        "false_detections": false_pos,
        "mean_error_px": round(float(np.mean(all_errors)), 1) if all_errors else None,
        "per_joint_error_px": {j: round(float(np.mean(v)), 1) for j, v in errors.items() if v},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coach.synth.measure", description=__doc__)
    parser.add_argument("videos", nargs="+", type=Path)
    parser.add_argument("--model", type=Path, default=Path("models/pose_landmarker_full.task"))
    parser.add_argument("--out", type=Path, default=Path("sample_videos/metrics.json"))
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print(f"No pose model at {args.model}; build one with `coach models` or pass --model.", file=sys.stderr)
        return 2
    missing = [video for video in args.videos if not video.is_file()]
    if missing:
        print(f"No such video file: {missing[0]}.", file=sys.stderr)
        return 2
    try:
        require_writable_folder(args.out.parent, "--out's folder")
    except CoachError as exc:
        print(exc, file=sys.stderr)
        return 2
    metrics = json.loads(args.out.read_text()) if args.out.is_file() else {}
    for video in args.videos:
        metrics[video.name] = measure(video, args.model)
        m = metrics[video.name]
        print(f"{video.name}: detection {m['detection_rate']}, error {m['mean_error_px']} px, "
              f"false {m['false_detections']}, per joint {m['per_joint_error_px']}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(dict(sorted(metrics.items())), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
