"""Follow mode never costs a rep: on generated sets of the moves the recogniser confuses, in several views and body
builds, follow mode (recognition + the Follower) counts what the checkers count when told the moves; a switch gives
back what a wrong checker counted; the live circuit runs the same logic as the replay analysis."""

import itertools

import kinematics as k
import pytest
from test_moves_counts import NOISE

from coach.circuit import Circuit, CircuitMoves
from coach.events import Settings
from coach.moves.analysis import analyse_poses, analyse_told
from coach.moves.base import RepCounted
from coach.moves.follow import EVIDENCE_MIN_MS, FLICKER_MS, MAX_WAIT_MS, STEADY_MS, UNCOUNTED_SET_UP_MS, Follower

MOVE_S = 1.5  # the walk from one move's end position to the next move's start


def joined(*parts: tuple[str, list]) -> tuple[list, list[dict]]:
    """Keyframes of (move, keys) parts one after another, and the told segments, split mid-transition."""
    keys = k.concat(*(part for _, part in parts), move_s=MOVE_S)
    segments, at = [], 0
    for move_id, part in parts:
        start_s, end_s = keys[at][0], keys[at + len(part) - 1][0]
        segments.append({"move": move_id, "start_ms": round(1000 * (start_s - MOVE_S / 2)) if at else 0,
                         "end_ms": round(1000 * (end_s + MOVE_S / 2))})
        at += len(part)
    return keys, segments


def counts(report: dict) -> dict:
    """Reps per move and side (zeros dropped) and hold seconds per move and side."""
    return {move_id: ({s: n for s, n in found["reps"].items() if n}, found["hold_s"])
            for move_id, found in report["moves"].items()}


def assert_follow_equals_told(filmed: list, segments: list[dict]) -> dict:
    follow, told = analyse_poses(filmed), analyse_told(filmed, segments)
    assert {m: reps for m, (reps, _) in counts(follow).items() if reps} == \
        {m: reps for m, (reps, _) in counts(told).items() if reps}
    for move_id, (_, held) in counts(told).items():
        for side, seconds in held.items():
            assert counts(follow).get(move_id, ({}, {}))[1].get(side, 0.0) == pytest.approx(seconds, abs=1.0)
    last = len(follow["segments"]) - 1
    for index, segment in enumerate(follow["segments"]):
        if 0 < index < last:  # no flicker of another move inside a set
            assert segment["end_ms"] - segment["start_ms"] >= 3000
    return follow


# The pairs the recogniser mixes up, each way round: seated 90/90 vs half-kneeling, scoop vs lunge, a straight-legged
# hinge (the fold) vs a lunge, and a bridge vs the supine strap stretch.
PAIRS = {
    "90/90 then half-kneeling": (("hip_90_90", k.hip_90_90_clip(["left", "right", "left"])[0]),
                                 ("hip_flexor_reach", k.hip_flexor_clip("right", 6.0)[0])),
    "half-kneeling then 90/90": (("hip_flexor_reach", k.hip_flexor_clip("left", 6.0)[0]),
                                 ("hip_90_90", k.hip_90_90_clip(["right", "left", "right"])[0])),
    "scoop then lunge": (("hamstring_scoop", k.scoop_clip("left", 3)[0]),
                         ("lunge_rotation", k.lunge_clip("left", 2)[0])),
    "lunge then scoop": (("lunge_rotation", k.lunge_clip("right", 2)[0]),
                         ("hamstring_scoop", k.scoop_clip("right", 3)[0])),
    "fold then lunge": (("forward_fold_pedals", k.fold_clip(["left", "right", "left"])[0]),
                        ("lunge_rotation", k.lunge_clip("left", 2)[0])),
    "lunge then fold": (("lunge_rotation", k.lunge_clip("right", 2)[0]),
                        ("forward_fold_pedals", k.fold_clip(["right", "left"])[0])),
    "bridge then strap": (("bridge_march", k.bridge_clip(["left", "right"], plain_bridges=1)[0]),
                          ("hamstring_strap", k.strap_clip("left", 6.0)[0])),
    "strap then bridge": (("hamstring_strap", k.strap_clip("right", 6.0)[0]),
                          ("bridge_march", k.bridge_clip(["right", "left"], plain_bridges=1)[0])),
}


