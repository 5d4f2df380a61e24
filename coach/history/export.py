"""History export: everything as nested JSON, or one CSV row per set for a spreadsheet.

JSON keeps every stored figure (reps with their time and ROM, holds per side, ROM figures, cues), so it
can be re-imported or analysed elsewhere; CSV flattens to what a spreadsheet user charts: per-set totals
per side and the mean ROM figure.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from statistics import fmean
from typing import Any

from coach.history.store import SCHEMA_VERSION, HistoryStore, SessionRow, SetRecord

CSV_COLUMNS = (
    "session_id",
    "started_at",
    "ended_at",
    "source",
    "note",
    "routine",
    "routine_moves",
    "rounds",
    "set_seconds",
    "set_id",
    "move_id",
    "side",
    "round",
    "started_t_ms",
    "ended_t_ms",
    "good_form_ms",
    "reps",
    "reps_left",
    "reps_right",
    "hold_ms",
    "hold_left_ms",
    "hold_right_ms",
    "hold_both_ms",
    "rom_name",
    "rom_left_mean",
    "rom_right_mean",
    "rom_both_mean",
    "cues",
)


def session_json(session: SessionRow) -> dict[str, Any]:
    return {
        "id": session.id,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "source": session.source,
        "note": session.note,
        "routine": session.routine,
        "routine_moves": list(session.routine_moves),
        "rounds": session.rounds,
        "set_seconds": session.set_seconds,
        "set_count": session.set_count,
        "rep_count": session.rep_count,
        "hold_ms": session.hold_ms,
    }


def set_json(set_id: int, record: SetRecord) -> dict[str, Any]:
    return {
        "id": set_id,
        "move_id": record.move_id,
        "side": record.side,
        "round": record.round,
        "started_t_ms": record.started_t_ms,
        "ended_t_ms": record.ended_t_ms,
        "good_form_ms": record.good_form_ms,
        "reps": [
            {"side": r.side, "t_ms": r.t_ms, "rom_value": r.rom_value, "rom_name": r.rom_name} for r in record.reps
        ],
        "hold_ms": dict(record.hold_ms),
        "rom_name": record.rom_name,
        "rom": {side: list(values) for side, values in record.rom.items()},
        "cues": [{"t_ms": t, "text": text} for t, text in record.cues],
    }


def export_json(store: HistoryStore, since: date | None = None) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "since": since.isoformat() if since else None,
        "sessions": [
            {**session_json(s), "sets": [set_json(i, r) for i, r in store.sets(s.id)]} for s in store.sessions(since)
        ],
    }


def _mean(values: tuple[float, ...] | None) -> float | str:
    return round(fmean(values), 2) if values else ""


def export_csv(store: HistoryStore, since: date | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for s in store.sessions(since):
        for set_id, r in store.sets(s.id):
            reps_by_side = {side: sum(1 for rep in r.reps if rep.side == side) for side in ("left", "right")}
            writer.writerow(
                {
                    "session_id": s.id,
                    "started_at": s.started_at,
                    "ended_at": s.ended_at or "",
                    "source": s.source,
                    "note": s.note or "",
                    "routine": s.routine or "",
                    "routine_moves": " ".join(s.routine_moves),
                    "rounds": s.rounds,
                    "set_seconds": s.set_seconds,
                    "set_id": set_id,
                    "move_id": r.move_id,
                    "side": r.side,
                    "round": r.round,
                    "started_t_ms": r.started_t_ms,
                    "ended_t_ms": r.ended_t_ms,
                    "good_form_ms": r.good_form_ms,
                    "reps": r.rep_count,
                    "reps_left": reps_by_side["left"],
                    "reps_right": reps_by_side["right"],
                    "hold_ms": r.hold_total_ms,
                    "hold_left_ms": r.hold_ms.get("left", 0),
                    "hold_right_ms": r.hold_ms.get("right", 0),
                    "hold_both_ms": r.hold_ms.get("both", 0),
                    "rom_name": r.rom_name or "",
                    "rom_left_mean": _mean(r.rom.get("left")),
                    "rom_right_mean": _mean(r.rom.get("right")),
                    "rom_both_mean": _mean(r.rom.get("both")),
                    "cues": " | ".join(text for _, text in r.cues),
                }
            )
    return out.getvalue()
