"""`coach models`: provision the pose model bundle now (it is also done automatically on first use)."""

from __future__ import annotations

import argparse
from pathlib import Path

from coach.models import VARIANTS, default_model_dir, ensure_model


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models", help="build or fetch the pose model (full: offline, from the installed mediapipe)",
        description="Provide pose_landmarker_<variant>.task. 'full' is built offline from the installed mediapipe "
                    "package; 'lite' and 'heavy' are downloaded from Google or built from npm's @mediapipe/pose.")
    parser.add_argument("--variant", choices=VARIANTS, default="full", help="model size (default: full)")
    parser.add_argument("--dir", type=Path, default=None,
                        help=f"directory for the model (default: $COACH_MODEL_DIR or {default_model_dir()})")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = ensure_model(args.variant, args.dir)
    print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0
