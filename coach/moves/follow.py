"""Follow mode: the recogniser says which move is on, the followed move's checker counts, and no switch costs a count.

One implementation for `coach replay` (moves.analysis) and the live "Follow me" circuit (coach.circuit):
- Sticky: the followed move keeps the floor while another only briefly leads. A switch needs the other move to lead
  the recogniser for at least STEADY_MS and longer than a rep of the followed move takes, and waits while the followed
  move's hold is running (both up to MAX_WAIT_MS, so a wrong move cannot hold the floor for ever).
- Counts survive a switch: when the followed move does change, the frames' own votes since the set began say where
  the new move really started (the point after which its votes most outnumber the old move's). The old checker is
  rewound to that point, so it gives back whatever it counted after it, and the new move's checker replays every
  frame from there (with SETUP_MS before it for the set-up position). The votes are stricter than the checkers, so
  a probe of the new checker also looks further back, over frames that voted for no other move and never past the
  old move's last rep or hold (up to UNCERTAIN_MAX_MS): if it finds the person in one of its move's positions there,
  the set starts where the probe did.
- A set under FLICKER_MS that counted nothing is dropped: the recogniser wavered. So is one under
  UNCOUNTED_SET_UP_MS that counted nothing and gave way to another move: it was that move's set-up (sitting down
  before lying back).
- Sparse votes still count when nothing else is happening: while the recogniser names no move and the followed one
  (if any) has counted nothing for EVIDENCE_WINDOW_MS, a move whose frames voted for it for EVIDENCE_MIN_MS in that
  window, nearly unopposed, gets a candidate checker fed from the window's start. Its checker counting CONFIRM_REPS
  reps or holding for CONFIRM_HOLD_MS takes the floor with everything it counted (a scoop or a 90/90 whose set positions
  the votes name only at the bottom of each rep, in some views for a twentieth of the frames).
- Frames while the recogniser sees no move are kept, not fed: they go to the followed move if it comes back, and
  otherwise only as far as the change point.
"""

from __future__ import annotations

import copy
import itertools
import statistics
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Protocol

from coach.moves.recognition import ABSTAIN, NO_MOVE
from coach.pose import Pose

STEADY_MS = 1500
"""The least time another move must lead the recogniser before the followed move changes."""
MAX_WAIT_MS = 8000
"""The longest a running hold or a slow rep rhythm of the followed move can hold a switch off."""
REP_WAIT_FACTOR = 1.25
"""A switch waits this many of the followed move's typical rep intervals after its last rep."""
FLICKER_MS = 3000
"""A set shorter than this that counted nothing is dropped (no segment, no history row): a wavering recogniser."""
UNCOUNTED_SET_UP_MS = 10_000
"""A set shorter than this that counted nothing and gave way to another move is dropped too: the next move's set-up.
Generated strap stretches begin seated, knees bent, for 4-6 s before lying back, and those frames vote the 90/90:
tuning seed 1003 kept 5.7 s of one as a 90/90 set of no reps (the held-out results of seeds 1020-1036 list 7 strap
sets so, every count right). A set that counted nothing for longer stays: the person may want to see it missed."""
SETUP_MS = 1500
"""How far before the new move's change point its checker starts: the set-up position (a bridge lying down)."""
CHECKPOINT_MS = 1000
"""How often the followed checker's state is kept, so a rewind replays at most this much."""
ABSTAIN_WEIGHT = 0.05
"""A frame that votes for nothing counts this much against a move starting before it (a stray vote long ago is not
where a set began)."""
SILENT = (None, ABSTAIN, NO_MOVE)
"""Votes that name no move."""
UNCERTAIN_MAX_MS = 20_000
"""How far back a new move's probe looks for the person in one of its positions before the recogniser was sure."""
MAX_KEPT_MS = 120_000
"""The longest stretch of frames kept for a switch to go back over."""
EVIDENCE_WINDOW_MS = 15_000
"""How far back a quiet stretch's votes are added up for a candidate move."""
EVIDENCE_MIN_MS = 400
"""The least time of votes in the window that makes a move a candidate while the recogniser names none."""
OPPOSED_SHARE = 1 / 3
"""A candidate's votes must outnumber every other move's by this much (another move's at most this share of them)."""
CONFIRM_REPS = 2
"""The reps a candidate checker must count to confirm its move when any other move had votes in the window: one rep
of a wrong checker on another move's frames is the usual mistake (a scoop counted on a lunge whose votes read as a
scoop: its frames still vote lunge now and then), two are rare. Unopposed, one rep confirms."""
CONFIRM_HOLD_MS = 2000
"""The hold time that confirms a candidate move instead (a stretch held)."""
MAX_FRAME_GAP_MS = 200
"""The most one frame's vote counts for (a stalled stream is not a long vote)."""


