"""Circuit logic with a tiny fake checker and recogniser: timing, sides, pause, skip, rounds, follow mode."""

from __future__ import annotations

from dataclasses import dataclass, field

from history_fixture import FakeSummary

from coach.circuit import GET_READY_MAX_MS, GET_READY_MIN_MS, Circuit, CircuitMoves, SetResult
from coach.events import MoveInfo, Settings

FRAME_MS = 100
MOVE_IDS = ("hip_90_90", "lunge_rotation", "bridge_march", "hamstring_scoop", "hip_flexor_reach",
            "forward_fold_pedals", "hamstring_strap")
ONE_SIDED = {"lunge_rotation", "hip_flexor_reach", "hamstring_strap"}


# The fake checker emits events whose class names match the moves contract.
@dataclass
class RepCounted:
    t_ms: int
    side: str
    count: int
    rom_value: float
    rom_name: str


@dataclass
class SetupWarning:
    t_ms: int
    warning_id: str
    text: str


@dataclass
class FakeResult:
    side: str | None
    reps: dict[str, int]
    hold_ms: dict[str, int]
    events: list


@dataclass
class FakeChecker:
    """Counts frames that show its own move (a real checker's posture test passes only in its move): each after the
    first adds hold time, and every 2 s of them is a left rep."""

    move_id: str
    own_frames: int = 0
    reps: int = 0
    hold_ms: int = 0
    seen_t_ms: list[int] = field(default_factory=list)
    clock_restarts: int = 0

    def update(self, t_ms, pose):
        self.seen_t_ms.append(t_ms)
        events = []
        if pose == "nobody":
            events.append(SetupWarning(t_ms, "not_visible", "Step back so your whole body is visible"))
        if pose in (self.move_id, "nobody"):
            self.own_frames += 1
            self.hold_ms = (self.own_frames - 1) * FRAME_MS
        if (self.own_frames - 1) // 20 > self.reps:
            self.reps = (self.own_frames - 1) // 20
            events.append(RepCounted(t_ms, "left", self.reps, 90.0, "knee_deg"))
        return FakeResult("left", {"left": self.reps}, {"left": self.hold_ms}, events)

    def restart_clock(self):
        self.clock_restarts += 1

    def summary(self):
        return FakeSummary(self.move_id, reps={"left": self.reps}, hold_ms={"left": self.hold_ms},
                           rom={"left": [90.0] * self.reps}, rom_name="knee_deg", good_form_ms=self.hold_ms)


class ScriptedRecognizer:
    """Sees whatever move the frame's pose names (poses are plain strings here)."""

    def update(self, t_ms, pose):
        return pose if pose in MOVE_IDS else None


def fake_moves(checkers: list[FakeChecker] | None = None) -> CircuitMoves:
    def make_checker(move_id: str) -> FakeChecker:
        checker = FakeChecker(move_id)
        if checkers is not None:
            checkers.append(checker)
        return checker

    def info(move_id: str) -> MoveInfo:
        return MoveInfo(move_id=move_id, title=move_id.replace("_", " "), kind="reps",
                        one_sided=move_id in ONE_SIDED, setup_tip=f"set up for {move_id}")

    return CircuitMoves(move_ids=MOVE_IDS, info=info, make_checker=make_checker, make_recognizer=ScriptedRecognizer)


def run(circuit: Circuit, poses, start_ms: int = 0) -> list:
    """Feed one frame per 100 ms; `poses` gives the pose for each frame time."""
    events = []
    t_ms = start_ms
    for pose in poses:
        events += circuit.update(t_ms, pose)
        t_ms += FRAME_MS
    return events


def types(events) -> list[str]:
    return [e.type for e in events]


def guided_poses(circuit: Circuit, frames: int):
    """A perfect participant: always in the position of the circuit's current move."""
    for _ in range(frames):
        yield circuit.move_id or MOVE_IDS[0]


def test_timed_circuit_runs_all_moves_then_summarises():
    circuit = Circuit(Settings(rounds=1, seconds=30), fake_moves())
    events = run(circuit, guided_poses(circuit, 3000))
    moves = [e.move.move_id for e in events if e.type == "move"]
    assert moves == list(MOVE_IDS)
    sides = [(e.move_id, e.side) for e in events if e.type == "side"]
    assert sides == [("lunge_rotation", "right"), ("hip_flexor_reach", "right"), ("hamstring_strap", "right")]
    summary = [e for e in events if e.type == "summary"]
    assert len(summary) == 1 and circuit.state == "finished"
    # 30 s of set time at one rep per 2 s = 14 reps (the first frame starts the clock, the 30 s mark ends the set)
    assert [m.sides["left"].reps for m in summary[0].moves] == [14] * 7
    assert all(m.active_s == 30.0 for m in summary[0].moves)
    # get-ready: ready after the 3 s minimum (the recogniser saw the move from the start)
    first_go = next(e for e in events if e.type == "cue" and e.cue_id == "go")
    assert first_go.t_ms == GET_READY_MIN_MS


