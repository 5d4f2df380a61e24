"""Session history: a small SQLite store of sessions, sets, reps, holds and cues.

Why it looks like this:
- One file, stdlib ``sqlite3`` in WAL mode, under the user's data dir
  (``platformdirs.user_data_dir("stride-coach")``; ``--data-dir`` or ``COACH_DATA_DIR`` override it).
- ``synchronous=FULL``: in WAL mode NORMAL already survives a killed process, but it can lose the last
  commits on a power cut or OS crash. We commit once per finished set (every 30-60 s), so the extra fsync
  per commit costs nothing noticeable and a finished set survives a power cut too.
- Each set is written in its own transaction when it ends: a crash or ``kill -9`` loses at most the set in
  progress, and a half-written set never appears (its reps, holds and cues commit together with it).
- The schema carries its version in ``PRAGMA user_version``; ``MIGRATIONS[n]`` turns version n into n+1,
  so an old database is upgraded in place when it is opened.

The live-coach seam (``HistoryRecorder``) never raises into the live loop; if the disk is full or read-only
it logs one warning, sets ``.warning`` for the overlay and stops recording, and the coach keeps running::

    recorder = HistoryRecorder.open(data_dir=None)          # None: COACH_DATA_DIR or the user data dir
    recorder.start_session(rounds=1, set_seconds=30, note="after-run", routine="Warm-up",
                            routine_moves=("hip_90_90", "lunge_rotation", "bridge_march", "hamstring_scoop"))
    ...                                                     # when a set ends:
    recorder.record_set(move_id, side, round_no, checker.summary(),
                        started_t_ms=t0, ended_t_ms=t1, rep_events=rep_events_of_this_set)
    recorder.end_session()

``summary`` is anything with the ``MoveSummary`` fields (reps, hold_ms, rom, rom_name, cues, good_form_ms);
``rep_events`` (optional) are the set's ``RepCounted`` events, which add each rep's time. The server passes
``recorder.record_set_result`` as the circuit's ``on_set_done`` (the side is read from where the work was counted).

``save_replay_report`` stores a ``coach replay`` report as a session with source "replay" (``replay --save``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import platformdirs

from coach.errors import CoachError

log = logging.getLogger(__name__)

DB_FILENAME = "history.sqlite3"
DATA_DIR_ENV = "COACH_DATA_DIR"
SOURCES = ("live", "replay")
SIDE_KEYS = ("left", "right", "both")
DAY_NOTES = ("after-run", "rest-day")  # the session notes that say when the circuit was done (coach.events.DayKind)


class HistoryError(CoachError):
    """A history problem worth one clear sentence to the user (bad path, unreadable or full database)."""


def resolve_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds the database: explicit override, then ``COACH_DATA_DIR``, then the user data dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("stride-coach"))


# --- schema -------------------------------------------------------------------------------------------------

SCHEMA_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,              -- ISO 8601 local time with offset
    ended_at TEXT,                         -- NULL while running or after a crash
    rounds INTEGER NOT NULL,
    set_seconds INTEGER NOT NULL,
    note TEXT                              -- e.g. 'after-run', 'rest-day'
);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    move_id TEXT NOT NULL,
    side TEXT NOT NULL,                    -- the side the set was for: left | right | both
    round INTEGER NOT NULL,
    started_t_ms INTEGER NOT NULL,         -- source clock of the session
    ended_t_ms INTEGER NOT NULL,
    reps INTEGER NOT NULL,                 -- all sides together
    hold_ms INTEGER NOT NULL,              -- all sides together
    rom_name TEXT                          -- what the ROM figures measure, e.g. 'front_knee_deg'
);
CREATE INDEX sets_session ON sets(session_id);
CREATE TABLE reps (
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,                  -- 1-based, per set
    side TEXT NOT NULL,
    t_ms INTEGER,                          -- NULL when only the summary was known
    rom_value REAL,
    rom_name TEXT,
    PRIMARY KEY (set_id, idx)
);
CREATE TABLE holds (
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    side TEXT NOT NULL,
    hold_ms INTEGER NOT NULL,
    PRIMARY KEY (set_id, side)
);
CREATE TABLE cues (
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    t_ms INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX cues_set ON cues(set_id);
CREATE TABLE rom_figures (                 -- the checker's ROM list per side; covers holds, which have no reps
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    side TEXT NOT NULL,
    idx INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (set_id, side, idx)
);
"""

