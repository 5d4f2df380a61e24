"""Cut the move demos shown on the start sheet and in get-ready: one short, muted, small loop per move, taken from
the rendered sample clips around the first labelled reps (or the first hold), written to web/demos/<move_id>.mp4.

    .venv/bin/python scripts/make_demos.py      # needs ffmpeg; rerun after the sample clips change

Size: 320 px wide, 15 fps, CRF 28 H.264 without audio, at most MAX_S seconds: all seven together stay far below the
5 MB the page may spend on them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from coach.moves import MOVE_IDS

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "web" / "demos"
CLIP_FOR_MOVE = {  # the clip whose first reps show the move most plainly (side-on or oblique)
    "hip_90_90": "hip_90_90_a",
    "lunge_rotation": "lunge_rotation_left",
    "bridge_march": "bridge_march_a",
    "hamstring_scoop": "hamstring_scoop_walkin",
    "hip_flexor_reach": "hip_flexor_reach_left",
    "forward_fold_pedals": "forward_fold_pedals_a",
    "hamstring_strap": "hamstring_strap_a",
}
MAX_S = 8.0
HOLD_LEAD_MS = 1500  # a hold demo starts this long before the hold, to show getting into it
WIDTH_PX, FPS, CRF = 320, 15, 28


def window_ms(sidecar: dict, move_id: str) -> tuple[int, int]:
    """Two reps, from half a rep before the first to half a rep after the second; or a hold and its start."""
    events = [e for e in sidecar["events"] if e["move"] == move_id and e["kind"] in ("rep", "hold")]
    first = events[0]
    if first["kind"] == "hold":
        start = max(0, first["t_ms"] - HOLD_LEAD_MS)
        return start, start + round(MAX_S * 1000)
    gap = events[1]["t_ms"] - first["t_ms"]
    start = max(0, first["t_ms"] - gap // 2)
    return start, min(start + round(MAX_S * 1000), events[1]["t_ms"] + gap // 2)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for move_id in MOVE_IDS:
        clip = REPO / "sample_videos" / f"{CLIP_FOR_MOVE[move_id]}.mp4"
        start_ms, end_ms = window_ms(json.loads(clip.with_suffix(".json").read_text()), move_id)
        out = OUT / f"{move_id}.mp4"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-ss", f"{start_ms / 1000:.3f}", "-t",
                        f"{(end_ms - start_ms) / 1000:.3f}", "-i", str(clip), "-an", "-vf",
                        f"scale={WIDTH_PX}:-2,fps={FPS}", "-c:v", "libx264", "-crf", str(CRF), "-preset", "slow",
                        "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)], check=True)
        print(f"{out.relative_to(REPO)}: {(end_ms - start_ms) / 1000:.1f} s, {out.stat().st_size / 1000:.0f} kB")


if __name__ == "__main__":
    main()
