"""The one exception type the CLI turns into a single sentence and exit code 2 (no traceback), and the output-folder
check that raises it before any work starts (so a typo in --out costs nothing, not a whole run)."""

from __future__ import annotations

import tempfile
from pathlib import Path


class CoachError(Exception):
    """A problem the user can fix (bad input file, unwritable model dir, ...); str() is one clear sentence."""


def require_writable_folder(folder: Path, option: str) -> None:
    """Create `folder` if needed and prove a file can be written in it; CoachError naming `option` if not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        raise CoachError(f"{option} {folder} cannot be written to: {exc.strerror or exc}.") from None