def test_switch_sides_at_half_time_and_per_side_doubles_the_set():
    circuit = Circuit(Settings(seconds=40, per_side=True), fake_moves())
    events = run(circuit, guided_poses(circuit, 2000))
    lunge_go = next(e for e in events if e.type == "cue" and e.cue_id == "go" and e.move_id == "lunge_rotation")
    switch = next(e for e in events if e.type == "side" and e.move_id == "lunge_rotation")
    next_move = next(e for e in events if e.type == "move" and e.move.move_id == "bridge_march")
    assert switch.t_ms - lunge_go.t_ms == 40_000
    assert next_move.t_ms - lunge_go.t_ms == 80_000


def test_pause_stops_the_clock_and_resume_continues():
    circuit = Circuit(Settings(seconds=30), fake_moves())
    run(circuit, ["hip_90_90"] * 100)  # 10 s: 3 s get-ready + 7 s of set
    left_before = circuit.state_event(0).time_left_ms
    paused = circuit.pause()
    assert circuit.state == "paused" and paused[-1].state == "paused"
    run(circuit, ["hip_90_90"] * 200, start_ms=10_000)
    assert circuit.state_event(0).time_left_ms == left_before
    resumed = circuit.resume()
    assert resumed[-1].state == "active"
    run(circuit, ["hip_90_90"] * 10, start_ms=30_000)
    assert circuit.state_event(0).time_left_ms == left_before - 1000


def test_resume_restarts_the_checkers_clock_so_the_pause_is_never_held():
    checkers: list[FakeChecker] = []
    circuit = Circuit(Settings(seconds=30), fake_moves(checkers))
    run(circuit, ["hip_90_90"] * 100)
    circuit.pause()
    assert [c.clock_restarts for c in checkers] == [0, 0]  # the get-ready probe, then the set's checker
    circuit.resume()
    assert checkers[-1].clock_restarts == 1


def test_skip_goes_to_the_next_move_and_keeps_what_was_done():
    circuit = Circuit(Settings(seconds=30), fake_moves())
    run(circuit, ["hip_90_90"] * 100)
    events = circuit.skip()
    assert circuit.move_id == "lunge_rotation" and circuit.state == "get_ready"
    assert "move" in types(events)
    done = circuit.finish()
    summary = next(e for e in done if e.type == "summary")
    assert [m.move_id for m in summary.moves] == ["hip_90_90"]
    assert summary.moves[0].sides["left"].reps == 3


def test_get_ready_warns_and_times_out_when_the_person_is_not_in_position():
    circuit = Circuit(Settings(), fake_moves())
    events = run(circuit, ["nobody"] * 130)
    warnings = [e for e in events if e.type == "warning"]
    assert [w.warning_id for w in warnings].count("get_into_position") == 1
    assert "not_visible" in {w.warning_id for w in warnings}
    go = next(e for e in events if e.type == "cue" and e.cue_id == "go")
    assert go.t_ms == GET_READY_MAX_MS


def test_two_rounds_sum_into_the_summary_and_report_each_set():
    sets: list[SetResult] = []
    circuit = Circuit(Settings(rounds=2, seconds=30), fake_moves(), on_set_done=sets.append)
    events = run(circuit, guided_poses(circuit, 6000))
    assert [e.round for e in events if e.type == "round"] == [1, 2]
    assert len(sets) == 14 and sets[7].round == 2
    summary = next(e for e in events if e.type == "summary")
    assert summary.rounds == 2
    assert summary.moves[0].sides["left"].reps == 28


