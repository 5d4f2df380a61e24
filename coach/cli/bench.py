"""`coach bench speed|accuracy|soak|latency`: measure the coach on the sample clips; results JSON + Markdown table."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coach.errors import CoachError, require_writable_folder
from coach.models import VARIANTS

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="benchmarks: speed, accuracy against the labels, memory soak",
                                   description="Measure the coach on the labelled sample clips. Each benchmark "
                                               "prints a Markdown table with PASS/MISS per target and writes "
                                               "bench/results/<kind>-<name>.json and .md.")
    kinds = parser.add_subparsers(title="benchmarks", metavar="KIND", required=True)
    speed = kinds.add_parser("speed", help="fps and per-stage latency per model variant")
    speed.add_argument("--variants", default="lite,full,heavy",
                       help="comma-separated model variants (default: lite,full,heavy; unavailable ones are reported)")
    accuracy = kinds.add_parser("accuracy", help="counted vs labelled reps, holds and moves; naive baseline too")
    accuracy.add_argument("--set", type=Path, default=None, metavar="DIR",
                          help="a labelled folder with a manifest.json (e.g. real footage) instead of the samples")
    accuracy.add_argument("--perturb", type=_perturbation, default=None, metavar="CHANGE",
                          help="replay every clip changed: mirror, low (480p, half frame rate, heavy compression), "
                               "dim (dark and noisy), tilt (camera rolled and further back) or fast (the person "
                               "1.5 times faster)")
    soak = kinds.add_parser("soak", help="the live session fed clips in a loop: memory and fps over time")
    soak.add_argument("--minutes", type=_positive_float, default=5.0, help="how long to run (default: 5)")
    latency = kinds.add_parser("latency", help="frame captured -> pose / rep event at a WebSocket client, for the "
                               "server's file source and the browser camera")
    latency.add_argument("--clip", type=Path, default=SAMPLES / "bridge_march_a.mp4", metavar="VIDEO",
                         help="the clip both paths play at its own frame rate (default: sample_videos/"
                              "bridge_march_a.mp4)")
    for sub, handler in ((speed, run_speed), (accuracy, run_accuracy), (soak, run_soak), (latency, run_latency)):
        if sub is not latency:
            sub.add_argument("--clips", nargs="+", type=Path, default=None, metavar="VIDEO",
                             help="clips to use (default: every labelled clip in sample_videos/)")
        sub.add_argument("--max-frames", type=_positive_int, default=None, metavar="N",
                         help="only the first N frames of each clip (soak: in total; latency's browser path: "
                              "N sent), for quick runs")
        sub.add_argument("--out", type=Path, default=Path("bench/results"), metavar="DIR",
                         help="results folder (default: bench/results)")
        sub.add_argument("--name", default=None, help="results file name after '<kind>-' (default: a timestamp)")
        if sub is not speed:
            sub.add_argument("--model", choices=VARIANTS, default="full", help="pose model (default: full)")
        sub.set_defaults(handler=handler)


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _perturbation(text: str) -> Any:
    from coach.bench.perturb import PERTURBATIONS  # picture handling loads only when asked for

    if text not in PERTURBATIONS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(PERTURBATIONS)}, got {text!r}")
    return PERTURBATIONS[text]


def _clips(args: argparse.Namespace, need_labels: bool) -> list[Path]:
    from coach.labels import labelled_clips, sidecar_path

    clips = args.clips or labelled_clips(SAMPLES)
    if not clips:
        raise CoachError(f"No labelled clips found in {SAMPLES}; pass --clips VIDEO ...")
    for clip in clips:
        if not clip.is_file():
            raise CoachError(f"No such video file: {clip}.")
        if need_labels and not sidecar_path(clip).is_file():
            raise CoachError(f"{clip} has no label sidecar ({sidecar_path(clip).name}); accuracy needs one.")
    return clips


def _bench(args: argparse.Namespace, run: Callable[[], dict[str, Any]],
           markdown: Callable[[dict[str, Any]], str]) -> int:
    """Run one benchmark between two load-average readings, print its table and write the results files."""
    _check_output(args)
    from coach.bench.results import load_average, machine, write_results

    load_before = load_average()
    results = {**run(), "load_before": load_before}
    results["machine"] = machine()
    results["load_after"] = load_average()
    header = (f"Machine: {results['machine']['cpu']}, {results['machine']['cores']} cores, no GPU; load average "
              f"before {results['load_before']}, after {results['load_after']} (1/5/15 min).")
    text = f"{header}\n\n{markdown(results)}"
    print(text)
    print(f"Results: {write_results(results['kind'], args.name, results, text, args.out)}")
    return 0


def _check_output(args: argparse.Namespace) -> None:
    """Where the results go is checked before a benchmark starts, not after it has run for minutes."""
    if args.name is not None and (not args.name or "/" in args.name or "\\" in args.name or ".." in args.name):
        raise CoachError(f"--name {args.name!r} must be a plain file name part (no / or ..).")
    require_writable_folder(args.out, "--out")


def run_speed(args: argparse.Namespace) -> int:
    from coach.bench import speed

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        raise CoachError(f"Unknown model variant {', '.join(unknown) or '(none)'}; choose from {', '.join(VARIANTS)}.")
    return _bench(args, lambda: speed.run_speed(_clips(args, need_labels=False), variants, args.max_frames),
                  speed.markdown)


def _labelled(args: argparse.Namespace) -> list[Any]:
    """The clips to judge with their labels: a folder's manifest.json (--set), else sidecar-labelled videos."""
    from coach.labels import load_labels, load_manifest

    if args.set is not None:
        return load_manifest(args.set)
    return [load_labels(video) for video in _clips(args, need_labels=True)]


def run_accuracy(args: argparse.Namespace) -> int:
    from coach.bench import accuracy

    labelled = _labelled(args)  # a bad folder or manifest is reported before any model is loaded
    return _bench(args, lambda: accuracy.run_accuracy(labelled, args.model, args.max_frames,
                                                      perturbation=args.perturb), accuracy.markdown)


def run_soak(args: argparse.Namespace) -> int:
    from coach.bench import soak

    return _bench(args, lambda: soak.run_soak(_clips(args, need_labels=False), args.minutes, args.model,
                                              args.max_frames), soak.markdown)


def run_latency(args: argparse.Namespace) -> int:
    from coach.bench import latency

    if not args.clip.is_file():
        raise CoachError(f"No such video file: {args.clip}.")
    return _bench(args, lambda: latency.run_latency(args.clip, args.model, args.max_frames), latency.markdown)
