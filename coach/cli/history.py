"""`coach history`: list sessions, show one, export CSV or JSON, from the local history database."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from coach.errors import CoachError, require_writable_folder, write_output

if TYPE_CHECKING:
    from coach.history import HistoryStore


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"wants a date like 2025-06-01, not {text!r}") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "history",
        help="past sessions: list, show one, export",
        description="Sessions recorded by the live coach and by `coach replay --save`. Without a subcommand: list.",
    )
    _add_common(parser, None)
    actions = parser.add_subparsers(title="subcommands", metavar="SUBCOMMAND")
    listing = actions.add_parser("list", help="sessions, streak and notes")
    _add_common(listing, argparse.SUPPRESS)
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="one session's sets, reps, holds and cues")
    show.add_argument("session_id", type=int, metavar="ID", help="session id from `coach history list`")
    _add_common(show, argparse.SUPPRESS)
    show.set_defaults(handler=run_show)
    export = actions.add_parser("export", help="write the history as CSV (one row per set) or JSON (everything)")
    export.add_argument("--format", choices=("csv", "json"), default="json", help="file format (default: json)")
    export.add_argument("--out", required=True, help="file to write, or - for standard output")
    _add_common(export, argparse.SUPPRESS)
    export.set_defaults(handler=run_export)
    parser.set_defaults(handler=run_list)


def _add_common(parser: argparse.ArgumentParser, default: object) -> None:
    """--since and --data-dir work before or after the subcommand (SUPPRESS keeps the outer value)."""
    parser.add_argument("--since", type=_day, default=default, metavar="YYYY-MM-DD", help="only sessions from this day")
    parser.add_argument(
        "--data-dir",
        default=default,
        metavar="DIR",
        help="history folder (default: $COACH_DATA_DIR or the user data dir)",
    )


def _store(args: argparse.Namespace) -> HistoryStore:
    from coach.history import HistoryStore  # lazily, to keep `coach --help` light

    return HistoryStore.open(args.data_dir, create=False)


def _has_history(args: argparse.Namespace) -> bool:
    from coach.history import DB_FILENAME, resolve_data_dir

    path = resolve_data_dir(args.data_dir) / DB_FILENAME
    if not path.exists():
        print(f"No sessions recorded yet ({path} does not exist).")
        return False
    return True


def _duration(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def run_list(args: argparse.Namespace) -> int:
    from coach.history import insights

    if not _has_history(args):
        return 0
    with _store(args) as store:
        sessions = store.sessions(args.since)
        if not sessions:
            print("No sessions" + (f" since {args.since.isoformat()}." if args.since else " recorded yet."))
            return 0
        print(f"{'ID':>4}  {'Date':<10}  {'Time':<5}  {'Source':<6}  {'Note':<9}  {'Plan':<7}  Sets  Reps  Hold")
        for s in sessions:
            plan = f"{s.rounds}x{s.set_seconds}s"
            line = (
                f"{s.id:>4}  {s.started_at[:10]:<10}  {s.started_at[11:16]:<5}  {s.source:<6}  {s.note or '-':<9}"
                f"  {plan:<7}  {s.set_count:>4}  {s.rep_count:>4}  {_duration(s.hold_ms)}"
            )
            print(line + ("  (unfinished)" if s.ended_at is None else ""))
        summary = insights.summarize(store, date.today())
    cal = summary["calendar"]
    print()
    print(
        f"Streak: {cal['streak_days']} day(s), longest {cal['longest_streak_days']};"
        f" {cal['sessions_last_7_days']} session(s) in the last 7 days."
    )
    for note in summary["notes"]:
        print(f"- {note['text']}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from coach.history import HistoryError
    from coach.history.insights import move_title

    if not _has_history(args):
        return 0
    with _store(args) as store:
        session = store.session(args.session_id)
        if session is None:
            raise HistoryError(f"There is no session {args.session_id}; `coach history list` shows the ids.")
        sets = store.sets(session.id)
    print(f"Session {session.id}: {session.started_at} ({session.source}, {session.note or 'no note'})")
    print(
        f"Plan: {session.rounds} round(s) x {session.set_seconds} s; ended {session.ended_at or 'never (unfinished)'}"
    )
    for _, r in sets:
        reps = {side: sum(1 for rep in r.reps if rep.side == side) for side in ("left", "right", "both")}
        parts = [f"{side} {n}" for side, n in reps.items() if n]
        holds = [f"{side} {_duration(ms)}" for side, ms in r.hold_ms.items()]
        line = f"  round {r.round}  {move_title(r.move_id):<34} {r.side:<5}"
        if parts:
            line += "  reps: " + ", ".join(parts)
        if holds:
            line += "  hold: " + ", ".join(holds)
        line += f"  good form {_duration(r.good_form_ms)}"
        print(line)
        if r.rom:
            figures = ", ".join(f"{side} {sum(v) / len(v):.1f}" for side, v in r.rom.items())
            print(f"      {r.rom_name or 'range of motion'}: {figures}")
        for t_ms, text in r.cues:
            print(f"      cue at {t_ms / 1000:.1f} s: {text}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    import json

    from coach.history.export import export_csv, export_json

    if args.out != "-" and Path(args.out).is_dir():
        raise CoachError(f"--out wants a file name, and {args.out} is a folder.")
    if args.out != "-":
        require_writable_folder(Path(args.out).parent, "--out's folder")
    with _store(args) as store:
        text = (
            export_csv(store, args.since)
            if args.format == "csv"
            else json.dumps(export_json(store, args.since), indent=2)
        )
    if not text.endswith("\n"):
        text += "\n"
    write_output(text, args.out)
    return 0
