"""The one engine every move runs on: a move is data (measures, phases, rep patterns, holds, cues), this runs it.

Per frame the checker
1. gates: the joints the move needs must be seen, in the frame and of human proportions (and the camera view one the
   move can be judged from); otherwise nothing counts or times, the state is frozen and a SetupWarning follows;
2. evaluates the move's named measures (units in the names) once, then its calibrated ones (relative to the person's
   own range in the set) and the measures derived from those;
3. steps the phase machine: a phase is entered when all its conditions pass their *enter* thresholds for at least
   its `min_dwell_ms`, and left when one fails its *leave* threshold (hysteresis). Confirmed phases form a history
   (repeats collapse); a Rep pattern matching the end of that history counts one rep for its side;
4. times holds the same way (enter/leave thresholds, dwell credited back, a short grace for glitches: a pause in
   which the person was only out of sight, never seen out of the posture, is credited once the hold resumes);
5. raises cues whose condition held for their dwell, with a per-cue cooldown, and praise after clean reps; a move with
   long holds adds BREATHE, a calm reminder that is spoken softly and never crowds out a form cue.

All time comes from the frames' t_ms; nothing reads the wall clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from coach import geometry
from coach.geometry import View
from coach.landmarks import Landmark, sided
from coach.pose import Pose

Measure = Callable[[Pose], float]
Derived = Callable[[Pose, Mapping[str, float]], float]
"""A measure of the pose and the frame's other measures, calibrated ones included (read after calibration)."""
HOLDING = "holding"
"""Use in Cue.during to mean "while a hold is being timed"."""


# --------------------------------------------------------------------------------------------------- declarations
@dataclass(frozen=True)
class Above:
    """Passes when measure >= enter; once passing it keeps passing while measure > leave (leave < enter)."""

    measure: str
    enter: float
    leave: float

    def passes(self, values: Mapping[str, float], staying: bool) -> bool:
        value = values.get(self.measure, math.nan)
        if not math.isfinite(value):
            return False
        return value > self.leave if staying else value >= self.enter


@dataclass(frozen=True)
class Below:
    """Passes when measure <= enter; once passing it keeps passing while measure < leave (leave > enter)."""

    measure: str
    enter: float
    leave: float

    def passes(self, values: Mapping[str, float], staying: bool) -> bool:
        value = values.get(self.measure, math.nan)
        if not math.isfinite(value):
            return False
        return value < self.leave if staying else value <= self.enter


Condition = Above | Below


@dataclass(frozen=True)
class Calibrate:
    """Follow the person's own range of `measure` within the set, so phase bands sit at fractions of *their* range.

    Adds three measures a move's conditions can read: "{measure}_rise" (how far above the lowest value seen, in the
    measure's unit), "{measure}_range_pct" (0 at the lowest, 100 at the highest value seen) and "{measure}_centred"
    (the value less the middle of the range once the range spans `min_range`, else the value itself: for a measure
    whose sign tells two positions apart, read about the middle of the person's own two). Both ends relax
    toward the current value with time constant `relax_ms`, so a set that gets shallower still counts; the range is
    never taken as smaller than `min_range`, so jitter at rest never spans it. Only settled values set the ends
    (changing slower than `settled_per_s`, units per second, or turning back), so a pose passed through on the way
    into position is no floor.
    Only frames where `when` passes update it (sitting up between bridges says nothing about the bridge's range).
    The working position is the high end: a move whose working position is a low angle calibrates a measure that
    grows toward it.
    """

    measure: str
    min_range: float
    settled_per_s: float
    when: tuple[Condition, ...] = ()
    relax_ms: int = 20000
    still_with: tuple[str, ...] = ()
    """Other calibrated measures that must be settled too (each by its own spec) for a value to be settled: the body
    still, not only this measure (a slow lie-down passes a bridge's line through the floor's values while the torso
    is still rolling back)."""

    @property
    def rise(self) -> str:
        return f"{self.measure}_rise"

    @property
    def range_pct(self) -> str:
        return f"{self.measure}_range_pct"

    @property
    def centred(self) -> str:
        return f"{self.measure}_centred"


def all_pass(conditions: tuple[Condition, ...], values: Mapping[str, float], staying: bool) -> bool:
    return all(c.passes(values, staying) for c in conditions)


@dataclass(frozen=True)
class Phase:
    """A named body state. `side` is the body side the state belongs to, if any (shown in the overlay).

    `resumes_after`: phases that interrupt this one without leaving its position (a knee lifted from a bridge).
    Coming straight back from one of them to this phase, it is entered at its *leave* thresholds: the body never
    left the position, so the hysteresis that would have kept it there still applies.
    """

    name: str
    when: tuple[Condition, ...]
    min_dwell_ms: int = 200
    side: str | None = None
    resumes_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rep:
    """One rep for `side` each time the confirmed-phase history ends with `sequence` (phases in `ignore` skipped).

    Skipping can bring two entries of one phase together; they merge into the first, so coming back to a phase
    through ignored ones never counts again (a bridge top after a march). With `each_entry`, the newest stands
    instead: every fresh entry of the last phase counts (a left march after a right one, the hips never lowered).
    """

    sequence: tuple[str, ...]
    side: str
    ignore: tuple[str, ...] = ()
    each_entry: bool = False


