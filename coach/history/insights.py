"""What the history means for a runner: rhythm (calendar, streak), left/right balance, ROM trends, short notes.

Pure functions over loaded sessions, so the page, the CLI and the tests all read the same numbers.
A note is only written when there is enough data to be fair (at least two sessions with the move and a
meaningful amount of work on both sides) and the sides differ by at least ``IMBALANCE_PCT``.
Notes compare like with like: a session is counted under its routine (a warm-up is not a short circuit), and with a
routine chosen every figure covers that routine's sessions only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from typing import Any

from coach.history.store import HistoryStore, SessionRow, SetRecord

IMBALANCE_PCT = 15  # a left/right difference at least this large (of the larger side) earns a note
NOTE_WINDOW_DAYS = 14
MIN_SESSIONS_FOR_NOTE = 2
MIN_HOLD_S_FOR_NOTE = 30.0  # both sides together, over the window
MIN_REPS_FOR_NOTE = 10  # both sides together, over the window
CALENDAR_WEEKS = 8
SIDES = ("left", "right")

# Short nouns for sentences ("Left hip flexor hold ..."); the moves' titles are for headings.
MOVE_NOUNS = {
    "hip_90_90": "90/90 hip switch",
    "lunge_rotation": "lunge rotation",
    "bridge_march": "bridge march",
    "hamstring_scoop": "hamstring scoop",
    "hip_flexor_reach": "hip flexor",
    "forward_fold_pedals": "fold pedal",
    "hamstring_strap": "hamstring strap",
}


@dataclass(frozen=True)
class SessionData:
    session: SessionRow
    sets: tuple[SetRecord, ...]


VIDEO_ROUTINE = "video"  # what a replayed video's session is listed under: it followed no routine


def routine_of(session: SessionRow) -> str:
    return session.routine or VIDEO_ROUTINE


def sessions_of(store: HistoryStore, since: date | None = None, routine: str | None = None) -> list[SessionRow]:
    """Sessions since ``since``, oldest first; only those of ``routine`` when one is given."""
    return [s for s in store.sessions(since) if routine is None or routine_of(s) == routine]


def load(store: HistoryStore, since: date | None = None, routine: str | None = None) -> list[SessionData]:
    """Every session since ``since`` (of ``routine``, when given) with its sets, oldest first."""
    return [SessionData(s, tuple(r for _, r in store.sets(s.id))) for s in sessions_of(store, since, routine)]


def move_noun(move_id: str) -> str:
    return MOVE_NOUNS.get(move_id, move_id.replace("_", " "))


def move_title(move_id: str) -> str:
    """A heading for a move ("Hip flexor"); works for ids this version no longer knows."""
    noun = move_noun(move_id)
    return noun[0].upper() + noun[1:]


def window_words(days: int) -> str:
    """'the last 2 weeks' for 14, 'the last week' for 7, else 'the last N days'."""
    if days == 7:
        return "the last week"
    if days % 7 == 0:
        return f"the last {days // 7} weeks"
    return f"the last {days} days"


# --- rhythm ----------------------------------------------------------------------------------------------


def streaks(days: set[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days with a session; today without one yet doesn't break it."""
    longest = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    return current, longest


def calendar(sessions: list[SessionRow], today: date, weeks: int = CALENDAR_WEEKS) -> dict[str, Any]:
    """Whole weeks (Monday first) ending with the current one; each day: session count and notes.

    Streaks look at every session given, so pass them all for an all-time longest streak.
    """
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    by_day: dict[date, list[SessionRow]] = defaultdict(list)
    for session in sessions:
        if session.day <= today:
            by_day[session.day].append(session)
    days = []
    for offset in range(7 * weeks):
        day = first + timedelta(days=offset)
        rows = by_day.get(day, [])
        days.append(
            {
                "date": day.isoformat(),
                "sessions": len(rows),
                "notes": sorted({r.note for r in rows if r.note}),
                "future": day > today,
            }
        )
    current, longest = streaks(set(by_day), today)
    return {
        "first": first.isoformat(),
        "today": today.isoformat(),
        "days": days,
        "streak_days": current,
        "longest_streak_days": longest,
        "sessions_last_7_days": sum(len(v) for d, v in by_day.items() if today - d < timedelta(days=7)),
    }