class Checker(Protocol):
    def update(self, t_ms: int, pose: Pose | None) -> Any: ...

    def restart_clock(self) -> None: ...

    def summary(self) -> Any: ...


class Recognizer(Protocol):
    """update() returns the move the recogniser now sees; last_vote is what that frame alone said (a move, NO_MOVE or
    ABSTAIN; a recogniser without one has its pick taken as the vote)."""

    last_vote: str | None

    def update(self, t_ms: int, pose: Pose | None) -> str | None: ...


@dataclass
class _Frame:
    t_ms: int
    pose: Pose | None
    vote: str | None


@dataclass
class ClosedSet:
    """A followed stretch of one move, as it finally counts (after any give-back)."""

    move_id: str
    start_ms: int
    end_ms: int
    summary: Any  # the checker's MoveSummary
    rep_events: list[Any]  # the RepCounted events that still count
    given_back: dict[str, int]  # reps per side the checker counted after the change point, no longer counted


@dataclass
class FollowStep:
    """What one frame did: the move followed now, the recogniser's own pick (for "not in this routine"), the checker
    results of every frame fed (a switch replays several, in time order), and the set a switch closed."""

    move_id: str | None
    seen: str | None
    fed: list[tuple[int, Any]] = field(default_factory=list)
    closed: ClosedSet | None = None


@dataclass
class _OpenSet:
    move_id: str
    start_ms: int
    checker: Checker
    fed_ms: int = -1  # the last frame this checker has seen
    rep_events: list[Any] = field(default_factory=list)
    progress_ms: deque[int] = field(default_factory=deque)  # frames with a rep counted or hold time added
    holding: bool = False
    in_position_ms: int | None = None  # the first frame its checker found one of its move's positions
    checkpoints: list[tuple[int, Checker, int]] = field(default_factory=list)  # (fed_ms, copy, rep events so far)
    hold_total_ms: int = 0  # the checker's hold time over all sides at the last frame fed
    unreported: list[tuple[int, Any]] = field(default_factory=list)  # a candidate's results, reported if it is taken
    adopted: bool = False  # its own checker, not the recogniser, chose this move (a candidate that was taken)


