"""The circuit runner: a routine's moves in order, rounds, set timing, side switches, get-ready, pause/skip, summary.

Pure logic driven by frame timestamps (`t_ms`), so a replay gives the same result at any speed.
Two ways to run the circuit:
- timed (live camera): the coach leads. Each move gets a get-ready phase (set-up check: the move
  recogniser must see the person in the move's position, or the get-ready time runs out), then a set of
  `seconds` (per move, or per side with `per_side`); one-sided moves get "switch sides" at half time;
  the circuit then auto-advances.
- follow (recorded video): the person leads. The move recogniser decides which move is on, and frames go
  to that move's checker; no timers, no buttons needed. Because the recogniser needs a moment to be sure,
  the frames of its reaction time are replayed into a move's checker when it takes over (as `coach replay`
  does); frames while it sees no move are not counted.
The moves are the routine's (`CircuitMoves.for_routine`): by default all seven, or the few a person chose. A move
outside the routine is never prompted, and in follow mode it is not counted either: the person hears once that it is
not in this routine, so a warm-up's history holds only warm-up moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from coach.events import (
    CueEvent,
    ErrorEvent,
    HoldEvent,
    MoveEvent,
    MoveInfo,
    MoveSummaryOut,
    RepEvent,
    RoundEvent,
    RunState,
    Settings,
    SideEvent,
    SideSummary,
    StateEvent,
    SummaryEvent,
    WarningEvent,
)
from coach.moves.base import MoveTotals
from coach.moves.follow import ClosedSet, Follower
from coach.pose import Pose

GET_READY_MIN_MS = 3_000  # time to read the set-up help before a set can start
GET_READY_MAX_MS = 12_000  # a set starts after this even if the set-up check never passed
READY_DWELL_MS = 1_000  # the recogniser must see the move this long to call the person ready
POSITION_WARNING_AFTER_MS = 4_000  # when to say "get into position" if the recogniser sees another move
STALE_CUE_MS = 1_000  # follow mode: a cue from frames replayed after a switch is not spoken if older than this
WARNING_REPEAT_MS = 5_000  # the same set-up warning is not forwarded again within this time
MAX_FRAME_GAP_MS = 1_000  # a longer gap between frames (stalled or replugged camera) adds at most this to the timers

TIPS = (
    "Start small: one round, 30 seconds a move.",
    "Do the circuit after a run or on a rest day.",
    "Stay in a range that feels comfortable; never force a stretch.",
)


class Checker(Protocol):
    def update(self, t_ms: int, pose: Pose | None) -> Any: ...

    def restart_clock(self) -> None: ...

    def summary(self) -> Any: ...


class Recognizer(Protocol):
    def update(self, t_ms: int, pose: Pose | None) -> str | None: ...


@dataclass
class CircuitMoves:
    """What the circuit needs from the moves package, injectable so the circuit logic is testable alone."""

    move_ids: Sequence[str]
    info: Callable[[str], MoveInfo]
    make_checker: Callable[[str], Checker]
    make_recognizer: Callable[[], Recognizer]

    def for_routine(self, move_ids: Sequence[str]) -> CircuitMoves:
        """The same moves machinery running only `move_ids`, in that order (a routine's moves)."""
        return replace(self, move_ids=tuple(move_ids))

    @classmethod
    def standard(cls) -> CircuitMoves:
        from coach.moves import MOVE_IDS, MOVES, MoveRecognizer, make_checker

        def info(move_id: str) -> MoveInfo:
            move = MOVES[move_id]
            return MoveInfo(
                move_id=move_id, title=move.title, kind=move.kind, one_sided=move.one_sided, setup_tip=move.setup_tip
            )

        return cls(move_ids=tuple(MOVE_IDS), info=info, make_checker=make_checker, make_recognizer=MoveRecognizer)


@dataclass
class SetResult:
    """One finished set (a move in a round), handed to the history store."""

    round: int
    move_id: str
    started_t_ms: int
    ended_t_ms: int
    active_ms: int
    summary: Any  # the checker's MoveSummary
    rep_events: list[Any]  # the checker's RepCounted events of this set


class Circuit:
    """Feed it every frame with `update`; it returns the events to send. Controls act at the latest frame time."""

    def __init__(
        self,
        settings: Settings,
        moves: CircuitMoves | None = None,
        on_set_done: Callable[[SetResult], None] | None = None,
    ) -> None:
        self.settings = settings
        self.moves = moves or CircuitMoves.standard()
        self.on_set_done = on_set_done
        self.recognizer = self.moves.make_recognizer()
        self.state: RunState = "idle"
        self.round = 1
        self.index = -1
        self.move_id: str | None = None
        self.checker: Checker | None = None
        self.last_result: Any = None
        self._paused_from: RunState | None = None
        self._last_t_ms: int | None = None
        self._start_t_ms: int | None = None
        self._phase_ms = 0  # time spent in the current phase (get-ready or set), pauses excluded
        self._set_ms = 0  # time in the current set (for follow mode: time on the current move)
        self._ready_ms = 0  # how long the recogniser has seen the expected move during get-ready
        self._position_warned = False
        self._switched_side = False
        self._probe: Checker | None = None
        self._warned_at: dict[str, int] = {}
        self._hold_seconds: dict[str, int] = {}
        self._last_state_key: tuple[Any, ...] | None = None
        self._totals: dict[str, MoveTotals] = {}
        self._done_this_round: set[str] = set()
        self._follower: Follower | None = None  # follow mode: which move is on, and its checker
        self._set_start_t_ms = 0
        self._set_reps: list[Any] = []
        self._outside_move: str | None = None  # follow mode: the move outside the routine last warned about

    # ---- per frame ----

    def update(self, t_ms: int, pose: Pose | None) -> list[Any]:
        """Advance the circuit to frame time `t_ms` with this frame's pose; returns events."""
        events: list[Any] = []
        if self._last_t_ms is not None and t_ms <= self._last_t_ms:
            return events  # out-of-order or repeated frame: ignore rather than run time backwards
        dt_ms = 0 if self._last_t_ms is None else min(t_ms - self._last_t_ms, MAX_FRAME_GAP_MS)
        self._last_t_ms = t_ms
        if self._start_t_ms is None:
            self._start_t_ms = t_ms
        if self.state == "idle":
            self._begin(t_ms, events)
        if self.state in ("paused", "finished"):
            return events
        if self.settings.mode == "follow":
            self._follow_frame(t_ms, pose, events)
        elif self.state == "get_ready":
            self._get_ready_frame(t_ms, dt_ms, pose, events)
        else:
            self._set_frame(t_ms, dt_ms, pose, events)
        self._emit_state(t_ms, events)
        return events

    def _begin(self, t_ms: int, events: list[Any]) -> None:
        events.append(RoundEvent(t_ms=t_ms, round=1, rounds=self.settings.rounds))
        if self.settings.mode == "follow":
            self.state = "active"  # waiting for the recogniser to see the first move
        else:
            self._enter_move(t_ms, 0, events)

    # ---- timed mode ----

    def _enter_move(self, t_ms: int, index: int, events: list[Any]) -> None:
        self.index = index
        self.move_id = self.moves.move_ids[index]
        info = self.moves.info(self.move_id)
        self.state = "get_ready"
        self.checker = None
        self.last_result = None
        self._probe = self.moves.make_checker(self.move_id)
        self._phase_ms = 0
        self._ready_ms = 0
        self._position_warned = False
        self._switched_side = False
        self._hold_seconds = {}
        events.append(MoveEvent(t_ms=t_ms, move=info, index=index, moves_in_routine=len(self.moves.move_ids),
                                round=self.round, rounds=self.settings.rounds))
        events.append(CueEvent(t_ms=t_ms, move_id=self.move_id, cue_id="get_ready",
                               text=f"Next: {info.title}. {info.setup_tip}."))

    def _get_ready_frame(self, t_ms: int, dt_ms: int, pose: Pose | None, events: list[Any]) -> None:
        assert self.move_id is not None and self._probe is not None
        self._phase_ms += dt_ms
        seen = self.recognizer.update(t_ms, pose)
        probe_result = self._probe.update(t_ms, pose)
        self.last_result = probe_result
        for event in getattr(probe_result, "events", []):
            if type(event).__name__ == "SetupWarning":
                self._warn(t_ms, event.warning_id, event.text, events)
        self._ready_ms = self._ready_ms + dt_ms if seen == self.move_id else 0
        if seen != self.move_id and not self._position_warned and self._phase_ms >= POSITION_WARNING_AFTER_MS:
            self._position_warned = True
            tip = self.moves.info(self.move_id).setup_tip
            self._warn(t_ms, "get_into_position", f"Get into position: {tip}.", events)
        ready = self._ready_ms >= READY_DWELL_MS and self._phase_ms >= GET_READY_MIN_MS
        if ready or self._phase_ms >= GET_READY_MAX_MS:
            self._start_set(t_ms, events)

    def _start_set(self, t_ms: int, events: list[Any]) -> None:
        assert self.move_id is not None
        self.state = "active"
        self.checker = self.moves.make_checker(self.move_id)
        self._probe = None
        self._phase_ms = 0
        self._set_ms = 0
        self._set_start_t_ms = t_ms
        self._set_reps = []
        events.append(CueEvent(t_ms=t_ms, move_id=self.move_id, cue_id="go", text="Go!"))

    def _set_length_ms(self) -> int:
        assert self.move_id is not None
        one_sided = self.moves.info(self.move_id).one_sided
        per_set_ms = self.settings.seconds * 1000
        return per_set_ms * 2 if one_sided and self.settings.per_side else per_set_ms

    def _set_frame(self, t_ms: int, dt_ms: int, pose: Pose | None, events: list[Any]) -> None:
        assert self.move_id is not None and self.checker is not None
        self._phase_ms += dt_ms
        self._set_ms += dt_ms
        self.recognizer.update(t_ms, pose)  # keep its tracking warm for the next get-ready
        self._check_frame(t_ms, pose, events)
        length_ms = self._set_length_ms()
        if self.moves.info(self.move_id).one_sided and not self._switched_side and self._phase_ms >= length_ms / 2:
            self._switched_side = True
            side = self._second_side()
            events.append(SideEvent(t_ms=t_ms, move_id=self.move_id, side=side, text=f"Switch sides: {side} side"))
        if self._phase_ms >= length_ms:
            self._end_set(t_ms, events)

    def _second_side(self) -> str:
        """The side not worked so far (the checker knows which side the person chose first)."""
        result = self.last_result
        worked = getattr(result, "side", None) if result is not None else None
        if worked not in ("left", "right") and result is not None:
            scores = {s: result.reps.get(s, 0) * 1000 + result.hold_ms.get(s, 0) for s in ("left", "right")}
            worked = max(scores, key=lambda s: scores[s]) if any(scores.values()) else None
        return "left" if worked == "right" else "right"

    def _end_set(self, t_ms: int, events: list[Any]) -> None:
        self._close_set()
        next_index = self.index + 1
        if next_index < len(self.moves.move_ids):
            self._enter_move(t_ms, next_index, events)
        elif self.round < self.settings.rounds:
            self.round += 1
            events.append(RoundEvent(t_ms=t_ms, round=self.round, rounds=self.settings.rounds))
            self._enter_move(t_ms, 0, events)
        else:
            self._finish(t_ms, events, complete=True)

    def _following(self) -> bool:
        return self._follower is not None and self._follower.open is not None

    def _close_set(self) -> None:
        """Fold the current checker into the totals and hand the set to the history hook."""
        if self._follower is not None:
            closed = self._follower.finish()
            if closed is not None:
                self._close_followed(closed)
            return
        if self.checker is None or self.move_id is None:
            return
        summary = self.checker.summary()
        self._totals.setdefault(self.move_id, MoveTotals()).add(summary, self._set_ms)
        if self.on_set_done is not None:
            self.on_set_done(SetResult(round=self.round, move_id=self.move_id, started_t_ms=self._set_start_t_ms,
                                       ended_t_ms=self._last_t_ms or 0, active_ms=self._set_ms, summary=summary,
                                       rep_events=self._set_reps))
        self.checker = None

    # ---- follow mode ----

    def _follow_frame(self, t_ms: int, pose: Pose | None, events: list[Any]) -> None:
        if self._follower is None:
            self._follower = Follower(self.moves.make_checker, self.recognizer, allowed=self.moves.move_ids)
        step = self._follower.update(t_ms, pose)
        self._say_outside_routine(t_ms, step.seen, events)
        if step.closed is not None:
            self._close_followed(step.closed)
        if step.move_id is not None and step.move_id != self.move_id:
            self._follow_switch(t_ms, step.move_id, self._follower, events)
        for frame_t_ms, result in step.fed:
            self._translate(frame_t_ms, result, events, speak=frame_t_ms >= t_ms - STALE_CUE_MS)
        if self.move_id is not None:
            self._set_ms = t_ms - self._set_start_t_ms

    def _say_outside_routine(self, t_ms: int, seen: str | None, events: list[Any]) -> None:
        """A recognised move the routine does not have is not counted; the person hears so once per visit."""
        if seen is None or seen in self.moves.move_ids:
            self._outside_move = None if seen is not None else self._outside_move
            return
        if seen != self._outside_move:
            self._outside_move = seen
            title = self.moves.info(seen).title
            events.append(WarningEvent(t_ms=t_ms, warning_id="not_in_routine",
                                       text=f"{title} is not in this routine, so it is not counted"))

    def _close_followed(self, closed: ClosedSet) -> None:
        """A followed set ended (after any give-back): add it to the totals and hand it to the history hook."""
        active_ms = closed.end_ms - closed.start_ms
        self._totals.setdefault(closed.move_id, MoveTotals()).add(closed.summary, active_ms)
        if self.on_set_done is not None:
            self.on_set_done(SetResult(round=self.round, move_id=closed.move_id, started_t_ms=closed.start_ms,
                                       ended_t_ms=closed.end_ms, active_ms=active_ms, summary=closed.summary,
                                       rep_events=closed.rep_events))

    def _follow_switch(self, t_ms: int, move_id: str, follower: Follower, events: list[Any]) -> None:
        """The follower moved on to another move: a new set, maybe a new round."""
        new_index = list(self.moves.move_ids).index(move_id)
        # a new round: back to the circuit's first move after at least half the circuit (not a recogniser flicker)
        if new_index == 0 and len(self._done_this_round) >= len(self.moves.move_ids) // 2:
            self.round += 1
            self._done_this_round = set()
            events.append(RoundEvent(t_ms=t_ms, round=self.round, rounds=max(self.round, self.settings.rounds)))
        self._done_this_round.add(move_id)
        self.index = new_index
        self.move_id = move_id
        self.last_result = None
        self._set_start_t_ms = follower.set_start_ms
        self._set_reps = []
        self._hold_seconds = {}
        info = self.moves.info(move_id)
        events.append(MoveEvent(t_ms=t_ms, move=info, index=new_index, moves_in_routine=len(self.moves.move_ids),
                                round=self.round, rounds=max(self.round, self.settings.rounds)))

    # ---- shared ----

    def _check_frame(self, t_ms: int, pose: Pose | None, events: list[Any]) -> None:
        """Run the current (guided) checker and translate what it found into wire events."""
        assert self.checker is not None
        self._translate(t_ms, self.checker.update(t_ms, pose), events)

    def _translate(self, t_ms: int, result: Any, events: list[Any], speak: bool = True) -> None:
        """A checker's frame result as wire events; speak=False drops its cues (a replayed frame's are stale)."""
        assert self.move_id is not None
        self.last_result = result
        for event in result.events:
            kind = type(event).__name__
            if kind == "RepCounted":
                self._set_reps.append(event)
                events.append(RepEvent(t_ms=event.t_ms, move_id=self.move_id, side=event.side, count=event.count,
                                       rom_value=event.rom_value, rom_name=event.rom_name))
            elif kind == "CueGiven" and speak:
                events.append(CueEvent(t_ms=event.t_ms, move_id=self.move_id, cue_id=event.cue_id, text=event.text,
                                       calm=event.calm))
            elif kind == "SetupWarning" and speak:
                self._warn(event.t_ms, event.warning_id, event.text, events)
            elif kind == "HoldChanged":
                self._hold_seconds[event.side] = event.hold_ms // 1000
                events.append(HoldEvent(t_ms=event.t_ms, move_id=self.move_id, side=event.side,
                                        holding=event.holding, hold_ms=event.hold_ms))
        for side, held_ms in result.hold_ms.items():
            if held_ms // 1000 > self._hold_seconds.get(side, 0):
                self._hold_seconds[side] = held_ms // 1000
                events.append(HoldEvent(t_ms=t_ms, move_id=self.move_id, side=side, holding=True, hold_ms=held_ms))

    def warn(self, t_ms: int, warning_id: str, text: str) -> list[Any]:
        """A set-up warning from outside the checkers (e.g. the room is too dark), with the same repeat limit."""
        events: list[Any] = []
        if self.state in ("get_ready", "active"):
            self._warn(t_ms, warning_id, text, events)
        return events

    def _warn(self, t_ms: int, warning_id: str, text: str, events: list[Any]) -> None:
        last_ms = self._warned_at.get(warning_id)
        if last_ms is not None and t_ms - last_ms < WARNING_REPEAT_MS:
            return
        self._warned_at[warning_id] = t_ms
        events.append(WarningEvent(t_ms=t_ms, warning_id=warning_id, text=text))

    def _emit_state(self, t_ms: int, events: list[Any], force: bool = False) -> None:
        """A state event when anything shown changes, and at least once per second of phase time."""
        event = self.state_event(t_ms)
        second = (event.time_left_ms if event.time_left_ms is not None else event.elapsed_ms) // 1000
        key = (event.state, event.move_id, event.side, event.round, second, tuple(sorted(event.reps.items())))
        if force or key != self._last_state_key:
            self._last_state_key = key
            events.append(event)

    def state_event(self, t_ms: int) -> StateEvent:
        result = self.last_result
        side = getattr(result, "side", None) if result is not None else None
        time_left_ms: int | None = None
        if self.settings.mode == "timed" and self.state in ("get_ready", "active", "paused"):
            phase = self._paused_from or self.state
            total_ms = GET_READY_MAX_MS if phase == "get_ready" else self._set_length_ms()
            time_left_ms = max(0, total_ms - self._phase_ms)
        counting = result is not None and (self.checker is not None or self._following())
        return StateEvent(
            t_ms=t_ms,
            state=self.state,
            mode=self.settings.mode,
            move_id=self.move_id,
            side=side,
            round=self.round,
            rounds=max(self.round, self.settings.rounds),
            time_left_ms=time_left_ms,
            elapsed_ms=self._set_ms if self.state != "get_ready" else self._phase_ms,
            reps=dict(result.reps) if counting else {},
            hold_ms=dict(result.hold_ms) if counting else {},
        )

    # ---- controls ----

    def pause(self) -> list[Any]:
        if self.state not in ("get_ready", "active"):
            return []
        self._paused_from = self.state
        self.state = "paused"
        return self._control_events()

    def resume(self) -> list[Any]:
        if self.state != "paused" or self._paused_from is None:
            return []
        self.state = self._paused_from
        self._paused_from = None
        followed = self._follower.open.checker if self._follower and self._follower.open else None
        for checker in (self.checker, self._probe, followed):
            if checker is not None:
                checker.restart_clock()  # the paused minutes are not hold or form time
        return self._control_events()

    def skip(self) -> list[Any]:
        """Timed mode: end the get-ready or the set now and go to the next move (what was done still counts)."""
        t_ms = self._last_t_ms or 0
        if self.settings.mode == "follow":
            return [ErrorEvent(t_ms=t_ms, code="unsupported",
                               message="Skip works in the guided circuit; in follow mode the coach follows you.")]
        if self.state == "paused":
            self.resume()
        if self.state not in ("get_ready", "active"):
            return []
        events: list[Any] = []
        self._end_set(t_ms, events)
        self._emit_state(t_ms, events, force=True)
        return events

    def finish(self) -> list[Any]:
        """End the session now (stop pressed, or the video ended): close the open set, send the summary."""
        t_ms = self._last_t_ms or 0
        if self.state == "finished":
            return []
        events: list[Any] = []
        self._close_set()
        self._finish(t_ms, events, complete=False)
        self._emit_state(t_ms, events, force=True)
        return events

    def _finish(self, t_ms: int, events: list[Any], complete: bool) -> None:
        self.state = "finished"
        self._probe = None
        text = "Circuit complete. Nice work!" if complete else "Session over. Nice work!"
        events.append(CueEvent(t_ms=t_ms, move_id=None, cue_id="done", text=text))
        events.append(self.summary())

    def _control_events(self) -> list[Any]:
        t_ms = self._last_t_ms or 0
        events: list[Any] = []
        self._emit_state(t_ms, events, force=True)
        return events

    def summary(self) -> SummaryEvent:
        """Per move and side: reps, hold seconds, ROM values, time in good form, in circuit order."""
        t_ms = self._last_t_ms or 0
        moves_out = []
        for move_id in self.moves.move_ids:
            totals = self._totals.get(move_id)
            if totals is None:
                continue
            sides = sorted(set(totals.reps) | set(totals.hold_ms) | set(totals.rom))
            moves_out.append(MoveSummaryOut(
                move_id=move_id,
                title=self.moves.info(move_id).title,
                sides={s: SideSummary(reps=totals.reps.get(s, 0), hold_s=round(totals.hold_ms.get(s, 0) / 1000, 1),
                                      rom=[round(v, 1) for v in totals.rom.get(s, [])]) for s in sides},
                rom_name=totals.rom_name,
                good_form_s=round(totals.good_form_ms / 1000, 1),
                active_s=round(totals.active_ms / 1000, 1),
            ))
        duration_ms = 0 if self._start_t_ms is None else t_ms - self._start_t_ms
        return SummaryEvent(t_ms=t_ms, rounds=self.round, duration_s=round(duration_ms / 1000, 1), moves=moves_out)
