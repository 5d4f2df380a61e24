"""The one exception type the CLI turns into a single sentence and exit code 2 (no traceback)."""


class CoachError(Exception):
    """A problem the user can fix (bad input file, unwritable model dir, ...); str() is one clear sentence."""
