"""`coach replay VIDEO`: run the coach over a recorded video and report what it saw."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from coach.errors import CoachError, require_writable_folder
from coach.models import VARIANTS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("replay", help="analyse a video file: summary and JSON report",
                                   description="Run the pose pipeline over a video file, print a summary and "
                                               "optionally write DIR/<video name>.json.")
    parser.add_argument("video", type=Path, help="video file (mp4, mov, avi, webm, ...)")
    parser.add_argument("--move", default="auto", help="'auto' to recognise moves, or one move id (default: auto)")
    parser.add_argument("--out", type=Path, default=None, help="directory for the JSON report")
    parser.add_argument("--annotate", type=Path, default=None, metavar="OUT.mp4",
                        help="also write the video with skeleton, move, side, count, hold and cues burned in (H.264)")
    parser.add_argument("--model", choices=VARIANTS, default="full", help="pose model size (default: full)")
    parser.add_argument("--save", action="store_true", help="store the result as a session in the history")
    parser.add_argument("--data-dir", default=None, metavar="DIR",
                        help="history folder for --save (default: $COACH_DATA_DIR or the user data dir)")
    parser.set_defaults(handler=run)


def check_args(args: argparse.Namespace) -> None:
    """What the user typed is checked before the video is decoded or the model loaded (minutes, on a long clip)."""
    from coach.moves import MOVE_IDS

    if args.move != "auto" and args.move not in MOVE_IDS:
        raise CoachError(f"Unknown move {args.move!r}; use auto or one of {', '.join(MOVE_IDS)}.")
    if args.out is not None:
        require_writable_folder(args.out, "--out")


def run(args: argparse.Namespace) -> int:
    check_args(args)
    from coach.replay import replay_video, summary_lines, write_report

    progress = sys.stderr.isatty() and not os.environ.get("CI")  # no progress bar in CI logs or pipes
    result = replay_video(args.video, move=args.move, variant=args.model, progress=progress)
    for line in summary_lines(result, args.model):
        print(line)
    if args.out is not None:
        print(f"Report: {write_report(result, args.out)}")
    if args.annotate is not None:
        from coach.recorded.annotate import write_annotated

        print(f"Annotated video: {write_annotated(result, args.annotate)}")
    if args.save:
        from coach.history import save_replay_report

        print(f"Saved to the history as session {save_replay_report(result.report(), args.data_dir)}")
    return 0
