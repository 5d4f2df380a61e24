"""`python -m coach.synth [--only NAME ...] [--out sample_videos]`: render the labelled sample clips."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from coach.errors import CoachError, require_writable_folder
from coach.synth.clips import by_name


def main(argv: list[str] | None = None) -> int:
    clips = by_name()
    parser = argparse.ArgumentParser(prog="python -m coach.synth", description=__doc__)
    parser.add_argument("--only", action="append", metavar="NAME", help="render just this clip (repeatable)")
    parser.add_argument("--out", type=Path, default=Path("sample_videos"))
    parser.add_argument("--list", action="store_true", help="list the clip names and exit")
    parser.add_argument("--labels-only", action="store_true", help="rewrite the sidecars without rendering video")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(clips))
        return 0
    names = args.only or list(clips)
    unknown = [n for n in names if n not in clips]
    if unknown:
        print(f"Unknown clip {unknown[0]!r}; run with --list to see the names.", file=sys.stderr)
        return 2
    try:
        require_writable_folder(args.out, "--out")
    except CoachError as exc:
        print(exc, file=sys.stderr)
        return 2
    from coach.synth.make import render_clip

    cache: dict = {}
    for name in names:
        started = time.perf_counter()
        sidecar = render_clip(clips[name], args.out, cache, labels_only=args.labels_only)
        print(f"{name}: {sidecar['frame_count']} frames, expected {sidecar['expected']}, "
              f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