@dataclass(frozen=True)
class Hold:
    """Time on `side` while all conditions pass (enter thresholds to start, after min_dwell_ms; leave to stop)."""

    side: str
    when: tuple[Condition, ...]
    min_dwell_ms: int = 500
    grace_ms: int = 600
    """A hold broken for less than this resumes instead of ending. Time the posture was seen broken is never
    credited; time the person was out of sight (no pose, joints hidden) is, when the hold resumes straight after:
    the model losing a held body for a few frames (dim light, noise) said nothing against the posture."""
    first_dwell_ms: int | None = None
    """The set's first hold on this side waits this long instead (then counts from its start), where the position is
    also passed through by moves that never stay in it; once held, a return after a break waits min_dwell_ms."""
    extra_views: tuple[View, ...] = ()
    """Views outside the move's own that this hold is timed from too. A hold can read where the reps cannot (a fold's
    hang shows facing the camera, its knee pedals bend in depth there): in such a view only these holds are timed,
    no phase is confirmed or kept (a rep needs the move's own views), and the move's "turn" warning still says how to
    get the reps counted."""


@dataclass(frozen=True)
class Rom:
    """One range-of-motion figure per rep/hold: the max or min of `measure` ("{side}" is the rep/hold side).

    For reps, only frames in `phases` ("{side}" allowed; all of the rep's phases if empty) are looked at.
    """

    name: str
    measure: str
    pick: str = "max"
    phases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cue:
    """A short spoken/shown hint when `when` held for min_dwell_ms during one of `during` (any engaged frame if empty).

    kind "form" marks `joints` for attention and clears form_ok while active; kind "nudge" is a reminder only; kind
    "calm" is a breathing reminder: spoken softly, it never holds back another cue and is not kept with the set's cues
    (it says nothing about the set).
    """

    cue_id: str
    text: str
    when: tuple[Condition, ...] = ()
    during: tuple[str, ...] = ()
    min_dwell_ms: int = 600
    cooldown_ms: int = 8000
    kind: str = "form"
    joints: tuple[int, ...] = ()


@dataclass(frozen=True)
class Move:
    """Everything specific to one move of the circuit; see the modules next to this one."""

    move_id: str
    title: str
    kind: str  # "reps" | "hold" | "reps+hold"
    one_sided: bool
    setup_tip: str
    needs: tuple[int, ...]
    measures: Mapping[str, Measure]
    rom: Rom
    phases: tuple[Phase, ...] = ()
    reps: tuple[Rep, ...] = ()
    holds: tuple[Hold, ...] = ()
    cues: tuple[Cue, ...] = ()
    calibrate: tuple[Calibrate, ...] = ()
    derived: Mapping[str, Derived] = field(default_factory=dict)
    """Measures read from the others once calibration has added its own: a reading relative to the person's range."""
    views: tuple[View, ...] = (View.FRONT, View.SIDE, View.OBLIQUE)
    bones: tuple[str, ...] = ("thigh", "shin")
    min_joint_visibility: float = 0.2
    """Per needed joint. A far-side knee behind the near leg reads 0.25-0.4 in a side view yet is placed well; below
    this a joint is not seen. The needed joints together must still average geometry.MIN_VISIBILITY."""
    rep_sides: tuple[str, ...] = ("left", "right")
    hold_sides: tuple[str, ...] = ()
    praise_text: str = "Nice control"
    praise_cooldown_ms: int = 20000
    praise_hold_ms: int = 10000


BREATH_FIRST_MS = 8_000
"""Into a hold before the first breath reminder: settled in the stretch, not straight after the set-up cues."""
BREATH_EVERY_MS = 15_000
"""At most this often: the seed fold "encourages breath and downregulation", now and then, not a metronome."""
BREATHE = Cue("breathe", "Breathe out slowly", during=(HOLDING,), min_dwell_ms=BREATH_FIRST_MS,
              cooldown_ms=BREATH_EVERY_MS, kind="calm")
"""Added to the cues of the moves held long enough to breathe into (hip flexor, fold, strap)."""


def both_sides(*joints: str) -> tuple[int, ...]:
    """Landmarks of the named joints on both sides, e.g. both_sides("hip", "knee")."""
    return tuple(sided(side, joint) for joint in joints for side in ("left", "right"))


# --------------------------------------------------------------------------------------------------------- events
@dataclass(frozen=True)
class RepCounted:
    t_ms: int
    side: str
    count: int
    rom_value: float | None
    rom_name: str