class Follower:
    """update(t_ms, pose) -> FollowStep; finish() -> the last set, closed. Moves outside `allowed` are not followed."""

    def __init__(self, make_checker: Callable[[str], Checker], recognizer: Recognizer,
                 allowed: Collection[str] | None = None) -> None:
        self.make_checker = make_checker
        self.recognizer = recognizer
        self.allowed = None if allowed is None else frozenset(allowed)
        self.open: _OpenSet | None = None
        self._frames: deque[_Frame] = deque()  # since the open set began (or since the last set closed)
        self._floor_ms = -1  # frames at or before this belong to a closed set
        self._leader: str | None = None
        self._leader_since_ms = 0
        self._candidate: _OpenSet | None = None  # a move with sparse votes in a quiet stretch, fed on trial

    @property
    def move_id(self) -> str | None:
        return self.open.move_id if self.open else None

    @property
    def set_start_ms(self) -> int:
        """Where the open set began: its change point, which may be before the recogniser was sure."""
        return self.open.start_ms if self.open else 0

    def update(self, t_ms: int, pose: Pose | None) -> FollowStep:
        seen = self.recognizer.update(t_ms, pose)
        vote = getattr(self.recognizer, "last_vote", seen)
        self._frames.append(_Frame(t_ms, pose, vote))
        self._trim(t_ms)
        proposal = self._followable(seen)
        if proposal != self._leader:
            self._leader, self._leader_since_ms = proposal, t_ms
        step = FollowStep(move_id=self.move_id, seen=seen)
        if proposal is not None:
            self._candidate = None
            if proposal != self.move_id and self._may_switch(t_ms):
                step.closed = self._switch(proposal)
                step.move_id = proposal
        else:
            proposal = self._quiet_proposal(t_ms, step)
        if self.open is not None and proposal is not None:
            step.fed += self._feed(self.open, t_ms)  # its own move, or another still waiting to take over
        return step

    def finish(self) -> ClosedSet | None:
        """Close the open set where its checker stopped (frames after the recogniser lost the move are not counted)."""
        if self.open is None:
            return None
        closed = self._close(self.open.fed_ms + 1, feed=False)
        self.open = None
        return closed

    # ---- quiet stretches: the recogniser names no move ----

    def _quiet_proposal(self, t_ms: int, step: FollowStep) -> str | None:
        """The move to feed while the recogniser names none: the open set's, if its move leads the window's votes or
        its own checker chose it and counted within the window; a candidate whose checker has just counted (it takes
        the floor, and `step` gets the set it closed and its results); else none (frames are kept, not fed)."""
        current = self.open
        window_ms = t_ms - EVIDENCE_WINDOW_MS
        leader, opposed = self._evidence_leader(window_ms)
        if current is not None and (leader == current.move_id or (current.progress_ms
                                                                   and current.progress_ms[-1] >= window_ms)):
            self._candidate = None
            return current.move_id if current.adopted or current.move_id == leader else None
        if leader is None:
            self._candidate = None
            return None
        candidate = self._candidate
        # A new leader, or a trial that has gone on for two windows without counting, starts afresh from the window.
        if candidate is None or candidate.move_id != leader or candidate.start_ms < window_ms - EVIDENCE_WINDOW_MS:
            start_ms = max(self._floor_ms + 1, window_ms, self._frames[0].t_ms)
            candidate = self._candidate = _OpenSet(leader, start_ms, self.make_checker(leader))
        # No checkpoints on trial: a rewind before the first one replays from the set's start.
        candidate.unreported += self._feed(candidate, t_ms, keep_checkpoints=False)
        if len(candidate.rep_events) < (CONFIRM_REPS if opposed else 1) and candidate.hold_total_ms < CONFIRM_HOLD_MS:
            return None
        self._candidate = None
        step.closed = self._close(candidate.start_ms, replaced=True) if current is not None else None
        step.fed += candidate.unreported
        candidate.unreported = []
        candidate.adopted = True
        self._take_floor(candidate)
        step.move_id = leader
        return leader

    def _evidence_leader(self, window_ms: int) -> tuple[str | None, bool]:
        """The move whose votes since window_ms add up to EVIDENCE_MIN_MS and outnumber every other move's, and
        whether any other move had votes there."""
        voted_ms: dict[str, int] = {}
        newer_ms: int | None = None
        for frame in reversed(self._frames):
            if frame.t_ms < window_ms:
                break
            if frame.vote not in SILENT and newer_ms is not None:
                voted_ms[frame.vote] = voted_ms.get(frame.vote, 0) + min(newer_ms - frame.t_ms, MAX_FRAME_GAP_MS)
            newer_ms = frame.t_ms
        ranked = sorted(voted_ms.items(), key=lambda item: item[1], reverse=True)
        opposed = len(ranked) > 1
        if not ranked or ranked[0][1] < EVIDENCE_MIN_MS or self._followable(ranked[0][0]) is None:
            return None, opposed
        if opposed and ranked[1][1] > OPPOSED_SHARE * ranked[0][1]:
            return None, opposed
        return ranked[0][0], opposed

    # ---- switching ----

    def _followable(self, move_id: str | None) -> str | None:
        return move_id if move_id is None or self.allowed is None or move_id in self.allowed else None

    def _may_switch(self, t_ms: int) -> bool:
        """Another move has led long enough: steadily, for longer than a rep of the followed move, past its hold."""
        current = self.open
        if current is None:
            return True
        lead_ms = t_ms - self._leader_since_ms
        if lead_ms >= MAX_WAIT_MS:
            return True
        if lead_ms < STEADY_MS or current.holding:
            return False
        rep_ms = self._rep_interval_ms(current)
        return rep_ms is None or not current.progress_ms or t_ms - current.progress_ms[-1] >= rep_ms

    @staticmethod
    def _rep_interval_ms(current: _OpenSet) -> float | None:
        """How long a switch waits after the last rep: a share over the set's typical time between reps."""
        times = [current.start_ms] + [event.t_ms for event in current.rep_events]
        if len(times) < 2:
            return None
        intervals = [b - a for a, b in itertools.pairwise(times)]
        return min(REP_WAIT_FACTOR * statistics.median(intervals), MAX_WAIT_MS)

    def _change_ms(self, new: str, old: str | None) -> int:
        """The frame after which `new`'s votes most outnumber the rest: each frame adds +1 for `new`, -1 for the old
        move (for no move: any other move or nobody), -ABSTAIN_WEIGHT for a frame that said nothing. Of equal
        points the latest wins, so the old move keeps every frame that still looked like it."""
        best_ms, best, run = self._frames[-1].t_ms, 0.0, 0.0
        for frame in reversed(self._frames):
            if frame.vote == new:
                run += 1.0
            elif frame.vote in SILENT or (old is not None and frame.vote != old):
                run -= ABSTAIN_WEIGHT
            else:
                run -= 1.0
            if frame.vote == new and run > best:
                best, best_ms = run, frame.t_ms
        return best_ms

    def _switch(self, new: str) -> ClosedSet | None:
        old = self.open
        change_ms = self._change_ms(new, old.move_id if old else None)
        # Nothing counted since `earliest_ms` (the old move's last rep or hold, or the last set's end), so the new
        # move may have begun anywhere after it: the votes say where at the latest; its own checker, finding the
        # person in one of its positions earlier (the recogniser's votes are stricter), may say earlier.
        earliest_ms = max(self._floor_ms + 1, self._frames[-1].t_ms - UNCERTAIN_MAX_MS)
        if old is not None:
            earliest_ms = max(earliest_ms, _last_before(old.progress_ms, change_ms) + 1)
        late_start_ms = change_ms - SETUP_MS
        fresh = _OpenSet(new, max(earliest_ms, late_start_ms), self.make_checker(new))
        # The probe looks back only over frames that voted for no other move: the tail of another move (a lunge's
        # shift, a fold's pedal in all but name) must not count as the new one.
        other_ms = max((f.t_ms for f in self._frames if f.t_ms < late_start_ms and f.vote not in (new, *SILENT)),
                       default=-1)
        probe_start_ms = max(earliest_ms, other_ms + 1)
        if probe_start_ms < late_start_ms:
            probe = _OpenSet(new, probe_start_ms, self.make_checker(new))
            self._feed(probe, late_start_ms)
            fresh = probe if probe.in_position_ms is not None else fresh
        closed = self._close(fresh.start_ms, replaced=True) if old is not None else None
        self._take_floor(fresh)
        return closed

    def _take_floor(self, fresh: _OpenSet) -> None:
        """`fresh` is the open set now; frames before its start belong to closed sets."""
        self.open = fresh
        self._frames = deque(f for f in self._frames if f.t_ms >= fresh.start_ms)

    def _close(self, end_ms: int, feed: bool = True, replaced: bool = False) -> ClosedSet | None:
        """Bring the open checker to just before end_ms (rewinding it if it went further) and close the set there;
        `replaced`: another move takes the floor."""
        current = self.open
        assert current is not None
        given_back: dict[str, int] = {}
        if current.fed_ms >= end_ms:
            given_back = self._rewind(current, end_ms)
        elif feed:
            self._feed(current, end_ms - 1)
        self._floor_ms = end_ms - 1
        if current.fed_ms < current.start_ms:
            return None  # it never saw a frame of its own: nothing to close
        summary = current.checker.summary()
        counted = any(summary.reps.values()) or any(getattr(summary, "hold_ms", {}).values())
        span_ms = current.fed_ms - current.start_ms
        if not counted and (span_ms < FLICKER_MS or (replaced and span_ms < UNCOUNTED_SET_UP_MS)):
            return None  # the recogniser wavering, or the next move's set-up: not a set
        return ClosedSet(current.move_id, current.start_ms, current.fed_ms, summary, list(current.rep_events),
                         given_back)

    def _rewind(self, current: _OpenSet, end_ms: int) -> dict[str, int]:
        """Restore the last kept state before end_ms and replay the kept frames up to it; returns the reps per side
        the checker had counted after end_ms, which no longer count."""
        dropped = current.rep_events
        before = [c for c in current.checkpoints if c[0] < end_ms]
        if before:
            fed_ms, state, rep_count = before[-1]
            current.checker, current.fed_ms = copy.deepcopy(state), fed_ms
        else:
            current.checker, current.fed_ms, rep_count = self.make_checker(current.move_id), current.start_ms - 1, 0
        current.rep_events = dropped[:rep_count]
        current.checkpoints = before
        self._feed(current, end_ms - 1, keep_checkpoints=False)
        given_back: dict[str, int] = {}
        for event in dropped[len(current.rep_events):]:
            given_back[event.side] = given_back.get(event.side, 0) + 1
        return given_back

    def _feed(self, current: _OpenSet, until_ms: int, keep_checkpoints: bool = True) -> list[tuple[int, Any]]:
        """Feed `current`'s checker the kept frames it has not seen, up to until_ms; returns their results."""
        fed: list[tuple[int, Any]] = []
        after_ms = max(current.fed_ms, current.start_ms - 1)
        for frame in self._unseen(after_ms):
            if frame.t_ms > until_ms:
                break
            result = current.checker.update(frame.t_ms, frame.pose)
            current.fed_ms = frame.t_ms
            self._note_progress(current, frame.t_ms, result)
            fed.append((frame.t_ms, result))
            last = current.checkpoints[-1][0] if current.checkpoints else current.start_ms
            if keep_checkpoints and frame.t_ms - last >= CHECKPOINT_MS:
                current.checkpoints.append((frame.t_ms, copy.deepcopy(current.checker), len(current.rep_events)))
        return fed

    def _unseen(self, after_ms: int) -> list[_Frame]:
        """The kept frames after `after_ms`, oldest first, found from the newest end (a live frame costs one step)."""
        newer: list[_Frame] = []
        for frame in reversed(self._frames):
            if frame.t_ms <= after_ms:
                break
            newer.append(frame)
        return newer[::-1]

    @staticmethod
    def _note_progress(current: _OpenSet, t_ms: int, result: Any) -> None:
        reps = [e for e in getattr(result, "events", []) if type(e).__name__ == "RepCounted"]
        current.rep_events += reps
        hold_total_ms = sum(getattr(result, "hold_ms", {}).values())
        current.holding = hold_total_ms > current.hold_total_ms
        current.hold_total_ms = hold_total_ms
        if reps or current.holding:
            current.progress_ms.append(t_ms)
        if current.in_position_ms is None and getattr(result, "phase", None) is not None:
            current.in_position_ms = t_ms

    def _trim(self, t_ms: int) -> None:
        """Forget frames (and the checker states older than the first kept frame) beyond MAX_KEPT_MS."""
        while self._frames and self._frames[0].t_ms < t_ms - MAX_KEPT_MS:
            self._frames.popleft()
        if self.open is not None and self._frames:
            first_ms, points, marks = self._frames[0].t_ms, self.open.checkpoints, self.open.progress_ms
            while len(points) >= 2 and points[1][0] < first_ms:
                points.pop(0)
            while len(marks) >= 2 and marks[1] < first_ms:
                marks.popleft()


def _last_before(times: deque[int], limit_ms: int) -> int:
    """The latest of the (sorted) times at or before limit_ms; -1 when there is none."""
    return max((t_ms for t_ms in times if t_ms <= limit_ms), default=-1)
