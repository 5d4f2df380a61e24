"""`python -m coach.synth.stress --seed S --count N [--out DIR] [--workers W] [--move M]`: render a labelled stress set.

Clip i of seed S is always the same clip (coach.synth.stress.variety.draw). The folder gets each clip's video and
label sidecar and one manifest.json in the real-footage schema, so `coach bench accuracy --set DIR` reads it.
`--move` renders only that move's clips among the N, the very clips the whole set has: one move's rule is tuned on
its own clips of the tuning seeds (the 30 fold clips of seeds 1001-1003 took 10 minutes with 2 workers, a whole set
of 70 about 40).
"""

from __future__ import annotations

import argparse
import fcntl
import importlib.util
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from platformdirs import user_cache_dir

from coach.moves import MOVE_IDS

EXTRA_MODULES = ("moderngl", "av")
MAX_WORKERS = 2


def default_out(seed: int) -> Path:
    """The cache folder of a set: rendered clips never go into the repository."""
    return Path(user_cache_dir("stride-coach")) / "stress" / f"seed-{seed}"


def missing_extra() -> list[str]:
    return [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coach.synth.stress", description=__doc__)
    parser.add_argument("--seed", type=int, required=True, help="the set's seed (see bench/README.md: tuning vs "
                                                                "held-out seeds)")
    parser.add_argument("--count", type=int, required=True, help="how many clips (the moves take turns)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a cache folder per seed)")
    parser.add_argument("--start", type=int, default=0, help="first clip index (render a set in batches)")
    parser.add_argument("--workers", type=int, default=1, choices=range(1, MAX_WORKERS + 1),
                        help=f"parallel render processes (at most {MAX_WORKERS})")
    parser.add_argument("--move", choices=MOVE_IDS, default=None,
                        help="render only this move's clips among the --count clips (the same clips as the whole set)")
    args = parser.parse_args(argv)
    if args.count < 1 or args.start < 0:
        print("--count must be at least 1 and --start at least 0.", file=sys.stderr)
        return 2
    indices = clip_indices(args.start, args.count, args.move)
    if not indices:
        print(f"No {args.move} clip among clips {args.start}-{args.start + args.count - 1}: the moves take turns, "
              f"so --count 7 or more holds every move.", file=sys.stderr)
        return 2
    missing = missing_extra()
    if missing:
        print(f"python -m coach.synth.stress needs the 'synth' extra (missing: {', '.join(missing)}); install it with "
              "pip install -e '.[synth]' (see coach/synth/README.md).", file=sys.stderr)
        return 2
    from coach.errors import CoachError, require_writable_folder
    from coach.synth.stress.clip import render_indexed

    out = args.out or default_out(args.seed)
    try:
        require_writable_folder(out, "--out")
    except CoachError as exc:
        print(exc, file=sys.stderr)
        return 2
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
        jobs = pool.map(render_indexed, [args.seed] * len(indices), indices, [out] * len(indices))
        for _, record, took_s in jobs:
            add_to_manifest(out / "manifest.json", record)
            print(f"{record['id']}: {record['frames']} frames {record['width']}x{record['height']} "
                  f"@{record['fps']:.0f} fps, {took_s:.0f} s", flush=True)
    print(f"{len(indices)} clips in {time.perf_counter() - started:.0f} s -> {out}")
    return 0


def clip_indices(start: int, count: int, move: str | None = None) -> list[int]:
    """The clip indices to render: `count` from `start`, or only those of `move` among them."""
    from coach.synth.stress.variety import move_of

    return [index for index in range(start, start + count) if move is None or move_of(index) == move]


def add_to_manifest(manifest: Path, record: dict) -> None:
    """Merge one clip's record into the folder's manifest under a lock, re-reading it there: batches of one seed
    (`--start`) may run at once, and a read at start-up would let the last writer drop the others' clips."""
    with manifest.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        records = {r["id"]: r for r in json.loads(manifest.read_text())} if manifest.is_file() else {}
        records[record["id"]] = record
        manifest.write_text(json.dumps(sorted(records.values(), key=lambda r: r["id"]), indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