@dataclass(frozen=True)
class CueGiven:
    t_ms: int
    cue_id: str
    text: str
    calm: bool = False  # a breathing reminder: the overlay speaks it softly


@dataclass(frozen=True)
class SetupWarning:
    t_ms: int
    warning_id: str
    text: str


@dataclass(frozen=True)
class HoldChanged:
    t_ms: int
    side: str
    holding: bool
    hold_ms: int


CheckerEvent = RepCounted | CueGiven | SetupWarning | HoldChanged


@dataclass
class FrameResult:
    t_ms: int
    move_id: str
    phase: str | None
    side: str | None
    form_ok: bool
    joint_status: dict[int, str]
    reps: dict[str, int]
    hold_ms: dict[str, int]
    events: list[CheckerEvent]


@dataclass
class MoveSummary:
    move_id: str
    reps: dict[str, int]
    hold_ms: dict[str, int]
    rom: dict[str, list[float]]
    rom_name: str
    cues: list[tuple[int, str]]
    good_form_ms: int


@dataclass
class MoveTotals:
    """Several sets of one move added up: reps and hold time summed per side, ROM values and cues in order. The live
    circuit's summary and the replay report both add their sets with this."""

    reps: dict[str, int] = field(default_factory=dict)
    hold_ms: dict[str, int] = field(default_factory=dict)
    rom: dict[str, list[float]] = field(default_factory=dict)
    rom_name: str = ""
    cues: list[tuple[int, str]] = field(default_factory=list)
    good_form_ms: int = 0
    active_ms: int = 0

    def add(self, summary: MoveSummary, active_ms: int = 0) -> None:
        for side, count in summary.reps.items():
            self.reps[side] = self.reps.get(side, 0) + count
        for side, held_ms in summary.hold_ms.items():
            self.hold_ms[side] = self.hold_ms.get(side, 0) + held_ms
        for side, values in summary.rom.items():
            self.rom.setdefault(side, []).extend(values)
        self.rom_name = summary.rom_name or self.rom_name
        self.cues.extend(summary.cues)
        self.good_form_ms += summary.good_form_ms
        self.active_ms += active_ms


# ---------------------------------------------------------------------------------------------------------- gating
WARNINGS = {
    "no_person": "Step into view of the camera",
    "whole_body": "Step back so your whole body is in view",
    "turn_side": "Turn side-on to the camera",
}
WARN_AFTER_MS = 300
"""A gate problem must last this long before it is spoken (single dropped frames are normal)."""
WARN_COOLDOWN_MS = 5000
HOLD_VIEW_WARN_COOLDOWN_MS = 30_000
"""While a hold is timed from one of its extra views the "turn" hint is for the reps only: said this rarely, not every
WARN_COOLDOWN_MS through a 45 s stretch that is already being timed."""
MAX_FRAME_GAP_MS = 250
"""Hold time credited between two frames is capped, so a stalled stream does not add phantom seconds."""
CUE_GAP_MS = 2500
"""At most one cue in this window, so hints never pile up."""


def seen_joints(move: Move, pose: Pose, view: View) -> tuple[int, ...]:
    """The needed joints the model must actually see. In a side or oblique view the far limbs are behind the near
    ones: MediaPipe still places them sensibly but gives them low visibility for whole holds (a real side-on fold:
    the far knee under 0.2 once the torso passed horizontal), so there only the near side and the middle count."""
    if view is View.FRONT:
        return move.needs
    far = "right" if geometry.near_side(pose) == "left" else "left"
    return tuple(j for j in move.needs if not Landmark(j).name.lower().startswith(f"{far}_"))


def gate_problem(move: Move, pose: Pose | None, view: View | None = None) -> str | None:
    """Why this frame cannot be trusted for the move (a WARNINGS key), or None when it can.

    Every needed joint must lie in the image ("whole body" means head-to-feet in view), but only the joints the
    camera can see from its angle must be seen (see seen_joints). `view`: the pose's camera view, when known."""
    if pose is None:
        return "no_person"
    if view is None:
        view = geometry.camera_view(pose)
    seen = list(seen_joints(move, pose, view))
    if geometry.unseen(pose, tuple(seen), move.min_joint_visibility) or geometry.out_of_frame(pose, move.needs):
        return "whole_body"
    if float(pose.visibility[seen].mean()) < geometry.MIN_VISIBILITY:
        return "whole_body"
    if geometry.implausible_bones(pose, move.bones):
        return "whole_body"
    if view not in move.views:
        return "turn_side"
    return None


# ----------------------------------------------------------------------------------------------------------- state
@dataclass
class _Entry:
    """One confirmed phase visit: its name and the extremes of ROM measures seen during it."""

    name: str
    extremes: dict[str, float] = field(default_factory=dict)


