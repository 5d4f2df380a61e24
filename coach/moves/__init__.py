"""The seven moves of the circuit, in order, and the one way to get a checker for any of them."""

from __future__ import annotations

from coach.moves import (
    bridge_march,
    forward_fold_pedals,
    hamstring_scoop,
    hamstring_strap,
    hip_90_90,
    hip_flexor_reach,
    lunge_rotation,
)
from coach.moves.base import (
    CheckerEvent,
    CueGiven,
    FrameResult,
    HoldChanged,
    Move,
    MoveChecker,
    MoveSummary,
    RepCounted,
    SetupWarning,
)

MOVE_IDS: tuple[str, ...] = (
    "hip_90_90",
    "lunge_rotation",
    "bridge_march",
    "hamstring_scoop",
    "hip_flexor_reach",
    "forward_fold_pedals",
    "hamstring_strap",
)

MOVES: dict[str, Move] = {
    module.MOVE.move_id: module.MOVE
    for module in (hip_90_90, lunge_rotation, bridge_march, hamstring_scoop, hip_flexor_reach, forward_fold_pedals,
                   hamstring_strap)
}


def make_checker(move_id: str) -> MoveChecker:
    """A fresh checker for one move; raises ValueError naming the known moves for an unknown id."""
    if move_id not in MOVES:
        raise ValueError(f"Unknown move {move_id!r}; choose one of: {', '.join(MOVE_IDS)}.")
    return MoveChecker(MOVES[move_id])


from coach.moves.recognition import MoveRecognizer  # noqa: E402  (needs MOVES' modules loaded first)

__all__ = [
    "MOVES",
    "MOVE_IDS",
    "CheckerEvent",
    "CueGiven",
    "FrameResult",
    "HoldChanged",
    "Move",
    "MoveChecker",
    "MoveRecognizer",
    "MoveSummary",
    "RepCounted",
    "SetupWarning",
    "make_checker",
]