MIGRATION_V1_TO_V2 = """
ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT 'live';   -- v1 only ever recorded live sessions
ALTER TABLE sets ADD COLUMN good_form_ms INTEGER NOT NULL DEFAULT 0;   -- unknown for v1 sets
"""

# Before routines every live session ran the seven-move circuit, so v2's live rows are Full circuit sessions; a replay
# analysed whatever a video showed and has no routine.
MIGRATION_V2_TO_V3 = """
ALTER TABLE sessions ADD COLUMN routine TEXT;                          -- the routine's name; NULL for a replay
ALTER TABLE sessions ADD COLUMN routine_moves TEXT;                    -- its move ids in order, comma-separated
UPDATE sessions SET routine = 'Full circuit',
    routine_moves = 'hip_90_90,lunge_rotation,bridge_march,hamstring_scoop,'
                    || 'hip_flexor_reach,forward_fold_pedals,hamstring_strap'
    WHERE source = 'live';
"""

# MIGRATIONS[n] upgrades a version-n database to n+1; version 0 is an empty file.
MIGRATIONS: dict[int, str] = {0: SCHEMA_V1, 1: MIGRATION_V1_TO_V2, 2: MIGRATION_V2_TO_V3}
SCHEMA_VERSION = max(MIGRATIONS) + 1


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to ``SCHEMA_VERSION``, one version per transaction; returns the version found."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise HistoryError(
            f"The history database is from a newer Stride Coach (schema v{found}, this one knows v{SCHEMA_VERSION})."
        )
    for version in range(found, SCHEMA_VERSION):
        with conn:  # executescript commits first, so run the steps inside an explicit transaction
            conn.execute("BEGIN IMMEDIATE")
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return found


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (our scripts hold no semicolons inside literals)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


# --- records -------------------------------------------------------------------------------------------------


class SummaryLike(Protocol):
    """The fields of ``coach.moves.MoveSummary`` that history keeps."""

    reps: dict[str, int]
    hold_ms: dict[str, int]
    rom: dict[str, list[float]]
    rom_name: str
    cues: list[tuple[int, str]]
    good_form_ms: int


class RepLike(Protocol):
    """The fields of a ``RepCounted`` event that history keeps."""

    t_ms: int
    side: str | None
    rom_value: float | None
    rom_name: str | None


class SetResultLike(Protocol):
    """The fields of ``coach.circuit.SetResult``."""

    round: int
    move_id: str
    started_t_ms: int
    ended_t_ms: int
    summary: SummaryLike
    rep_events: list[Any]


def worked_side(summary: SummaryLike) -> str:
    """'left' or 'right' when all the set's reps, holds and ROM figures are on that side, else 'both'."""
    sides = {s for s, n in summary.reps.items() if n} | {s for s, ms in summary.hold_ms.items() if ms}
    sides |= {s for s, values in summary.rom.items() if len(values)}
    return sides.pop() if len(sides) == 1 and sides <= {"left", "right"} else "both"


@dataclass(frozen=True)
class RepRecord:
    side: str
    t_ms: int | None
    rom_value: float | None
    rom_name: str | None