@dataclass
class _Range:
    """The lowest and highest settled value of a calibrated measure in this set, each relaxing toward the present.

    Only settled values move the ends: the measure changing slower than the spec's settled_per_s, a turn back from
    an extreme, or a still start by a person found already in position. The floor and the top of a rep are such
    moments, while the stretch passed through on the way down to the mat is not. A person found in position and
    already moving (a clip trimmed to start as the hips lift) gives the first value as a provisional end: the
    first settled value on its side of the range replaces it outright, for it may have been a pose passed through.
    """

    floor: float = math.nan
    peak: float = math.nan
    _smooth: float = math.nan
    _speed_per_s: float = math.inf
    _followed_ms: int = 0
    _opening_low: float = math.inf
    _opening_high: float = -math.inf
    _found_in_position: bool = True
    _extreme: float = math.nan
    _rising: bool | None = None
    _provisional_low: bool | None = None
    """Which end the moving start set provisionally (True: the floor), None once a settled value has replaced it."""

    def update(self, value: float, dt_ms: int, spec: Calibrate, values: Mapping[str, float],
               others_still: bool = True) -> None:
        """Follow the value; move the ends only while it is settled (smoothed first: landmark jitter is no motion)
        and `others_still` (see Calibrate.still_with). `values` are the frame's measures, for the calibration's own
        conditions."""
        if not math.isfinite(self._smooth):
            self._smooth = self._extreme = value
        elif dt_ms > 0:
            keep = math.exp(-dt_ms / SPEED_TAU_MS)
            previous, self._smooth = self._smooth, keep * self._smooth + (1 - keep) * value
            speed = abs(self._smooth - previous) * 1000.0 / dt_ms
            old = self._speed_per_s
            self._speed_per_s = speed if math.isinf(old) else keep * old + (1 - keep) * speed
            self._followed_ms += dt_ms
        if self._followed_ms < WARM_UP_MS:
            self._found_in_position = self._found_in_position and all_pass(spec.when, values, staying=False)
        turned_at = self._turning_point(spec)
        if turned_at is not None:
            self._move_ends(turned_at, dt_ms, spec)
        if self._followed_ms < WARM_UP_MS:
            if not self._still_from_the_start(value, spec):
                return
        elif self._speed_per_s > spec.settled_per_s or not others_still:
            return
        self._move_ends(value, dt_ms, spec)

    def settled(self, spec: Calibrate) -> bool:
        """Whether the followed value moves slower than the spec's settled speed now (another range's still_with)."""
        return self._speed_per_s <= spec.settled_per_s

    def _move_ends(self, value: float, dt_ms: int, spec: Calibrate) -> None:
        if not math.isfinite(self.floor):
            self.floor = self.peak = value
            return
        if self._provisional_low is not None and self.peak - self.floor >= spec.min_range:
            low_side = value < (self.floor + self.peak) / 2
            if low_side == self._provisional_low:
                if low_side:
                    self.floor = value
                else:
                    self.peak = value
                self._provisional_low = None
                return
        pull = min(1.0, dt_ms / spec.relax_ms)
        self.floor = min(value, self.floor + (value - self.floor) * pull)
        self.peak = max(value, self.peak + (value - self.peak) * pull)

    def _turning_point(self, spec: Calibrate) -> float | None:
        """The smoothed value's last extreme, once it has turned back from it by a third of the minimum range, else
        None. A turn is a settled moment however brief: a brisk bridger (half a second up, half a second down, no
        pause) never slows under the settled speed for long enough, so only the first rep counted."""
        back = spec.min_range * TURN_BACK_FRACTION
        if self._rising is None:  # no direction yet: the first move by `back` from the first value sets it
            if abs(self._smooth - self._extreme) >= back:
                first, self._rising, self._extreme = self._extreme, self._smooth > self._extreme, self._smooth
                if self._found_in_position and not math.isfinite(self.floor):
                    self.floor = self.peak = first
                    self._provisional_low = self._rising
            return None
        if (self._smooth >= self._extreme) == self._rising:
            self._extreme = self._smooth
            return None
        if abs(self._smooth - self._extreme) < back:
            return None
        turned_at, self._extreme, self._rising = self._extreme, self._smooth, not self._rising
        return turned_at

    def _still_from_the_start(self, value: float, spec: Calibrate) -> bool:
        """Whether the person was found already in position (every frame so far clearly met the calibration's
        conditions, entry thresholds) and the values have stayed within what the settled speed allows, while the
        smoothed speed is too young to judge: it reads a fast move slow at first. A trimmed clip may start at the
        floor ~0.1 s before the first lift (a real bridge replayed 1.5 times faster lost its first rep for want of
        a floor); a person arriving, still lying back, first passes through the conditions' leave band."""
        if not self._found_in_position:  # arrived into position: the settled speed alone decides
            return False
        self._opening_low, self._opening_high = min(self._opening_low, value), max(self._opening_high, value)
        spread = self._opening_high - self._opening_low
        return self._followed_ms >= OPENING_MIN_MS and spread * 1000.0 / self._followed_ms <= spec.settled_per_s


