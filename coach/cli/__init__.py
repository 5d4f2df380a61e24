"""The `coach` command line. Each command lives in its own module in this package; this file only lists them.

A command module exposes `register(subparsers) -> None`, which adds its parser and sets
`handler=<function(args) -> int>` with `set_defaults`. Keep heavy imports (mediapipe, cv2) inside the handler so
`coach --help` stays fast. A CoachError raised by a handler is printed as one line and exits with code 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from coach import __version__
from coach.errors import CoachError

# Add your command's module here (one line).
COMMAND_MODULES = (
    "coach.cli.models",
    "coach.cli.replay",
    "coach.cli.history",
    "coach.cli.routines",
    "coach.cli.serve",
    "coach.cli.bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coach", description="Stride Coach: a camera coach for runners' hip and "
                                     "hamstring mobility that runs entirely on your machine.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="coach: %(message)s")
    logging.getLogger("coach").setLevel(logging.INFO)
    try:
        return int(args.handler(args) or 0)
    except CoachError as exc:
        print(f"coach: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("coach: interrupted", file=sys.stderr)
        return 130
