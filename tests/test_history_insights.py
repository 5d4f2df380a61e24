"""Insights on the eight-week fixture: rhythm, balance, ROM trends and the notes' exact wording."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import history_fixture
import pytest
from history_fixture import TODAY, FakeSummary

from coach.history import HistoryStore, SetRecord, insights


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> dict:
    data_dir = tmp_path_factory.mktemp("history")
    assert history_fixture.build(data_dir) == 28
    with HistoryStore.open(data_dir) as store:
        return insights.summarize(store, TODAY)


def test_notes_name_the_imbalance_and_the_rhythm(summary: dict) -> None:
    assert [n["text"] for n in summary["notes"]] == [
        "Left hip flexor hold 20% shorter than right over the last 2 weeks",
        "9 sessions over the last 2 weeks: 6 after runs, 3 on rest days",
    ]
    assert summary["notes"][0]["move_id"] == "hip_flexor_reach"


def test_calendar_and_streak(summary: dict) -> None:
    cal = summary["calendar"]
    assert cal["first"] == "2025-04-21"  # the Monday eight weeks back
    assert len(cal["days"]) == 56
    assert (cal["streak_days"], cal["longest_streak_days"], cal["sessions_last_7_days"]) == (4, 4, 5)
    by_date = {d["date"]: d for d in cal["days"]}
    assert by_date["2025-06-15"]["notes"] == ["rest-day"]
    assert by_date["2025-06-14"]["notes"] == ["after-run"]
    assert by_date["2025-06-09"]["sessions"] == 0


def test_balance_over_the_last_two_weeks(summary: dict) -> None:
    assert summary["balance_since"] == "2025-06-02"
    by_move = {b["move_id"]: b for b in summary["balance"]}
    assert list(by_move) == list(history_fixture.MOVE_IDS)
    assert by_move["hip_flexor_reach"]["hold_s"] == {"left": 180.0, "right": 225.0}  # 9 sessions x 20 s / 25 s
    assert by_move["hamstring_strap"]["hold_s"] == {"left": 243.0, "right": 243.0}
    assert by_move["bridge_march"]["reps"] == {"left": 45, "right": 45}
    assert by_move["lunge_rotation"]["sets"] == 18


def test_rom_trend_has_one_point_per_session_and_side(summary: dict) -> None:
    strap = next(t for t in summary["rom_trend"] if t["move_id"] == "hamstring_strap")
    assert strap["rom_name"] == "leg_raise_deg"
    left = strap["series"]["left"]
    assert len(left) == 28 and len(strap["series"]["right"]) == 28
    assert (left[0]["date"], left[0]["value"], left[-1]["value"]) == ("2025-04-24", 62.0, 72.0)
    assert all(a["value"] <= b["value"] for a, b in pairwise(left))


def test_streak_counts_yesterday_until_today_is_done() -> None:
    days = {date(2025, 6, 12), date(2025, 6, 13), date(2025, 6, 14), date(2025, 6, 1), date(2025, 6, 2)}
    assert insights.streaks(days, date(2025, 6, 15)) == (3, 3)
    assert insights.streaks(days, date(2025, 6, 16)) == (0, 3)


def _two_sessions(tmp_path: Path, left: FakeSummary, right: FakeSummary) -> list[insights.SessionData]:
    with HistoryStore.open(tmp_path) as store:
        for day in (TODAY - timedelta(days=3), TODAY):
            session_id = store.start_session(rounds=1, set_seconds=30, started_at=f"{day}T07:00:00+00:00")
            store.add_set(session_id, SetRecord.from_summary(left.move_id, "left", 1, left))
            store.add_set(session_id, SetRecord.from_summary(right.move_id, "right", 1, right))
        return insights.load(store)


def test_rep_imbalance_note_and_the_balanced_case(tmp_path: Path) -> None:
    data = _two_sessions(
        tmp_path / "a",
        FakeSummary("hamstring_scoop", reps={"left": 5}),
        FakeSummary("hamstring_scoop", reps={"right": 4}),
    )
    assert (
        insights.notes(data, TODAY)[0]["text"]
        == "Right hamstring scoop: 20% fewer reps than left over the last 2 weeks"
    )
    data = _two_sessions(
        tmp_path / "b",
        FakeSummary("hamstring_strap", hold_ms={"left": 30_000}),
        FakeSummary("hamstring_strap", hold_ms={"right": 27_000}),
    )
    assert [n["text"] for n in insights.notes(data, TODAY)] == [
        "Left and right within 15% over the last 2 weeks",
        "2 sessions over the last 2 weeks",
    ]


def test_one_session_is_not_enough_for_a_balance_note(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path) as store:
        session_id = store.start_session(rounds=1, set_seconds=30, started_at=f"{TODAY}T07:00:00+00:00")
        for side, hold_ms in (("left", 10_000), ("right", 30_000)):
            store.add_set(session_id, SetRecord("hip_flexor_reach", side, 1, 0, 30_000, hold_ms={side: hold_ms}))
        data = insights.load(store)
    assert [n["kind"] for n in insights.notes(data, TODAY)] == ["rhythm"]


def test_no_recent_sessions_suggests_a_small_restart() -> None:
    assert insights.notes([], TODAY) == [
        {
            "kind": "rhythm",
            "move_id": "",
            "text": "No sessions over the last 2 weeks: one round of 30 s per move is a good restart",
        }
    ]