# --- balance and trends ----------------------------------------------------------------------------------


def _side_totals(data: list[SessionData]) -> dict[str, dict[str, Any]]:
    """Per move: reps and hold seconds per side, and the sessions each side was worked in."""
    totals: dict[str, dict[str, Any]] = {}
    for item in data:
        for record in item.sets:
            move = totals.setdefault(
                record.move_id,
                {"reps": dict.fromkeys(SIDES, 0), "hold_s": dict.fromkeys(SIDES, 0.0), "sessions": set(), "sets": 0},
            )
            move["sessions"].add(item.session.id)
            move["sets"] += 1
            for rep in record.reps:
                if rep.side in SIDES:
                    move["reps"][rep.side] += 1
            for side, hold_ms in record.hold_ms.items():
                if side in SIDES:
                    move["hold_s"][side] += hold_ms / 1000
    return totals


def diff_pct(left: float, right: float) -> int:
    """How much smaller the smaller side is, in percent of the larger (0 when both are 0)."""
    larger = max(left, right)
    return round(100 * (larger - min(left, right)) / larger) if larger > 0 else 0


def balance(data: list[SessionData]) -> list[dict[str, Any]]:
    """Left vs right reps and hold seconds per move, in the order moves were first done."""
    return [
        {
            "move_id": move_id,
            "sessions": len(t["sessions"]),
            "sets": t["sets"],
            "reps": t["reps"],
            "hold_s": {side: round(v, 1) for side, v in t["hold_s"].items()},
            "reps_diff_pct": diff_pct(t["reps"]["left"], t["reps"]["right"]),
            "hold_diff_pct": diff_pct(t["hold_s"]["left"], t["hold_s"]["right"]),
        }
        for move_id, t in _side_totals(data).items()
    ]


def rom_trend(data: list[SessionData]) -> list[dict[str, Any]]:
    """Per move and side: the mean ROM figure of each session, in time order (one point per session)."""
    trends: dict[str, dict[str, Any]] = {}
    for item in data:
        per_side: dict[tuple[str, str], list[float]] = defaultdict(list)
        for record in item.sets:
            for side, values in record.rom.items():
                per_side[(record.move_id, side)].extend(values)
            if record.rom:
                trends.setdefault(record.move_id, {"rom_name": record.rom_name, "series": {}})
        for (move_id, side), values in per_side.items():
            trends[move_id]["series"].setdefault(side, []).append(
                {"session_id": item.session.id, "date": item.session.day.isoformat(), "value": round(fmean(values), 1)}
            )
    return [{"move_id": move_id, **t} for move_id, t in trends.items()]


# --- notes -----------------------------------------------------------------------------------------------


def _imbalance(left: float, right: float) -> tuple[str, str, int] | None:
    """(weaker side, stronger side, percent shorter) when the sides differ by at least IMBALANCE_PCT."""
    pct = diff_pct(left, right)
    if pct < IMBALANCE_PCT:
        return None
    return ("left", "right", pct) if left < right else ("right", "left", pct)