SPEED_TAU_MS = 150.0
"""The calibrated measure and its speed are each smoothed over about this long before it is judged settled."""
WARM_UP_MS = 4 * SPEED_TAU_MS
"""The two smoothings read a steady motion at 59% of its speed after two time constants, 91% after four: a real
bridge found rising at 30 degrees per second read settled at 0.3 s and set its floor two thirds of the way up."""
OPENING_MIN_MS = 60
"""A still start lasts at least two frames at 30 fps: two values alike say nothing of a speed."""
TURN_BACK_FRACTION = 1 / 3
"""A turn back by this fraction of a measure's minimum range is a rep's top or floor; jitter never turns so far."""


@dataclass
class _HoldState:
    candidate_since_ms: int | None = None
    candidate_gap_ms: int = 0  # untrusted time since the candidate began, never credited
    held: bool = False  # whether this side has been held yet in the set
    holding: bool = False
    paused_since_ms: int | None = None
    unseen_pause_ms: int | None = None  # time of this pause with the person out of sight; None once seen broken
    extreme: float = math.nan


def _better(pick: str, old: float, new: float) -> float:
    if not math.isfinite(new):
        return old
    if not math.isfinite(old):
        return new
    return max(old, new) if pick == "max" else min(old, new)


class MoveChecker:
    """Runs one Move over a stream of poses; see the module docstring for the per-frame steps."""

    def __init__(self, move: Move) -> None:
        self.move = move
        self._phases = {phase.name: phase for phase in move.phases}
        self.reps = dict.fromkeys(move.rep_sides, 0)
        self.hold_ms = dict.fromkeys(move.hold_sides, 0)
        self.rom: dict[str, list[float]] = {}
        self.cues: list[tuple[int, str]] = []
        self.good_form_ms = 0
        self._phase: str | None = None
        self._candidate: str | None = None
        self._candidate_since_ms = 0
        self._candidate_extremes: dict[str, float] = {}
        self._history: list[_Entry] = []
        self._holds = [_HoldState() for _ in move.holds]
        self._cue_since_ms: dict[str, int | None] = {cue.cue_id: None for cue in move.cues}
        self._cue_active: set[str] = set()
        self._cue_last_ms: dict[str, int] = {}
        self._last_cue_ms: int | None = None
        self._flawed_since_rep = False
        self._good_hold_ms = 0
        self._gate_since_ms: int | None = None
        self._warn_last_ms: dict[str, int] = {}
        self._last_t_ms: int | None = None
        self._rom_measures = self._concrete_rom_measures()
        self._range_of = {spec.measure: (spec, _Range()) for spec in move.calibrate}
        """Each calibrated measure's spec and range, by measure (a spec's still_with names other measures)."""

    # ------------------------------------------------------------------------------------------------ public API
    def update(self, t_ms: int, pose: Pose | None) -> FrameResult:
        events: list[CheckerEvent] = []
        dt_ms = 0 if self._last_t_ms is None else max(0, min(t_ms - self._last_t_ms, MAX_FRAME_GAP_MS))
        self._last_t_ms = t_ms
        pose_view = geometry.camera_view(pose) if pose is not None else None
        problem = gate_problem(self.move, pose, pose_view)
        view = pose_view if problem == "turn_side" else None
        if pose is None or (problem is not None and not self._holds_timed_in(view)):
            self._on_untrusted(t_ms, dt_ms, problem or "no_person", events)
            return self._result(t_ms, events, trusted=False)
        values = measure_values(self.move, pose)
        self._calibrate(dt_ms, values)
        for name, derive in self.move.derived.items():
            values[name] = derive(pose, values)
        if view is None:
            self._gate_since_ms = None
            self._step_phases(t_ms, values, events)
        else:  # a view only some holds are timed from: the phases wait, and the person hears how to turn
            self._phase = self._candidate = None
            self._warn(t_ms, "turn_side", events, HOLD_VIEW_WARN_COOLDOWN_MS)
        self._step_holds(t_ms, dt_ms, values, events, view)
        self._step_cues(t_ms, values, events)
        engaged = self._phase is not None or any(h.holding for h in self._holds)
        if engaged and not self._cue_active_form():
            self.good_form_ms += dt_ms
        return self._result(t_ms, events, trusted=True)

    def restart_clock(self) -> None:
        """After a pause the next frame starts a new interval, so time away is never credited to a hold or form."""
        self._last_t_ms = None

    def summary(self) -> MoveSummary:
        rom = {side: list(values) for side, values in self.rom.items()}
        if self.move.kind == "hold":
            for spec, state in zip(self.move.holds, self._holds, strict=True):
                if state.holding and math.isfinite(state.extreme):
                    rom.setdefault(spec.side, []).append(round(state.extreme, 1))
        return MoveSummary(
            move_id=self.move.move_id, reps=dict(self.reps), hold_ms=dict(self.hold_ms), rom=rom,
            rom_name=self.move.rom.name, cues=list(self.cues), good_form_ms=self.good_form_ms,
        )

    # ------------------------------------------------------------------------------------------------- gating
    def _holds_timed_in(self, view: View | None) -> bool:
        """Whether a hold is timed from this view although the move's reps are not (see Hold.extra_views)."""
        return view is not None and any(view in spec.extra_views for spec in self.move.holds)

    def _on_untrusted(self, t_ms: int, dt_ms: int, problem: str, events: list[CheckerEvent]) -> None:
        """Freeze: keep the confirmed phase, drop any half-built candidate, pause holds, maybe warn. A hold's candidate
        outlasts untrusted frames up to its grace period (that time is never credited): a dropout of a frame or two
        while a hang settles should not restart its wait."""
        self._candidate = None
        for spec, state in zip(self.move.holds, self._holds, strict=True):
            if state.candidate_since_ms is not None:
                state.candidate_gap_ms += dt_ms
                if state.candidate_gap_ms > spec.grace_ms:
                    state.candidate_since_ms = None
            if state.holding:
                unseen_ms = 0 if state.paused_since_ms is None else state.unseen_pause_ms
                state.unseen_pause_ms = None if unseen_ms is None else unseen_ms + dt_ms
            self._pause_hold(t_ms, spec, state, events)
        for cue_id in self._cue_since_ms:
            self._cue_since_ms[cue_id] = None
        self._cue_active.clear()
        self._warn(t_ms, problem, events)

    def _warn(self, t_ms: int, problem: str, events: list[CheckerEvent], cooldown_ms: int = WARN_COOLDOWN_MS) -> None:
        """Say the gate problem once it has lasted WARN_AFTER_MS, then at most every `cooldown_ms`."""
        if self._gate_since_ms is None:
            self._gate_since_ms = t_ms
        last = self._warn_last_ms.get(problem)
        if t_ms - self._gate_since_ms >= WARN_AFTER_MS and (last is None or t_ms - last >= cooldown_ms):
            self._warn_last_ms[problem] = t_ms
            events.append(SetupWarning(t_ms, problem, WARNINGS[problem]))

    # -------------------------------------------------------------------------------------------- calibration
    def _calibrate(self, dt_ms: int, values: dict[str, float]) -> None:
        """Add each calibrated measure's rise and range_pct (NaN, failing every condition, when not computable) and
        its centred value."""
        for spec, found in self._range_of.values():
            value = values.get(spec.measure, math.nan)
            if math.isfinite(value) and all_pass(spec.when, values, staying=True):
                still = all(self._range_of[other][1].settled(self._range_of[other][0]) for other in spec.still_with)
                found.update(value, dt_ms, spec, values, still)
            if not (math.isfinite(value) and math.isfinite(found.floor)):
                values[spec.rise] = values[spec.range_pct] = math.nan
                values[spec.centred] = value
                continue
            values[spec.rise] = value - found.floor
            values[spec.range_pct] = 100.0 * (value - found.floor) / max(found.peak - found.floor, spec.min_range)
            spanned = found.peak - found.floor >= spec.min_range
            values[spec.centred] = value - (found.floor + found.peak) / 2 if spanned else value

    # ------------------------------------------------------------------------------------------------- phases
    def _step_phases(self, t_ms: int, values: Mapping[str, float], events: list[CheckerEvent]) -> None:
        if self._phase is not None:
            if all_pass(self._phases[self._phase].when, values, staying=True):
                self._track_extremes(self._history[-1].extremes, values)
                return
            self._phase = None
        entering = next((p for p in self.move.phases if all_pass(p.when, values, staying=self._resuming(p))), None)
        if entering is None:
            self._candidate = None
            return
        if entering.name != self._candidate:
            self._candidate, self._candidate_since_ms, self._candidate_extremes = entering.name, t_ms, {}
        self._track_extremes(self._candidate_extremes, values)
        if t_ms - self._candidate_since_ms < entering.min_dwell_ms:
            return
        self._phase, self._candidate = entering.name, None
        if self._history and self._history[-1].name == entering.name:
            self._history[-1].extremes.update(
                {k: _better(self._pick(k), self._history[-1].extremes.get(k, math.nan), v)
                 for k, v in self._candidate_extremes.items()})
            return
        self._history.append(_Entry(entering.name, dict(self._candidate_extremes)))
        del self._history[:-16]
        self._match_reps(t_ms, events)

    def _resuming(self, phase: Phase) -> bool:
        """Whether the confirmed history is this phase, then one of the phases it resumes after (see Phase)."""
        names = [entry.name for entry in self._history[-2:]]
        return len(names) == 2 and names[1] in phase.resumes_after and names[0] == phase.name

    def _match_reps(self, t_ms: int, events: list[CheckerEvent]) -> None:
        for rep in self.move.reps:
            trail = [e for e in self._history if e.name not in rep.ignore]
            collapsed: list[_Entry] = []
            for entry in trail:
                if not collapsed or collapsed[-1].name != entry.name:
                    collapsed.append(entry)
                elif rep.each_entry:
                    collapsed[-1] = entry
            tail = collapsed[-len(rep.sequence):]
            if tuple(e.name for e in tail) != rep.sequence or collapsed[-1] is not self._history[-1]:
                continue
            start = next(i for i, e in enumerate(self._history) if e is tail[0])
            rom_value = self._rep_rom(rep, self._history[start:])
            self.reps[rep.side] = self.reps.get(rep.side, 0) + 1
            if rom_value is not None:
                self.rom.setdefault(rep.side, []).append(rom_value)
            events.append(RepCounted(t_ms, rep.side, self.reps[rep.side], rom_value, self.move.rom.name))
            self._maybe_praise_rep(t_ms, events)
            return

    def _rep_rom(self, rep: Rep, entries: list[_Entry]) -> float | None:
        spec = self.move.rom
        measure = spec.measure.format(side=rep.side)
        phases = {name.format(side=rep.side) for name in spec.phases}
        value = math.nan
        for entry in entries:
            if not phases or entry.name in phases:
                value = _better(spec.pick, value, entry.extremes.get(measure, math.nan))
        return round(value, 1) if math.isfinite(value) else None

    def _concrete_rom_measures(self) -> dict[str, str]:
        """Measure name -> pick, for every side the ROM template can take."""
        spec = self.move.rom
        names = {spec.measure.format(side=side) for side in ("left", "right", "both")}
        return {name: spec.pick for name in names if name in self.move.measures}

    def _pick(self, measure: str) -> str:
        return self._rom_measures.get(measure, "max")

    def _track_extremes(self, extremes: dict[str, float], values: Mapping[str, float]) -> None:
        for name, pick in self._rom_measures.items():
            extremes[name] = _better(pick, extremes.get(name, math.nan), values.get(name, math.nan))

    # -------------------------------------------------------------------------------------------------- holds
    def _step_holds(self, t_ms: int, dt_ms: int, values: Mapping[str, float], events: list[CheckerEvent],
                    extra_view: View | None = None) -> None:
        """Time each hold; in `extra_view` (not one of the move's views) only those timed from it (Hold.extra_views)."""
        for spec, state in zip(self.move.holds, self._holds, strict=True):
            if extra_view is not None and extra_view not in spec.extra_views:
                state.candidate_since_ms = state.unseen_pause_ms = None
                self._pause_hold(t_ms, spec, state, events)
                continue
            if state.holding:
                if all_pass(spec.when, values, staying=True):
                    if state.paused_since_ms is None or state.unseen_pause_ms is not None:
                        held_ms = dt_ms + (state.unseen_pause_ms or 0)
                        self.hold_ms[spec.side] = self.hold_ms.get(spec.side, 0) + held_ms
                        self._good_hold_ms += 0 if self._cue_active_form() else held_ms
                    state.paused_since_ms = state.unseen_pause_ms = None
                    self._track_hold_extreme(spec, state, values)
                else:
                    state.unseen_pause_ms = None
                    self._pause_hold(t_ms, spec, state, events)
                continue
            if not all_pass(spec.when, values, staying=False):
                state.candidate_since_ms = None
                continue
            if state.candidate_since_ms is None:
                state.candidate_since_ms, state.candidate_gap_ms, state.extreme = t_ms, 0, math.nan
            self._track_hold_extreme(spec, state, values)
            dwell_ms = spec.min_dwell_ms if state.held or spec.first_dwell_ms is None else spec.first_dwell_ms
            if t_ms - state.candidate_since_ms >= dwell_ms:
                state.holding, state.held, state.paused_since_ms = True, True, None
                credit_ms = t_ms - state.candidate_since_ms - state.candidate_gap_ms
                self.hold_ms[spec.side] = self.hold_ms.get(spec.side, 0) + credit_ms
                events.append(HoldChanged(t_ms, spec.side, True, self.hold_ms[spec.side]))
        if self._good_hold_ms >= self.move.praise_hold_ms:
            self._good_hold_ms = 0
            self._praise(t_ms, events)

    def _pause_hold(self, t_ms: int, spec: Hold, state: _HoldState, events: list[CheckerEvent]) -> None:
        """Stop timing at once; end the hold only if it stays broken for the grace period."""
        if not state.holding:
            return
        if state.paused_since_ms is None:
            state.paused_since_ms = t_ms
        if t_ms - state.paused_since_ms < spec.grace_ms:
            return
        state.holding, state.candidate_since_ms, state.paused_since_ms = False, None, None
        state.unseen_pause_ms = None
        events.append(HoldChanged(t_ms, spec.side, False, self.hold_ms[spec.side]))
        if self.move.kind == "hold" and math.isfinite(state.extreme):
            self.rom.setdefault(spec.side, []).append(round(state.extreme, 1))
        state.extreme = math.nan

    def _track_hold_extreme(self, spec: Hold, state: _HoldState, values: Mapping[str, float]) -> None:
        measure = self.move.rom.measure.format(side=spec.side)
        state.extreme = _better(self.move.rom.pick, state.extreme, values.get(measure, math.nan))

    # --------------------------------------------------------------------------------------------------- cues
    def _context(self) -> set[str]:
        context = {self._phase} if self._phase else set()
        if any(state.holding and state.paused_since_ms is None for state in self._holds):
            context.add(HOLDING)
        return context

    def _step_cues(self, t_ms: int, values: Mapping[str, float], events: list[CheckerEvent]) -> None:
        context = self._context()
        for cue in self.move.cues:
            in_scope = bool(context & set(cue.during)) if cue.during else bool(context)
            staying = cue.cue_id in self._cue_active
            if not in_scope or not all_pass(cue.when, values, staying=staying):
                self._cue_since_ms[cue.cue_id] = None
                self._cue_active.discard(cue.cue_id)
                continue
            since = self._cue_since_ms[cue.cue_id]
            if since is None:
                self._cue_since_ms[cue.cue_id] = since = t_ms
            if t_ms - since < cue.min_dwell_ms:
                continue
            self._cue_active.add(cue.cue_id)
            if cue.kind == "form":
                self._flawed_since_rep = True
            self._say(t_ms, cue.cue_id, cue.text, cue.cooldown_ms, events, calm=cue.kind == "calm")

    def _say(self, t_ms: int, cue_id: str, text: str, cooldown_ms: int, events: list[CheckerEvent],
             calm: bool = False) -> None:
        last = self._cue_last_ms.get(cue_id)
        if last is not None and t_ms - last < cooldown_ms:
            return
        if self._last_cue_ms is not None and t_ms - self._last_cue_ms < CUE_GAP_MS:
            return
        self._cue_last_ms[cue_id] = t_ms
        # praise comes as a rep is reached and a breath reminder at any time: neither may hold back a form cue
        if cue_id != "praise" and not calm:
            self._last_cue_ms = t_ms
        if not calm:
            self.cues.append((t_ms, text))
        events.append(CueGiven(t_ms, cue_id, text, calm))

    def _cue_active_form(self) -> bool:
        return any(cue.kind == "form" and cue.cue_id in self._cue_active for cue in self.move.cues)

    def _maybe_praise_rep(self, t_ms: int, events: list[CheckerEvent]) -> None:
        clean = not self._flawed_since_rep
        self._flawed_since_rep = False
        if clean:
            self._praise(t_ms, events)

    def _praise(self, t_ms: int, events: list[CheckerEvent]) -> None:
        if self.move.praise_text:
            self._say(t_ms, "praise", self.move.praise_text, self.move.praise_cooldown_ms, events)

    # ------------------------------------------------------------------------------------------------- result
    def _result(self, t_ms: int, events: list[CheckerEvent], trusted: bool) -> FrameResult:
        attention = {j for cue in self.move.cues if cue.kind == "form" and cue.cue_id in self._cue_active
                     for j in cue.joints}
        status = {int(j): ("attention" if j in attention else "good") for j in self.move.needs} if trusted else {}
        phase = self._phase if trusted else None
        side = self._phases[phase].side if phase else None
        if phase is None and trusted:
            holding = [spec for spec, st in zip(self.move.holds, self._holds, strict=True) if st.holding]
            if holding:
                phase, side = HOLDING, holding[0].side
        return FrameResult(
            t_ms=t_ms, move_id=self.move.move_id, phase=phase, side=side,
            form_ok=trusted and not self._cue_active_form(), joint_status=status, reps=dict(self.reps),
            hold_ms=dict(self.hold_ms), events=events,
        )


def measure_values(move: Move, pose: Pose) -> dict[str, float]:
    """Every measure of the move on one pose (NaN where one cannot be computed)."""
    return {name: _safe(fn, pose) for name, fn in move.measures.items()}


class LazyMeasures(Mapping[str, float]):
    """The move's measures on one pose, each computed when first read: a test that fails early costs little."""

    def __init__(self, move: Move, pose: Pose) -> None:
        self._move, self._pose, self._values = move, pose, {}

    def __getitem__(self, name: str) -> float:
        if name not in self._values:
            self._values[name] = _safe(self._move.measures[name], self._pose)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._move.measures)

    def __len__(self) -> int:
        return len(self._move.measures)


def _safe(fn: Measure, pose: Pose) -> float:
    """A measure that cannot be computed on this frame reads as NaN, which fails every condition."""
    try:
        value = float(fn(pose))
    except (ValueError, ZeroDivisionError, FloatingPointError):
        return math.nan
    return value