@pytest.mark.parametrize(("view", "body"), [("side", "small"), ("oblique", "tall"), ("side_right", "average")])
@pytest.mark.parametrize("pair", list(PAIRS))
def test_follow_mode_counts_confusable_moves_as_told(pair: str, view: str, body: str) -> None:
    keys, segments = joined(*PAIRS[pair])
    filmed = k.film(k.timeline(keys), view, body=body, seed=5, **NOISE)
    follow = assert_follow_equals_told(filmed, segments)
    assert [s["move"] for s in follow["segments"]] == [move_id for move_id, _ in PAIRS[pair]]


def lunge_set_with_a_half_rep(front: str) -> list:
    """Two full lunge cycles with a half one between: down into the lunge and straight back up, no rotation."""
    full = k.lunge_clip(front, 1)[0]
    half = k.sequence((1.0, k.lunge(front)), (0.4, k.lunge(front)), (0.9, k.STAND), (0.4, k.STAND))
    return k.concat(full, half, full, move_s=0.5)


def scoop_set_with_a_pause(front: str) -> list:
    """Two scoops, four seconds standing still, two more."""
    return k.concat(k.scoop_clip(front, 2)[0], k.sequence((4.0, k.scoop(front, 0))), k.scoop_clip(front, 2)[0],
                    move_s=0.5)


@pytest.mark.parametrize("view", ["side", "oblique"])
@pytest.mark.parametrize(("move_id", "build"), [
    ("lunge_rotation", lunge_set_with_a_half_rep),
    ("hamstring_scoop", scoop_set_with_a_pause),
    ("hip_90_90", lambda front: k.hip_90_90_clip([front, "right", front], partial=True)[0]),
])
def test_a_half_rep_or_a_pause_inside_a_set_costs_nothing(move_id: str, build, view: str) -> None:
    keys = build("left")
    filmed = k.film(k.timeline(keys), view, seed=8, **NOISE)
    follow = assert_follow_equals_told(filmed, [{"move": move_id, "start_ms": 0, "end_ms": filmed[-1][0]}])
    assert [s["move"] for s in follow["segments"]] == [move_id]


# ---------------------------------------------------------------------------------------------- the Follower alone
class Scripted:
    """A recogniser that sees whatever move the frame's pose names, at once."""

    last_vote: str | None = None

    def update(self, t_ms: int, pose) -> str | None:
        self.last_vote = pose
        return pose


class Greedy:
    """A checker that counts a rep every 10 frames of anything (a wrong checker counting someone else's move)."""

    max_reps: int | None = None

    def __init__(self, move_id: str) -> None:
        self.move_id, self.frames, self.reps = move_id, 0, 0

    def update(self, t_ms: int, pose):
        self.frames += 1
        events = []
        if self.frames % 10 == 0 and (self.max_reps is None or self.reps < self.max_reps):
            self.reps += 1
            events.append(RepCounted(t_ms, "left", self.reps, None, ""))
        return type("Result", (), {"events": events, "hold_ms": {}, "reps": {"left": self.reps}})()

    def restart_clock(self) -> None:
        pass

    def summary(self):
        return type("Summary", (), {"reps": {"left": self.reps}})()


def test_a_wrong_checker_gives_back_what_it_counted_after_the_change_point() -> None:
    # 3 s of a, then 12 s of b. The greedy a-checker goes on counting through b's frames, so it keeps the floor
    # until the longest wait (8 s); at the switch it gives those reps back and b's checker gets all of b's frames.
    follower = Follower(Greedy, Scripted())
    steps = [follower.update(t_ms, pose) for t_ms, pose in zip(itertools.count(0, 100), ["a"] * 30 + ["b"] * 120,
                                                                  strict=False)]
    switched = next(step for step in steps if step.move_id == "b")
    assert switched.closed is not None
    a, b = switched.closed, follower.finish()
    assert (a.move_id, a.start_ms, a.end_ms) == ("a", 0, 2900)
    assert a.summary.reps == {"left": 3} and [e.t_ms for e in a.rep_events] == [900, 1900, 2900]
    assert a.given_back == {"left": 8}  # counted at 3.9 ... 10.9 s, on b's frames
    assert (b.move_id, b.start_ms, b.end_ms) == ("b", 2901, 14900)
    assert b.summary.reps == {"left": 12}  # every one of b's 120 frames went to b's checker


