"""A routine: a name, the moves in order (each at most once a round), seconds, rounds, per-side timing and the mode.

The seed routine says it "can be used as part of a warm-up, cooldown, or active recovery session" and to "mix and
match movements based on how you feel", so the circuit runs whatever list of moves a routine names. One pydantic
model (`coach.events.Routine`, part of the wire schema) validates a routine wherever it comes from (the start sheet,
the HTTP API, an imported file, the store), and `describe_error` turns the first problem into one sentence.

The built-in presets are made from the server's base settings, so `coach serve --rounds 2` still shapes the Full
circuit and a first-time user gets exactly the circuit they got before routines existed.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from coach.errors import CoachError
from coach.events import Routine, Settings
from coach.moves import MOVE_IDS

MAX_FILE_BYTES = 16_384  # a routine file is a few hundred bytes; anything bigger is not one
FULL_CIRCUIT = "Full circuit"
WARM_UP_MOVES = ("hip_90_90", "lunge_rotation", "bridge_march", "hamstring_scoop")  # the dynamic moves
COOLDOWN_MOVES = ("hip_flexor_reach", "forward_fold_pedals", "hamstring_strap")  # the holds
COOLDOWN_SECONDS = 45  # per side: long enough to settle into a stretch, within the seed's 45-60 s for holds
PRESET_NAMES = (FULL_CIRCUIT, "Warm-up", "Cooldown", "Quick one round")


class RoutineError(CoachError):
    """A routine that cannot be used or saved, in one sentence (bad file, unknown name, built-in one)."""


def presets(base: Settings | None = None) -> list[Routine]:
    """The built-in routines. Full circuit takes the base settings whole; the others pin what makes them what they
    are (a warm-up is short, a cooldown holds each side) and take only the mode."""
    base = base or Settings()
    return [
        Routine(name=FULL_CIRCUIT, moves=list(MOVE_IDS), **base.model_dump()),
        Routine(name="Warm-up", moves=list(WARM_UP_MOVES), rounds=1, seconds=30, per_side=False, mode=base.mode),
        Routine(name="Cooldown", moves=list(COOLDOWN_MOVES), rounds=1, seconds=COOLDOWN_SECONDS, per_side=True,
                mode=base.mode),
        Routine(name="Quick one round", moves=list(MOVE_IDS), rounds=1, seconds=30, per_side=False, mode=base.mode),
    ]


def is_preset(name: str) -> bool:
    return name.casefold() in {p.casefold() for p in PRESET_NAMES}


def describe_error(exc: ValidationError) -> str:
    """The first problem pydantic found, as one sentence naming the field."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "routine"
    if first["type"] == "value_error":
        return f"{where}: {first['ctx']['error']}."
    if first["type"] == "missing":
        return f"{where} is missing."
    if first["type"] == "extra_forbidden":
        return f"{where} is not a routine field (name, moves, rounds, seconds, per_side, mode)."
    return f"{where}: {first['msg'][0].lower()}{first['msg'][1:]}."


def parse_routine(text: str | bytes) -> Routine:
    """A routine from a JSON file's text; RoutineError names the problem (too large, not JSON, a bad field)."""
    if len(text) > MAX_FILE_BYTES:
        raise RoutineError(f"The file is {len(text)} bytes; a routine file is at most {MAX_FILE_BYTES} bytes.")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RoutineError(f"The file is not valid JSON ({exc}).") from None
    try:
        return Routine.model_validate(data)
    except ValidationError as exc:
        raise RoutineError(f"Not a valid routine: {describe_error(exc)}") from None