def test_follow_mode_sticks_through_a_flicker_and_a_switch_costs_no_count():
    sets: list[SetResult] = []
    circuit = Circuit(Settings(mode="follow"), fake_moves(), on_set_done=sets.append)
    # 10 s of 90/90, 1 s with no move, 11 s of bridge, 1 s back on 90/90 (a recogniser flicker, not a new set)
    poses = ["hip_90_90"] * 100 + [None] * 10 + ["bridge_march"] * 110 + ["hip_90_90"] * 10
    events = run(circuit, poses)
    events += circuit.finish()
    assert [e.move.move_id for e in events if e.type == "move"] == ["hip_90_90", "bridge_march"]
    assert [e.round for e in events if e.type == "round"] == [1]
    # The bridge takes over once it has led for 1.5 s and a 90/90 rep interval (2.5 s) has passed since the last
    # 90/90 frame; its checker replays every frame since then (the frames with no move included), so the reaction
    # time costs no rep, and the 1 s flicker at the end stays with the bridge.
    moves = [(e.t_ms, e.move.move_id) for e in events if e.type == "move"]
    assert moves == [(0, "hip_90_90"), (12_500, "bridge_march")]
    assert [(s.move_id, s.started_t_ms, s.ended_t_ms) for s in sets] == [
        ("hip_90_90", 0, 9_900), ("bridge_march", 9_901, 22_900)]
    assert [e.t_ms for e in events if e.type == "rep" and e.move_id == "bridge_march"] == [13_000, 15_000, 17_000,
                                                                                           19_000, 21_000]
    summary = next(e for e in events if e.type == "summary")
    by_move = {m.move_id: m for m in summary.moves}
    assert by_move["hip_90_90"].sides["left"].reps == 4
    assert by_move["bridge_march"].sides["left"].reps == 5
    assert circuit.skip()[0].type == "error"


def test_follow_mode_starts_a_new_round_back_at_the_first_move():
    circuit = Circuit(Settings(mode="follow"), fake_moves())
    poses = [move for move in MOVE_IDS for _ in range(30)] + ["hip_90_90"] * 30
    events = run(circuit, poses)
    assert [e.round for e in events if e.type == "round"] == [1, 2]
    assert [e.move.move_id for e in events if e.type == "move"] == [*MOVE_IDS, "hip_90_90"]


def test_same_frames_give_the_same_events():
    def once():
        circuit = Circuit(Settings(mode="follow"), fake_moves())
        return [e.model_dump() for e in run(circuit, ["hip_90_90"] * 50 + ["bridge_march"] * 50)]

    assert once() == once()


def test_outside_warnings_are_rate_limited_and_only_sent_while_coaching():
    circuit = Circuit(Settings(), fake_moves())
    assert circuit.warn(0, "too_dark", "It is too dark") == []  # idle: nobody is being coached yet
    run(circuit, ["hip_90_90"] * 10)
    assert [e.warning_id for e in circuit.warn(1000, "too_dark", "It is too dark")] == ["too_dark"]
    assert circuit.warn(2000, "too_dark", "It is too dark") == []


ROUTINE = ("bridge_march", "hip_90_90", "hamstring_strap")  # a custom order, not the circuit's


def test_guided_routine_runs_only_its_moves_in_its_order():
    sets: list[SetResult] = []
    circuit = Circuit(Settings(rounds=2, seconds=30), fake_moves().for_routine(ROUTINE), on_set_done=sets.append)
    events = run(circuit, guided_poses(circuit, 4000))
    moves = [(e.move.move_id, e.index, e.moves_in_routine, e.round) for e in events if e.type == "move"]
    assert moves == [(m, i, 3, r) for r in (1, 2) for i, m in enumerate(ROUTINE)]
    assert [(s.round, s.move_id) for s in sets] == [(r, m) for r in (1, 2) for m in ROUTINE]
    summary = next(e for e in events if e.type == "summary")
    assert [m.move_id for m in summary.moves] == list(ROUTINE)
    assert circuit.state == "finished"


def test_follow_routine_ignores_moves_outside_it_and_says_so_once_per_visit():
    checkers: list[FakeChecker] = []
    circuit = Circuit(Settings(mode="follow"), fake_moves(checkers).for_routine(ROUTINE))
    poses = (["hip_90_90"] * 50 + ["hamstring_scoop"] * 80 + [None] * 5 + ["hamstring_scoop"] * 30
             + ["bridge_march"] * 50 + ["lunge_rotation"] * 20)
    events = run(circuit, poses)
    events += circuit.finish()
    assert [e.move.move_id for e in events if e.type == "move"] == ["hip_90_90", "bridge_march"]
    assert [e.index for e in events if e.type == "move"] == [1, 0]
    assert {c.move_id for c in checkers} == {"hip_90_90", "bridge_march"}
    warned = [e.text for e in events if e.type == "warning"]
    assert warned == ["hamstring scoop is not in this routine, so it is not counted",
                      "lunge rotation is not in this routine, so it is not counted"]
    assert {e.move_id for e in events if e.type == "rep"} == {"hip_90_90", "bridge_march"}
    summary = next(e for e in events if e.type == "summary")
    assert [m.move_id for m in summary.moves] == ["bridge_march", "hip_90_90"]  # routine order; strap not done
