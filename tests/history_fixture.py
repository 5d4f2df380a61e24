"""A deterministic eight-week history for the history tests and the page screenshot.

Pattern: runs on Tuesday/Thursday/Saturday with the circuit after them, the circuit alone on Sunday rest days.
In the last two weeks the left hip flexor hold is 20% shorter than the right (40 s vs 50 s per session);
strap and lunge range of motion improve slowly; every other move is balanced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from coach.history import HistoryStore, SetRecord
from coach.moves import MOVE_IDS

TODAY = date(2025, 6, 15)  # a Sunday
# Moves done as a left set and a right set (not MOVES[m].one_sided: 90/90 and marches alternate within one set).
ONE_SIDED = {"lunge_rotation", "hamstring_scoop", "hip_flexor_reach", "hamstring_strap"}
ROM_NAMES = {
    "hip_90_90": "front_knee_deg",
    "lunge_rotation": "chest_rotation_deg",
    "bridge_march": "knee_lift_deg",
    "hamstring_scoop": "hip_hinge_deg",
    "hip_flexor_reach": "side_bend_deg",
    "forward_fold_pedals": "fold_deg",
    "hamstring_strap": "leg_raise_deg",
}


@dataclass
class FakeSummary:
    """The MoveSummary fields, as the moves engineer's dataclass has them."""

    move_id: str
    reps: dict[str, int] = field(default_factory=dict)
    hold_ms: dict[str, int] = field(default_factory=dict)
    rom: dict[str, list[float]] = field(default_factory=dict)
    rom_name: str = ""
    cues: list[tuple[int, str]] = field(default_factory=list)
    good_form_ms: int = 0


def session_days(today: date = TODAY) -> list[tuple[date, str]]:
    """(day, note) for eight weeks ending today; a few missed days keep the calendar honest."""
    first = today - timedelta(days=today.weekday() + 7 * 7)
    missed = {first + timedelta(days=d) for d in (1, 12, 19, 26, 29)}
    out = []
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        if day in missed:
            continue
        if day.weekday() in (1, 3, 5):
            out.append((day, "after-run"))
        elif day.weekday() == 6:
            out.append((day, "rest-day"))
    out.append((today - timedelta(days=2), "rest-day"))  # Friday too: the last four days make a streak
    return sorted(out)


def summary_for(move_id: str, side: str, progress: float, recent: bool) -> FakeSummary:
    """One set's summary; ``progress`` runs 0..1 over the eight weeks."""
    name = ROM_NAMES[move_id]
    s = FakeSummary(move_id=move_id, rom_name=name, good_form_ms=24_000)
    if move_id == "hip_flexor_reach":
        s.hold_ms = {side: (40_000 if side == "left" and recent else 50_000) // 2}
        s.rom = {side: [28.0 + 6 * progress - (3 if side == "left" else 0)]}
    elif move_id == "hamstring_strap":
        s.hold_ms = {side: 27_000}
        s.rom = {side: [62.0 + 10 * progress + (2 if side == "right" else 0)]}
        s.cues = [(8_000, "Keep the knee soft, not locked")]
    elif move_id in ONE_SIDED:
        base = {"lunge_rotation": 40.0 + 14 * progress, "hamstring_scoop": 70.0 + 5 * progress}[move_id]
        s.reps = {side: 4}
        s.rom = {side: [base + i + (2.5 if side == "right" else 0) for i in range(4)]}
        if move_id == "lunge_rotation":
            s.cues = [(5_000, "Rotate toward the front leg")]
    else:
        base = {"hip_90_90": 88.0, "bridge_march": 30.0 + 6 * progress, "forward_fold_pedals": 95.0}[move_id]
        s.reps = {"left": 5, "right": 5}
        s.rom = {k: [base + (i % 3) + (1.5 if k == "right" else 0) for i in range(5)] for k in ("left", "right")}
        if move_id == "forward_fold_pedals":
            s.hold_ms = {"both": 22_000}
        if move_id == "bridge_march":
            s.cues = [(12_000, "Keep your hips level")]
    return s


def build(data_dir: Path, today: date = TODAY) -> int:
    """Write the fixture into ``data_dir``; returns the number of sessions."""
    days = session_days(today)
    with HistoryStore.open(data_dir) as store:
        for n, (day, note) in enumerate(days):
            progress = n / (len(days) - 1)
            recent = (today - day).days < 14
            session_id = store.start_session(
                rounds=1, set_seconds=30, note=note, started_at=f"{day.isoformat()}T18:{10 + n % 40:02d}:00+02:00",
                routine="Full circuit", routine_moves=MOVE_IDS,
            )
            t_ms = 0
            for move_id in MOVE_IDS:
                for side in ("left", "right") if move_id in ONE_SIDED else ("both",):
                    summary = summary_for(move_id, side, progress, recent)
                    store.add_set(
                        session_id,
                        SetRecord.from_summary(move_id, side, 1, summary, started_t_ms=t_ms, ended_t_ms=t_ms + 30_000),
                    )
                    t_ms += 35_000
            store.end_session(session_id, ended_at=f"{day.isoformat()}T18:59:00+02:00")
    return len(days)


WARM_UP = ("hip_90_90", "lunge_rotation", "bridge_march", "hamstring_scoop")


def add_warm_ups(data_dir: Path, days: tuple[date, ...]) -> None:
    """Short sessions of another routine (the Warm-up's four moves, balanced) on top of the fixture."""
    with HistoryStore.open(data_dir) as store:
        for day in days:
            session_id = store.start_session(rounds=1, set_seconds=30, started_at=f"{day.isoformat()}T07:00:00+02:00",
                                             routine="Warm-up", routine_moves=WARM_UP)
            for i, move_id in enumerate(WARM_UP):
                summary = summary_for(move_id, "both", 1.0, True)
                record = SetRecord.from_summary(move_id, "both", 1, summary, started_t_ms=i * 35_000,
                                                ended_t_ms=i * 35_000 + 30_000)
                store.add_set(session_id, record)
            store.end_session(session_id, ended_at=f"{day.isoformat()}T07:05:00+02:00")
