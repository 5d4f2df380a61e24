"""The model that keeps up by itself: the choice (coach.keepup.KeepUp) fed pose times per frame, the estimators it
switches between (coach.pose.PoseModels), and a live session over a fake camera whose pose time per frame the test
sets (tests/fakes.TimedEstimator): it switches down, keeps counting, switches back, never flaps, says so once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from fakes import (
    FRAME_MS,
    FakeCamera,
    Lockstep,
    PassThroughSmoother,
    PoseTime,
    TimedEstimator,
    picture,
    play_camera_script,
    tick_moves,
)

from coach.circuit import Circuit
from coach.events import Settings
from coach.keepup import MAX_ROOM_FOR_MS, ROOM_FOR_MS, SLOW_FOR_MS, KeepUp
from coach.live import FASTER_MODEL, LiveSession
from coach.models import ModelError
from coach.pose import PoseModels, SharedEstimator
from coach.sources import CameraSource

CAMERA_FRAME_MS = 1000 / 30  # the fake camera says 30 fps
WAIT_S = 30.0  # upper bound for a threaded session to finish


def switches(pose_ms: PoseTime, minutes: float) -> list[tuple[int, str]]:
    """(t_ms, variant) of every switch KeepUp makes over `minutes` of 30 fps frames."""
    keep_up, made = KeepUp(CAMERA_FRAME_MS), []
    for t_ms in range(0, round(minutes * 60_000), FRAME_MS):
        variant = keep_up.observe(t_ms, pose_ms(keep_up.variant, t_ms))
        if variant is not None:
            made.append((t_ms, variant))
    return made


BUSY = {"full": 40.0, "lite": 28.0}  # another program holds the cores: full has no headroom at 30 fps
IDLE = {"full": 15.0, "lite": 10.0}


def busy_until(end_ms: int) -> PoseTime:
    return lambda variant, t_ms: (BUSY if t_ms < end_ms else IDLE)[variant]


def busy_every_other(period_ms: int) -> PoseTime:
    """Busy for `period_ms`, idle for `period_ms`, and so on."""
    return lambda variant, t_ms: (BUSY if (t_ms // period_ms) % 2 == 0 else IDLE)[variant]


# ------------------------------------------------------------------------------------------------ the choice
def test_full_stays_while_it_leaves_headroom() -> None:
    assert switches(lambda variant, t_ms: 22.0, minutes=5) == []


def test_slow_full_switches_down_once_it_has_been_slow_for_a_while() -> None:
    made = switches(lambda variant, t_ms: BUSY[variant], minutes=5)
    assert made == [(made[0][0], "lite")]  # and lite, too slow for full to come back, stays
    assert SLOW_FOR_MS <= made[0][0] < SLOW_FOR_MS + 2 * FRAME_MS


def test_a_short_stall_does_not_switch() -> None:
    stall = range(10_000, 11_200)  # 1.2 s of 80 ms frames inside 3 s windows: the median stays fast
    assert switches(lambda variant, t_ms: 80.0 if t_ms in stall else 18.0, minutes=2) == []


def test_switches_back_when_the_load_is_gone_for_long_enough() -> None:
    made = switches(busy_until(20_000), minutes=5)
    assert [variant for _, variant in made] == ["lite", "full"]
    down_ms, up_ms = made[0][0], made[1][0]
    assert up_ms - down_ms >= ROOM_FOR_MS and up_ms - 20_000 >= ROOM_FOR_MS / 2  # most of the window is idle


def test_never_flaps_near_the_threshold() -> None:
    rng = random.Random(4)
    made = switches(lambda variant, t_ms: rng.uniform(24, 36) * (1.0 if variant == "full" else 0.75), minutes=10)
    assert len(made) <= 1


def test_load_that_comes_and_goes_is_followed_less_and_less_often() -> None:
    """20 s busy, 20 s idle, for 10 minutes: each switch back waits twice as long as the last (to a cap)."""
    made = switches(busy_every_other(20_000), minutes=10)
    downs = [t for t, v in made if v == "lite"]
    ups = [t for t, v in made if v == "full"]
    assert downs and ups and len(made) <= 16  # 30 load changes
    for k, (down_ms, up_ms) in enumerate(zip(downs, ups, strict=False)):
        assert up_ms - down_ms >= min(ROOM_FOR_MS * 2**k, MAX_ROOM_FOR_MS)


# ------------------------------------------------------------------------------------------------ the estimators
def fake_models(pose_ms: PoseTime, lockstep: Lockstep | None = None,
                missing: tuple[str, ...] = ()) -> tuple[Callable[[], PoseModels], dict[str, list[TimedEstimator]]]:
    """A `make` for PoseModels of TimedEstimators (variants in `missing` raise ModelError), and what it built."""
    built: dict[str, list[TimedEstimator]] = {}

    def make_variant(variant: str) -> TimedEstimator:
        if variant in missing:
            built.setdefault(variant, [])
            raise ModelError(f"The {variant} pose model is unavailable here.")
        estimator = TimedEstimator(variant, pose_ms, lockstep)
        built.setdefault(variant, []).append(estimator)
        return estimator

    return lambda: PoseModels(make_variant), built


def test_models_build_each_variant_once_and_remember_a_missing_one() -> None:
    make, built = fake_models(lambda variant, t_ms: 10.0, missing=("heavy",))
    models = make()
    assert models.variant == "full" and models.use("lite") and models.variant == "lite"
    assert models.use("full") and models.use("lite")
    assert [len(built[v]) for v in ("full", "lite")] == [1, 1]
    assert built["lite"][0].sessions_begun == 1  # taken up again: it forgets the person it tracked before
    assert not models.use("heavy") and not models.use("heavy") and models.variant == "lite"


def test_a_new_session_on_the_shared_models_starts_on_full_again() -> None:
    make, built = fake_models(lambda variant, t_ms: 10.0)
    shared = SharedEstimator(make)
    with shared.lend() as models:
        assert isinstance(models, PoseModels) and models.use("lite")
    with shared.lend() as models:
        assert models.variant == "full"
    assert built["lite"][0].sessions_begun == 1


# ------------------------------------------------------------------------------------------------ a live session
def run_camera(pose_ms: PoseTime, seconds: float, keep_up: bool = True, source_spec: str = "0",
               missing: tuple[str, ...] = ()) -> tuple[list[Any], dict[str, list[TimedEstimator]]]:
    """A follow-mode session of the tick circuit (a rep per second of frame time) over a fake 30 fps camera."""
    lockstep = Lockstep()
    camera = FakeCamera([picture(n) for n in range(round(seconds * 1000 / FRAME_MS))], lockstep=lockstep)
    make, built = fake_models(pose_ms, lockstep, missing)
    events: list[Any] = []
    moves = tick_moves()
    session = LiveSession(
        Settings(mode="follow"), lambda messages: events.extend(m for m in messages if not isinstance(m, bytes)),
        source_spec=source_spec, speed=0, keep_up=keep_up,
        make_circuit=lambda settings, on_set_done: Circuit(settings, moves, on_set_done=on_set_done),
        make_estimator=make, make_smoother=PassThroughSmoother,
        make_source=lambda spec: CameraSource(0, open_capture=camera, clock_ns=camera.clock, retry_s=0.001),
    )
    play_camera_script(session, camera, WAIT_S)
    return events, built


def frames_on(built: dict[str, list[TimedEstimator]], variant: str) -> list[int]:
    return [t for estimator in built.get(variant, []) for t in estimator.frames]


def reps_counted(events: list[Any]) -> list[int]:
    return [e.count for e in events if e.type == "rep"]


def test_live_session_switches_down_keeps_counting_and_switches_back() -> None:
    events, built = run_camera(busy_until(20_000), seconds=60)
    on_lite = frames_on(built, "lite")
    on_full = frames_on(built, "full")
    assert on_lite and min(on_lite) >= SLOW_FOR_MS and max(on_lite) < 40_000
    assert [t for t in on_full if min(on_lite) < t < max(on_lite)] == []  # one stretch on lite
    assert max(on_full) > max(on_lite)  # and back on full to the end
    reps = reps_counted(events)
    assert reps == list(range(1, len(reps) + 1)) and len(reps) >= 55  # one a second, never reset by a switch
    assert [t for t in (e.t_ms for e in events if e.type == "rep") if min(on_lite) < t < max(on_lite)]
    summary = next(e for e in events if e.type == "summary")
    assert summary.moves[0].sides["left"].reps == len(reps)
    said = [e for e in events if e.type == "warning" and e.warning_id == "faster_model"]
    assert [e.text for e in said] == [FASTER_MODEL]


def test_the_switch_down_is_said_once_a_session() -> None:
    events, built = run_camera(busy_every_other(20_000), seconds=90)
    on_lite = frames_on(built, "lite")
    assert [t for t in frames_on(built, "full") if t > min(on_lite)]  # down, up and down again at least
    assert sum(e.type == "warning" and e.warning_id == "faster_model" for e in events) == 1


def test_without_the_faster_model_it_says_so_once_and_stays_on_full() -> None:
    events, built = run_camera(lambda variant, t_ms: 40.0, seconds=20, missing=("lite",))
    assert built["lite"] == [] and len(frames_on(built, "full")) >= round(20_000 / FRAME_MS) - 1  # the last may
    # be left when the stop arrives
    said = [e for e in events if e.type == "warning" and e.warning_id in ("faster_model", "no_faster_model")]
    assert [e.warning_id for e in said] == ["no_faster_model"] and "lite" in said[0].text
    reps = reps_counted(events)
    assert reps == list(range(1, len(reps) + 1)) and len(reps) >= 18


@pytest.mark.parametrize(("keep_up", "source_spec"), [(False, "0"), (True, "clip.mp4")],
                         ids=["pinned by --model", "a file"])
def test_a_pinned_model_or_a_file_never_switches(keep_up: bool, source_spec: str) -> None:
    events, built = run_camera(lambda variant, t_ms: 40.0, seconds=10, keep_up=keep_up, source_spec=source_spec)
    assert "lite" not in built and len(frames_on(built, "full")) >= round(10_000 / FRAME_MS) - 1
    assert not [e for e in events if e.type == "warning" and "model" in e.warning_id]
