"""Routines as data: which moves, in what order, how long and how often (``model``), kept in the data folder
(``store``) and edited through the HTTP API (``api``).

The model and store names are re-exported here; the API is imported by name (``coach.routines.api``) because it pulls
in FastAPI, which ``coach routines`` does not need.
"""

from coach.routines.model import (
    PRESET_NAMES,
    Routine,
    RoutineError,
    describe_error,
    is_preset,
    parse_routine,
    presets,
)
from coach.routines.store import ROUTINES_FILENAME, RoutineStore

__all__ = [
    "PRESET_NAMES",
    "ROUTINES_FILENAME",
    "Routine",
    "RoutineError",
    "RoutineStore",
    "describe_error",
    "is_preset",
    "parse_routine",
    "presets",
]