@dataclass(frozen=True)
class SetRecord:
    """One finished set, as stored."""

    move_id: str
    side: str
    round: int
    started_t_ms: int
    ended_t_ms: int
    good_form_ms: int = 0
    reps: tuple[RepRecord, ...] = ()
    hold_ms: dict[str, int] = field(default_factory=dict)
    rom_name: str | None = None
    rom: dict[str, tuple[float, ...]] = field(default_factory=dict)
    cues: tuple[tuple[int, str], ...] = ()

    @property
    def rep_count(self) -> int:
        return len(self.reps)

    @property
    def hold_total_ms(self) -> int:
        return sum(self.hold_ms.values())

    @classmethod
    def from_summary(
        cls,
        move_id: str,
        side: str,
        round_no: int,
        summary: SummaryLike,
        *,
        started_t_ms: int = 0,
        ended_t_ms: int = 0,
        rep_events: Iterable[RepLike] = (),
    ) -> SetRecord:
        """Build a set from a ``MoveSummary``; rep events, when given, supply each rep's time and ROM."""
        events = [e for e in rep_events if e.side]
        if events:
            reps = tuple(RepRecord(str(e.side), int(e.t_ms), _opt_float(e.rom_value), e.rom_name) for e in events)
        else:
            reps = tuple(
                RepRecord(rep_side, None, _nth_float(summary.rom.get(rep_side, []), i), summary.rom_name or None)
                for rep_side, count in summary.reps.items()
                for i in range(int(count))
            )
        return cls(
            move_id=move_id,
            side=side,
            round=int(round_no),
            started_t_ms=int(started_t_ms),
            ended_t_ms=int(ended_t_ms),
            good_form_ms=int(summary.good_form_ms),
            reps=reps,
            hold_ms={k: int(v) for k, v in summary.hold_ms.items() if v},
            rom_name=summary.rom_name or None,
            rom={k: tuple(float(x) for x in v) for k, v in summary.rom.items() if len(v)},
            cues=tuple((int(t), str(text)) for t, text in summary.cues),
        )


def _opt_float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _nth_float(values: Sequence[float], i: int) -> float | None:
    return float(values[i]) if i < len(values) else None


@dataclass(frozen=True)
class SessionRow:
    id: int
    started_at: str
    ended_at: str | None
    source: str
    rounds: int
    set_seconds: int
    note: str | None
    set_count: int
    rep_count: int
    hold_ms: int
    routine: str | None = None  # None: a replay, which follows no routine
    routine_moves: tuple[str, ...] = ()

    @property
    def day(self) -> date:
        """The local calendar day the session started on."""
        return date.fromisoformat(self.started_at[:10])


