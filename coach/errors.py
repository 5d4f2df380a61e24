"""The one exception type the CLI turns into a single sentence and exit code 2 (no traceback), the output-folder
check that raises it before any work starts (so a typo in --out costs nothing, not a whole run), and the one way an
export reaches a file or standard output."""

from __future__ import annotations

import os
import sys
from pathlib import Path


class CoachError(Exception):
    """A problem the user can fix (bad input file, unwritable model dir, ...); str() is one clear sentence."""


def require_writable_folder(folder: Path, option: str) -> None:
    """CoachError naming `option` unless `folder` could be made and written to. Nothing is created here: a command
    that fails later on a bad input must leave no trace (the nearest existing folder on the path is what is judged)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise CoachError(f"{option} {folder} cannot be written to: {existing} is not a folder.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CoachError(f"{option} {folder} cannot be written to: {existing} is read-only for you.")


def write_output(text: str, out: str) -> None:
    """An exported text to standard output ("-") or to the file `out`, saying where it went; CoachError if it
    cannot be written. One place for every export command (history, routines)."""
    if out == "-":
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CoachError(f"Cannot write {out}: {exc.strerror}.") from None
    print(f"Wrote {out}")