def test_a_brief_lead_never_switches_and_a_steady_one_waits_between_the_least_and_the_longest_wait() -> None:
    follower = Follower(Greedy, Scripted())
    script = ["a"] * 50 + ["b"] * (STEADY_MS // 100 - 2) + ["a"] * 50
    assert {follower.update(t_ms, pose).move_id for t_ms, pose in zip(itertools.count(0, 100), script,
                                                                     strict=False)} == {"a"}
    lead_from_ms = 100 * len(script)
    moved_at_ms = next(t_ms for t_ms in range(lead_from_ms, lead_from_ms + 20_000, 100)
                       if follower.update(t_ms, "b").move_id == "b")
    assert STEADY_MS <= moved_at_ms - lead_from_ms <= MAX_WAIT_MS


class OneRep(Greedy):
    """Counts one rep at its tenth frame and nothing after (a wrong checker's single rep on another move)."""

    max_reps = 1


class Sparse:
    """A recogniser that never names a move; the frame's pose is its vote ("abstain" or a move id)."""

    last_vote: str | None = None

    def update(self, t_ms: int, pose) -> None:
        self.last_vote = pose


def sparse_votes(every: int, frames: int, also: dict[int, str] | None = None) -> list[str]:
    """One "a" vote every `every` frames, the rest abstaining; `also` puts other votes at given frames."""
    return [(also or {}).get(i, "a" if i % every == every - 1 else "abstain") for i in range(frames)]


@pytest.mark.parametrize(("checker", "script", "taken"), [
    (Greedy, sparse_votes(10, 150), True),  # 100 ms of votes a second: enough, and its checker counts
    (OneRep, sparse_votes(10, 150), True),  # unopposed, one rep confirms
    (OneRep, sparse_votes(10, 150, also={5: "b"}), False),  # another move voted once: one rep is not enough
    (Greedy, sparse_votes(10, 150, also={5: "b"}), True),  # ... two are
    (Greedy, sparse_votes(10, 150, also={i: "b" for i in range(4, 150, 20)}), False),  # b has half a's votes
    (Greedy, sparse_votes(60, 150), False),  # 200 ms of votes in 15 s: too few, however much the checker counts
])
def test_sparse_votes_nobody_else_shares_are_followed_once_their_checker_counts(checker, script, taken) -> None:
    """While the recogniser names nothing, a move its frames vote for now and then (a scoop voted only at the bottom
    of each rep) is tried: its checker is fed from 15 s back, and counting takes the floor with all it counted."""
    follower = Follower(checker, Sparse())
    steps = [follower.update(t_ms, vote) for t_ms, vote in zip(itertools.count(0, 100), script, strict=False)]
    closed = follower.finish()
    if not taken:
        assert {step.move_id for step in steps} == {None} and closed is None
        return
    first = next(i for i, step in enumerate(steps) if step.move_id == "a")
    assert 100 * sum(vote == "a" for vote in script[:first]) >= EVIDENCE_MIN_MS
    # every frame it was tried on is reported, once, when it is taken
    assert [t_ms for t_ms, _ in steps[first].fed] == list(range(0, 100 * first + 1, 100))
    assert (closed.move_id, closed.start_ms, closed.end_ms) == ("a", 0, 100 * (len(script) - 1))
    assert closed.summary.reps == {"left": len(script) // 10 if checker is Greedy else 1}


class Idle(Greedy):
    """Counts nothing (a move's checker on frames that only set it up)."""

    max_reps = 0


@pytest.mark.parametrize(("a_s", "kept"), [(UNCOUNTED_SET_UP_MS / 1000 - 2, False),
                                           (UNCOUNTED_SET_UP_MS / 1000 + 2, True)])
def test_a_set_that_counted_nothing_before_another_move_is_its_set_up_when_short(a_s: float, kept: bool) -> None:
    """Seconds of one move that counted nothing, then another move: under UNCOUNTED_SET_UP_MS they were the next
    move's set-up (no set, no history row); longer, they stay a set of no reps, as does such a stretch with nothing
    after."""
    follower = Follower(lambda move_id: Idle(move_id) if move_id == "a" else Greedy(move_id), Scripted())
    script = ["a"] * round(10 * a_s) + ["b"] * 100
    steps = [follower.update(t_ms, pose) for t_ms, pose in zip(itertools.count(0, 100), script, strict=False)]
    closed = [step.closed for step in steps if step.closed is not None]
    assert [c.move_id for c in closed] == (["a"] if kept else [])
    assert follower.finish().move_id == "b"
    alone = Follower(Idle, Scripted())
    for t_ms in range(0, FLICKER_MS + 2000, 100):
        alone.update(t_ms, "a")
    assert alone.finish().move_id == "a"


def test_sitting_down_before_the_strap_stretch_is_no_set_of_its_own() -> None:
    """A strap stretch set up seated, knees bent, for five seconds: the seat and the lie-down vote other moves,
    whose checkers count nothing there, and the report has the strap alone with the holds its checker counts when
    told."""
    seated = k.sequence((5.0, k.seated_90_90("left")))
    keys = k.concat(seated, k.strap_clip("left", 6.0)[0])
    filmed = k.film(k.timeline(keys), "side", seed=5, **NOISE)
    follow = assert_follow_equals_told(filmed, [{"move": "hamstring_strap", "start_ms": 0,
                                                 "end_ms": filmed[-1][0]}])
    assert [s["move"] for s in follow["segments"]] == ["hamstring_strap"]


# ------------------------------------------------------------------------------------------------ live == replay
def test_the_live_follow_circuit_counts_what_the_replay_analysis_counts() -> None:
    keys, _ = joined(*PAIRS["scoop then lunge"], *PAIRS["bridge then strap"])
    filmed = k.film(k.timeline(keys), "oblique", seed=2, **NOISE)
    circuit = Circuit(Settings(mode="follow"), CircuitMoves.standard())
    events = [event for t_ms, pose in filmed for event in circuit.update(t_ms, pose)] + circuit.finish()
    summary = next(e for e in events if e.type == "summary")
    live = {m.move_id: {side: s.reps for side, s in m.sides.items() if s.reps} for m in summary.moves}
    report = analyse_poses(filmed)
    assert {m: reps for m, reps in live.items() if reps} == {m: reps for m, (reps, _) in counts(report).items() if reps}
    assert set(live) == {"hamstring_scoop", "lunge_rotation", "bridge_march", "hamstring_strap"}
    strap = next(m for m in summary.moves if m.move_id == "hamstring_strap")
    assert strap.sides["left"].hold_s == pytest.approx(report["moves"]["hamstring_strap"]["hold_s"]["left"], abs=0.1)


@pytest.mark.parametrize("view", ["side", "oblique"])
def test_a_half_kneel_whose_3d_knees_read_straighter_is_recognised_and_timed_as_told(view: str) -> None:
    """The model straightens a far or kneeling knee in depth; the checker then judges the knees from the image, and
    the recogniser must follow it (its coarse 3D posture reads no half kneel)."""
    from test_moves_counts import _straighten_knees_in_depth

    keys, expected = k.hip_flexor_clip("left", 6.0)
    filmed = k.film(k.timeline(keys), view, seed=11, **NOISE)
    for _, pose in filmed:
        if pose is not None:
            _straighten_knees_in_depth(pose, 0.6)
    follow = assert_follow_equals_told(filmed, [{"move": "hip_flexor_reach", "start_ms": 0,
                                                 "end_ms": filmed[-1][0]}])
    assert follow["moves"]["hip_flexor_reach"]["hold_s"]["left"] == pytest.approx(expected["hold_s"]["left"], abs=0.5)