def now_iso() -> str:
    """Session start/end stamps: local wall time with offset (metadata only, never used for coaching logic)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


# --- store ---------------------------------------------------------------------------------------------------


class HistoryStore:
    """The database. Methods raise ``HistoryError`` with one sentence; ``HistoryRecorder`` shields the live loop."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.Lock()  # one connection shared by the server's worker threads
        self.path = path

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None, *, create: bool = True) -> HistoryStore:
        """Open (and create or migrate) ``history.sqlite3`` in the data dir."""
        folder = resolve_data_dir(data_dir)
        path = folder / DB_FILENAME
        if not create and not path.exists():
            raise HistoryError(f"No history yet: {path} does not exist.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"Cannot open the history database at {path}: {exc}.") from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            migrate(conn)
        except HistoryError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise HistoryError(f"Cannot use the history database at {path}: {exc}.") from exc
        return cls(conn, path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, what: str, work: Callable[[sqlite3.Connection], Any], *, write: bool = False) -> Any:
        """Run ``work`` under the lock (in one transaction when writing); sqlite errors become HistoryError."""
        with self._lock:
            try:
                if not write:
                    return work(self._conn)
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(self._conn)
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
                return result
            except sqlite3.Error as exc:
                raise HistoryError(f"Could not {what} in {self.path}: {exc}.") from exc

    # writing

    def start_session(
        self,
        *,
        rounds: int,
        set_seconds: int,
        note: str | None = None,
        source: str = "live",
        started_at: str | None = None,
        routine: str | None = None,
        routine_moves: Sequence[str] = (),
    ) -> int:
        if source not in SOURCES:
            raise HistoryError(f"Unknown session source {source!r}; use one of {', '.join(SOURCES)}.")
        stamp = started_at or now_iso()
        moves = ",".join(routine_moves) if routine is not None else None
        return self._run(
            "start a session",
            lambda c: (
                c.execute(
                    "INSERT INTO sessions (started_at, rounds, set_seconds, note, source, routine, routine_moves)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (stamp, int(rounds), int(set_seconds), note, source, routine, moves),
                ).lastrowid
            ),
            write=True,
        )

    def add_set(self, session_id: int, record: SetRecord) -> int:
        """Write one set with its reps, holds and cues in a single transaction."""
        if record.side not in SIDE_KEYS:
            raise HistoryError(f"Unknown side {record.side!r}; use left, right or both.")

        def write(c: sqlite3.Connection) -> int:
            set_id = c.execute(
                "INSERT INTO sets (session_id, move_id, side, round, started_t_ms, ended_t_ms, reps, hold_ms,"
                " rom_name, good_form_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    record.move_id,
                    record.side,
                    record.round,
                    record.started_t_ms,
                    record.ended_t_ms,
                    record.rep_count,
                    record.hold_total_ms,
                    record.rom_name,
                    record.good_form_ms,
                ),
            ).lastrowid
            c.executemany(
                "INSERT INTO reps (set_id, idx, side, t_ms, rom_value, rom_name) VALUES (?, ?, ?, ?, ?, ?)",
                [(set_id, i, r.side, r.t_ms, r.rom_value, r.rom_name) for i, r in enumerate(record.reps, 1)],
            )
            c.executemany(
                "INSERT INTO holds (set_id, side, hold_ms) VALUES (?, ?, ?)",
                [(set_id, side, ms) for side, ms in record.hold_ms.items()],
            )
            c.executemany(
                "INSERT INTO rom_figures (set_id, side, idx, value) VALUES (?, ?, ?, ?)",
                [(set_id, side, i, v) for side, values in record.rom.items() for i, v in enumerate(values, 1)],
            )
            c.executemany(
                "INSERT INTO cues (set_id, t_ms, text) VALUES (?, ?, ?)",
                [(set_id, t, text) for t, text in record.cues],
            )
            return set_id

        return self._run("save a set", write, write=True)

    def end_session(self, session_id: int, *, ended_at: str | None = None) -> None:
        stamp = ended_at or now_iso()
        self._run(
            "end a session",
            lambda c: c.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (stamp, session_id)),
            write=True,
        )

    def set_note(self, session_id: int, note: str | None) -> bool:
        """Tag a session afterwards (e.g. 'after-run'); False when there is no such session."""
        return self._run(
            "change a note",
            lambda c: c.execute("UPDATE sessions SET note = ? WHERE id = ?", (note, session_id)).rowcount == 1,
            write=True,
        )

    # reading

    def sessions(self, since: date | None = None) -> list[SessionRow]:
        """Sessions started on or after ``since`` (local day), oldest first, with their totals."""
        query = (
            "SELECT s.id, s.started_at, s.ended_at, s.source, s.rounds, s.set_seconds, s.note,"
            " COUNT(t.id), COALESCE(SUM(t.reps), 0), COALESCE(SUM(t.hold_ms), 0), s.routine, s.routine_moves"
            " FROM sessions s LEFT JOIN sets t ON t.session_id = s.id"
            " WHERE substr(s.started_at, 1, 10) >= ? GROUP BY s.id ORDER BY s.started_at, s.id"
        )
        floor = since.isoformat() if since else ""
        rows = self._run("read sessions", lambda c: c.execute(query, (floor,)).fetchall())
        return [SessionRow(*row[:-1], routine_moves=tuple(row[-1].split(",")) if row[-1] else ()) for row in rows]

    def session(self, session_id: int) -> SessionRow | None:
        return next((s for s in self.sessions() if s.id == session_id), None)

    def last_day_note(self) -> str | None:
        """The newest session's after-run / rest-day note: the start sheet's default. Untagged sessions (a replay,
        a session from before the choice existed) are passed over rather than clearing the person's habit."""
        row = self._run(
            "read the last note",
            lambda c: c.execute(
                "SELECT note FROM sessions WHERE note IN (?, ?) ORDER BY started_at DESC, id DESC LIMIT 1", DAY_NOTES
            ).fetchone(),
        )
        return row[0] if row else None

    def sets(self, session_id: int) -> list[tuple[int, SetRecord]]:
        """The session's sets in the order they were done, as ``(set_id, SetRecord)``."""

        def read(c: sqlite3.Connection) -> list[tuple[int, SetRecord]]:
            rows = c.execute(
                "SELECT id, move_id, side, round, started_t_ms, ended_t_ms, good_form_ms, rom_name FROM sets"
                " WHERE session_id = ? ORDER BY id",
                (session_id,),
            ).fetchall()
            out = []
            for set_id, move_id, side, round_no, t0, t1, good_ms, rom_name in rows:
                reps = tuple(
                    RepRecord(*r)
                    for r in c.execute(
                        "SELECT side, t_ms, rom_value, rom_name FROM reps WHERE set_id = ? ORDER BY idx", (set_id,)
                    )
                )
                holds = dict(c.execute("SELECT side, hold_ms FROM holds WHERE set_id = ? ORDER BY side", (set_id,)))
                rom: dict[str, list[float]] = {}
                for rom_side, value in c.execute(
                    "SELECT side, value FROM rom_figures WHERE set_id = ? ORDER BY side, idx", (set_id,)
                ):
                    rom.setdefault(rom_side, []).append(value)
                cues = tuple(c.execute("SELECT t_ms, text FROM cues WHERE set_id = ? ORDER BY rowid", (set_id,)))
                record = SetRecord(
                    move_id=move_id,
                    side=side,
                    round=round_no,
                    started_t_ms=t0,
                    ended_t_ms=t1,
                    good_form_ms=good_ms,
                    reps=reps,
                    hold_ms=holds,
                    rom_name=rom_name,
                    rom={k: tuple(v) for k, v in rom.items()},
                    cues=cues,
                )
                out.append((set_id, record))
            return out

        return self._run("read sets", read)

    def integrity_ok(self) -> bool:
        return self._run("check integrity", lambda c: c.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


# --- live-coach seam ----------------------------------------------------------------------------------------


class HistoryRecorder:
    """What the live coach (and ``replay --save``) calls; never raises, so recording can't stop coaching."""

    def __init__(self, store: HistoryStore | None, warning: str | None = None) -> None:
        self.store = store
        self.warning = warning
        self.session_id: int | None = None

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None) -> HistoryRecorder:
        try:
            return cls(HistoryStore.open(data_dir))
        except HistoryError as exc:
            return cls(None, _disable_warning(exc))

    @property
    def available(self) -> bool:
        return self.store is not None

    def start_session(
        self,
        *,
        rounds: int,
        set_seconds: int,
        note: str | None = None,
        source: str = "live",
        started_at: str | None = None,
        routine: str | None = None,
        routine_moves: Sequence[str] = (),
    ) -> int | None:
        """Start a session row now; returns its id, or None when history is unavailable."""
        self.session_id = self._safe(
            lambda s: s.start_session(
                rounds=rounds, set_seconds=set_seconds, note=note, source=source, started_at=started_at,
                routine=routine, routine_moves=routine_moves,
            )
        )
        return self.session_id

    def record_set(
        self,
        move_id: str,
        side: str,
        round_no: int,
        summary: SummaryLike,
        *,
        started_t_ms: int = 0,
        ended_t_ms: int = 0,
        rep_events: Iterable[RepLike] = (),
    ) -> int | None:
        """Save one finished set (its own transaction); returns the set id or None if not saved."""
        session_id = self.session_id
        if session_id is None:
            return None
        try:
            record = SetRecord.from_summary(
                move_id,
                side,
                round_no,
                summary,
                started_t_ms=started_t_ms,
                ended_t_ms=ended_t_ms,
                rep_events=rep_events,
            )
        except (AttributeError, TypeError, ValueError) as exc:
            log.warning("History: skipped a %s set with unreadable data (%s).", move_id, exc)
            return None
        return self._safe(lambda s: s.add_set(session_id, record))

    def record_set_result(self, result: SetResultLike) -> int | None:
        """``on_set_done`` for ``coach.circuit.Circuit``: the side comes from where the work was counted.

        A set that arrives with no open session opens one (plan inferred from the set), so nothing is lost
        if the caller forgot ``start_session``.
        """
        if self.session_id is None:
            self.start_session(rounds=result.round, set_seconds=round((result.ended_t_ms - result.started_t_ms) / 1000))
        return self.record_set(
            result.move_id,
            worked_side(result.summary),
            result.round,
            result.summary,
            started_t_ms=result.started_t_ms,
            ended_t_ms=result.ended_t_ms,
            rep_events=result.rep_events,
        )

    def last_day_note(self) -> str | None:
        return self._safe(lambda s: s.last_day_note())

    def end_session(self, *, ended_at: str | None = None) -> None:
        session_id, self.session_id = self.session_id, None
        if session_id is not None:
            self._safe(lambda s: s.end_session(session_id, ended_at=ended_at))

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def _safe(self, work: Callable[[HistoryStore], Any]) -> Any:
        if self.store is None:
            return None
        try:
            return work(self.store)
        except HistoryError as exc:
            self.warning = _disable_warning(exc)
            self.close()
            return None


