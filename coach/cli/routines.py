"""`coach routines`: list, show, export, import and delete routines, in the data folder the coach uses.

An import is checked whole before anything is written (`coach.routines.parse_routine`): a bad file is refused with
one sentence and exit 2, and the saved routines stay as they were.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coach.errors import CoachError, write_output

if TYPE_CHECKING:
    from coach.events import Routine
    from coach.routines import RoutineStore


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "routines", help="routines: list, show, export, import, delete",
        description="Routines are the moves you do, in order, with their seconds and rounds. Four are built in (Full "
                    "circuit, Warm-up, Cooldown, Quick one round); your own are saved in the data folder. Without a "
                    "subcommand: list.")
    _data_dir(parser, None)
    actions = parser.add_subparsers(title="subcommands", metavar="SUBCOMMAND")
    listing = actions.add_parser("list", help="every routine, built-in ones first")
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="one routine's moves and timing")
    show.set_defaults(handler=run_show)
    export = actions.add_parser("export", help="write a routine as JSON (a file `coach routines import` reads)")
    export.add_argument("--out", default="-", help="file to write, or - for standard output (default)")
    export.set_defaults(handler=run_export)
    importing = actions.add_parser("import", help="add a routine from a JSON file (replaces yours of that name)")
    importing.add_argument("file", metavar="FILE", help="a routine as JSON, e.g. from `coach routines export`")
    importing.set_defaults(handler=run_import)
    delete = actions.add_parser("delete", help="remove one of your routines (built-in ones stay)")
    delete.set_defaults(handler=run_delete)
    for action in (show, export, delete):
        action.add_argument("name", metavar="NAME", help="the routine's name (quote it if it has spaces)")
    for action in (listing, show, export, importing, delete):
        _data_dir(action, argparse.SUPPRESS)
    parser.set_defaults(handler=run_list)


def _data_dir(parser: argparse.ArgumentParser, default: object) -> None:
    """--data-dir works before or after the subcommand (SUPPRESS keeps the outer value)."""
    parser.add_argument("--data-dir", default=default, metavar="DIR",
                        help="data folder (default: $COACH_DATA_DIR or the user data dir)")


def _store(args: argparse.Namespace) -> RoutineStore:
    from coach.routines import RoutineStore  # lazily, to keep `coach --help` light

    store = RoutineStore(args.data_dir)
    store.routines()  # reads the file now, so a corrupted one is set aside and said before anything else
    if store.warning:
        print(f"coach: warning: {store.warning}", file=sys.stderr)
    return store


def _timing(routine: Routine) -> str:
    per = " per side" if routine.per_side else ""
    return f"{routine.rounds} x {routine.seconds} s{per}, {routine.mode}"


def run_list(args: argparse.Namespace) -> int:
    from coach.routines import is_preset

    store = _store(args)
    last = store.last_used().name
    for routine in store.routines():
        mark = "*" if routine.name == last else " "
        kind = "built-in" if is_preset(routine.name) else "yours"
        print(f"{mark} {routine.name:<24} {kind:<9} {len(routine.moves)} moves, {_timing(routine)}")
    print("(* = used last: the start sheet preselects it)")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from coach.moves import MOVES

    routine = _store(args).get(args.name)
    print(f"{routine.name}: {_timing(routine)}")
    for n, move_id in enumerate(routine.moves, 1):
        print(f"  {n}. {MOVES[move_id].title} ({move_id})")
    return 0


def run_export(args: argparse.Namespace) -> int:
    write_output(_store(args).get(args.name).model_dump_json(indent=2) + "\n", args.out)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from coach.routines import RoutineError, parse_routine
    from coach.routines.model import MAX_FILE_BYTES

    path = Path(args.file)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # a huge file is refused without reading it all
    except OSError as exc:
        raise CoachError(f"Cannot read {args.file}: {exc.strerror}.") from None
    try:
        routine = parse_routine(data)
    except RoutineError as exc:
        raise CoachError(f"{args.file}: {exc}") from None
    replaced = _store(args).save(routine)
    print(f"{'Replaced' if replaced else 'Saved'} {routine.name!r}: {len(routine.moves)} moves, {_timing(routine)}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    removed = _store(args).delete(args.name)
    print(f"Deleted {removed.name!r}")
    return 0
