"""The wire schema: every event round-trips through its discriminated union; controls reject bad input."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from coach.events import (
    CONTROL_ADAPTER,
    EVENT_ADAPTER,
    SCHEMA_VERSION,
    ErrorEvent,
    HoldEvent,
    MoveEvent,
    MoveInfo,
    MoveSummaryOut,
    PoseEvent,
    RepEvent,
    Settings,
    SideSummary,
    StateEvent,
    SummaryEvent,
    dump,
)

INFO = MoveInfo(move_id="bridge_march", title="Glute bridge marches", kind="reps", one_sided=False,
                setup_tip="Lie on your back")


@pytest.mark.parametrize("event", [
    PoseEvent(t_ms=33, frame_index=1, image_size=(640, 480), points=[(0.5, 0.25), None],
              joint_status={25: "attention"}, form_ok=False, captured_wall_ms=1.5),
    RepEvent(t_ms=1000, move_id="bridge_march", side="left", count=3, rom_value=41.5, rom_name="knee_lift_deg"),
    HoldEvent(t_ms=2000, move_id="hamstring_strap", side="right", holding=True, hold_ms=4000),
    MoveEvent(move=INFO, index=2, moves_in_routine=7, round=1, rounds=2),
    StateEvent(state="paused", mode="timed", move_id="bridge_march", time_left_ms=12000, reps={"left": 2}),
    SummaryEvent(rounds=1, duration_s=300.0, moves=[MoveSummaryOut(
        move_id="bridge_march", title="Glute bridge marches", sides={"left": SideSummary(reps=4, rom=[40.0])})]),
    ErrorEvent(code="bad_json", message="That message was not valid JSON."),
])
def test_events_round_trip_by_type(event):
    wire = dump(event)
    back = EVENT_ADAPTER.validate_json(wire)
    assert type(back) is type(event)
    assert back == event
    assert back.schema_version == SCHEMA_VERSION


def test_json_keys_carry_type_and_version():
    data = RepEvent(move_id="x", side="both", count=1).model_dump(mode="json")
    assert data["type"] == "rep" and data["schema_version"] == SCHEMA_VERSION


def test_controls_validate():
    start = CONTROL_ADAPTER.validate_json('{"type": "start", "source": "browser", "settings": {"rounds": 2}}')
    assert start.source == "browser" and start.settings == Settings(rounds=2)
    with pytest.raises(ValidationError):
        CONTROL_ADAPTER.validate_json('{"type": "explode"}')
    with pytest.raises(ValidationError):
        CONTROL_ADAPTER.validate_json('{"type": "settings", "settings": {"seconds": 5}}')
    with pytest.raises(ValidationError):
        CONTROL_ADAPTER.validate_json('{"type": "pause", "extra": 1}')