def notes(data: list[SessionData], today: date, window_days: int = NOTE_WINDOW_DAYS,
          routine: str | None = None) -> list[dict[str, str]]:
    """Balance notes (largest difference first), then a rhythm note, over the last ``window_days``."""
    floor = today - timedelta(days=window_days - 1)
    recent = [d for d in data if floor <= d.session.day <= today]
    span = window_words(window_days)
    balance_notes: list[tuple[int, dict[str, str]]] = []
    judged = 0
    for move_id, t in _side_totals(recent).items():
        if len(t["sessions"]) < MIN_SESSIONS_FOR_NOTE:
            continue
        noun = move_noun(move_id)
        for per_side, minimum, template in (
            (t["hold_s"], MIN_HOLD_S_FOR_NOTE, "{weak} {noun} hold {pct}% shorter than {strong} over {span}"),
            (t["reps"], MIN_REPS_FOR_NOTE, "{weak} {noun}: {pct}% fewer reps than {strong} over {span}"),
        ):
            if sum(per_side.values()) < minimum:
                continue
            judged += 1
            found = _imbalance(per_side["left"], per_side["right"])
            if found:
                weak, strong, pct = found
                text = template.format(weak=weak.capitalize(), noun=noun, pct=pct, strong=strong, span=span)
                balance_notes.append((pct, {"kind": "balance", "move_id": move_id, "text": text}))
    out = [note for _, note in sorted(balance_notes, key=lambda p: -p[0])]
    if judged and not balance_notes:
        out.append({"kind": "balance", "move_id": "", "text": f"Left and right within {IMBALANCE_PCT}% over {span}"})
    out.append({"kind": "rhythm", "move_id": "", "text": _rhythm_text(recent, span, routine)})
    return out


def _rhythm_text(recent: list[SessionData], span: str, routine: str | None) -> str:
    if not recent:
        of = f" of {routine}" if routine else ""
        return f"No sessions{of} over {span}: one round of 30 s per move is a good restart"
    count = len(recent)
    after_run = sum(1 for d in recent if d.session.note == "after-run")
    rest_day = sum(1 for d in recent if d.session.note == "rest-day")
    kinds = Counter(routine_of(d.session) for d in recent)
    if routine:
        text = f"{count} {routine} session{'s' if count != 1 else ''} over {span}"
    elif len(kinds) > 1:  # say what they were rather than add a warm-up to the circuits
        text = f"{count} sessions over {span} ({', '.join(f'{n} {name}' for name, n in kinds.most_common())})"
    else:
        text = f"{count} session{'s' if count != 1 else ''} over {span}"
    parts = [f"{after_run} after runs" if after_run else "", f"{rest_day} on rest days" if rest_day else ""]
    parts = [p for p in parts if p]
    return f"{text}: {', '.join(parts)}" if parts else text


def summarize(
    store: HistoryStore, today: date, since: date | None = None, routine: str | None = None
) -> dict[str, Any]:
    """Everything the history page shows, JSON-ready; with ``routine``, of that routine's sessions only.

    Balance covers the notes' window (the last 2 weeks) and trends the calendar's 8 weeks, unless ``since``
    sets the start of both. ``routines`` names every routine in the history, for the page's filter.
    """
    cal_first = today - timedelta(days=today.weekday() + 7 * (CALENDAR_WEEKS - 1))  # trends span the calendar
    note_first = today - timedelta(days=NOTE_WINDOW_DAYS - 1)
    balance_first, trend_first = (since, since) if since else (note_first, cal_first)
    data = load(store, min(balance_first, trend_first, note_first), routine)
    every = store.sessions()
    return {
        "today": today.isoformat(),
        "imbalance_pct": IMBALANCE_PCT,
        "balance_since": balance_first.isoformat(),
        "trend_since": trend_first.isoformat(),
        "routine": routine,
        "routines": sorted({routine_of(s) for s in every}, key=lambda name: (name == VIDEO_ROUTINE, name.casefold())),
        "calendar": calendar([s for s in every if routine is None or routine_of(s) == routine], today),
        "balance": balance([d for d in data if balance_first <= d.session.day <= today]),
        "rom_trend": rom_trend([d for d in data if trend_first <= d.session.day <= today]),
        "notes": notes(data, today, routine=routine),
        "titles": {move_id: move_title(move_id) for move_id in MOVE_NOUNS},
    }