def save_replay_report(
    report: dict[str, Any], data_dir: str | os.PathLike[str] | None = None, *, started_at: str | None = None
) -> int:
    """Store a replay report (docs/CONTRACTS.md shape) as one session, one set per move found; returns the session id.

    The session starts at ``started_at`` (default: the video file's modification time, i.e. when recording
    ended, minus the clip's duration). A set spans its move's segments; the report has no per-rep times and no
    good-form time.
    """
    moves: dict[str, dict[str, Any]] = report.get("moves", {})
    if not moves:
        raise HistoryError("The replay found no moves, so there is nothing to save to the history.")
    spans: dict[str, list[int]] = {}
    for segment in report.get("segments", []):
        span = spans.setdefault(segment["move"], [segment["start_ms"], segment["end_ms"]])
        span[0], span[1] = min(span[0], segment["start_ms"]), max(span[1], segment["end_ms"])
    records = []
    for move_id, found in moves.items():
        summary = _ReportSummary(
            reps={side: int(n) for side, n in found.get("reps", {}).items()},
            hold_ms={side: round(float(s) * 1000) for side, s in found.get("hold_s", {}).items()},
            rom={side: [float(v) for v in values] for side, values in found.get("rom", {}).items()},
            rom_name=found.get("rom_name") or "",
            cues=[(int(c["t_ms"]), str(c["text"])) for c in found.get("cues", [])],
        )
        start_ms, end_ms = spans.get(move_id, [0, int(report.get("duration_ms", 0))])
        records.append(
            SetRecord.from_summary(move_id, worked_side(summary), 1, summary, started_t_ms=start_ms, ended_t_ms=end_ms)
        )
    set_seconds = round(sum(r.ended_t_ms - r.started_t_ms for r in records) / len(records) / 1000)
    begin, end = _replay_times(report, started_at)
    with HistoryStore.open(data_dir) as store:
        session_id = store.start_session(rounds=1, set_seconds=set_seconds, source="replay", started_at=begin)
        for record in records:
            store.add_set(session_id, record)
        store.end_session(session_id, ended_at=end)
    return session_id


@dataclass
class _ReportSummary:
    reps: dict[str, int]
    hold_ms: dict[str, int]
    rom: dict[str, list[float]]
    rom_name: str
    cues: list[tuple[int, str]]
    good_form_ms: int = 0


def _replay_times(report: dict[str, Any], started_at: str | None) -> tuple[str, str]:
    """(start, end) stamps: from ``started_at``, else the video's modification time taken as its end, else now."""
    duration = timedelta(milliseconds=int(report.get("duration_ms", 0)))
    if started_at:
        end = datetime.fromisoformat(started_at) + duration
    else:
        try:
            end = datetime.fromtimestamp(Path(report["video"]).stat().st_mtime).astimezone()
        except (KeyError, OSError):
            end = datetime.now().astimezone()
    return (end - duration).isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


def _disable_warning(exc: HistoryError) -> str:
    text = f"History is off for this session: {exc}"
    log.warning(text)
    return text
