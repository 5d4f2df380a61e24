"""Routines through the server: the HTTP API's create/read/delete, presets that stay, the hello a first-time user gets,
a start with a routine recorded in the history and preselected next time, and a corrupted store told to the tabs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coach.events import EVENT_ADAPTER, Settings
from coach.moves import MOVE_IDS
from coach.routines import ROUTINES_FILENAME
from coach.server import ServeConfig, create_app

BASE = "http://127.0.0.1:8000"
MINE = {"name": "Bridge and strap", "moves": ["hamstring_strap", "bridge_march"], "rounds": 1, "seconds": 40,
        "per_side": True, "mode": "follow"}
PRESETS = ["Full circuit", "Warm-up", "Cooldown", "Quick one round"]
WARM_UP_45 = {"name": "Warm-up", "moves": ["hip_90_90", "lunge_rotation", "bridge_march", "hamstring_scoop"],
              "rounds": 1, "seconds": 45, "per_side": False, "mode": "follow"}


def client_for(data_dir: Path, source: Path | None = None, **config: Any) -> TestClient:
    served = ServeConfig(source_spec=str(source) if source else None, source_kind="file" if source else "none",
                         speed=0, history_dir=str(data_dir), **config)
    return TestClient(create_app(served), base_url=BASE)


def names(client: TestClient) -> list[str]:
    return [r["name"] for r in client.get("/api/routines").json()["routines"]]


def test_crud_through_the_api(tmp_path: Path) -> None:
    with client_for(tmp_path) as client:
        listing = client.get("/api/routines").json()
        assert ([r["name"] for r in listing["routines"]], listing["builtin"], listing["last_used"]) == (
            PRESETS, 4, "Full circuit")
        saved = client.post("/api/routines", content=json.dumps(MINE))
        assert saved.status_code == 200 and saved.json() == {"routine": MINE, "replaced": False}
        assert client.post("/api/routines", content=json.dumps({**MINE, "seconds": 60})).json()["replaced"] is True
        assert client.get("/api/routines/bridge and strap").json()["seconds"] == 60
        assert names(client) == [*PRESETS, "Bridge and strap"]
        assert client.delete("/api/routines/Bridge and strap").json() == {"deleted": "Bridge and strap"}
        assert names(client) == PRESETS
        missing = client.get("/api/routines/Bridge and strap")
        assert missing.status_code == 404 and missing.json()["detail"].startswith("There is no routine named")
    assert json.loads((tmp_path / ROUTINES_FILENAME).read_text())["routines"] == []


@pytest.mark.parametrize(("body", "sentence"), [
    ({**MINE, "moves": ["hamstring_strap", "cartwheel"]}, "Not a valid routine: moves: 'cartwheel' is not one of"),
    ({**MINE, "seconds": 90}, "Not a valid routine: seconds: must be from 30 to 60, not 90."),
    ({**MINE, "rounds": 3}, "Not a valid routine: rounds: must be 1 or 2, not 3."),
    ({**MINE, "moves": ["bridge_march", "bridge_march"]}, "Not a valid routine: moves: bridge_march appears more"),
    ("{nope", "The file is not valid JSON"),
])
def test_invalid_routines_are_refused_and_nothing_changes(tmp_path: Path, body: Any, sentence: str) -> None:
    with client_for(tmp_path) as client:
        client.post("/api/routines", content=json.dumps(MINE))
        before = (tmp_path / ROUTINES_FILENAME).read_bytes()
        response = client.post("/api/routines", content=body if isinstance(body, str) else json.dumps(body))
        assert response.status_code == 422 and response.json()["detail"].startswith(sentence)
        assert (tmp_path / ROUTINES_FILENAME).read_bytes() == before


@pytest.mark.parametrize("name", PRESETS)
def test_presets_cannot_be_deleted_or_replaced_through_the_api(tmp_path: Path, name: str) -> None:
    with client_for(tmp_path) as client:
        deleted = client.delete(f"/api/routines/{name}")
        assert deleted.status_code == 409 and "built-in routine and cannot be deleted" in deleted.json()["detail"]
        replaced = client.post("/api/routines", content=json.dumps({**MINE, "name": name.upper()}))
        assert replaced.status_code == 409 and "is a built-in routine" in replaced.json()["detail"]
        assert names(client) == PRESETS


def test_only_the_coach_page_may_change_routines(tmp_path: Path) -> None:
    with client_for(tmp_path) as client:
        foreign = client.post("/api/routines", content=json.dumps(MINE), headers={"origin": "http://evil.example"})
        assert foreign.status_code == 403
        rebound = client.get("/api/routines", headers={"host": "evil.example:8000"})
        assert rebound.status_code == 403
        assert names(client) == PRESETS


def test_a_first_time_user_gets_the_full_circuit_as_before(tmp_path: Path) -> None:
    with client_for(tmp_path, settings=Settings(rounds=2, seconds=45)) as client, client.websocket_connect("/ws") as ws:
        hello = EVENT_ADAPTER.validate_json(ws.receive_text())
    assert (hello.routine, hello.builtin_routines) == ("Full circuit", 4)
    assert [r.name for r in hello.routines] == PRESETS
    assert hello.routines[0].moves == list(MOVE_IDS)
    assert hello.settings == Settings(rounds=2, seconds=45)  # `coach serve --rounds 2 --seconds 45` still shapes it


def receive_until(ws: Any, stop_type: str) -> list[Any]:
    events = []
    while True:
        message = ws.receive()
        if message.get("text") is None:
            continue
        events.append(EVENT_ADAPTER.validate_json(message["text"]))
        if events[-1].type == stop_type:
            return events


def test_a_started_routine_is_recorded_and_preselected_next_time(tmp_path: Path, make_video) -> None:
    video = make_video("grey.mp4", 20)
    with client_for(tmp_path, video) as client:
        client.post("/api/routines", content=json.dumps(MINE))
        with client.websocket_connect("/ws") as ws:
            ws.receive_text()
            ws.send_text(json.dumps({"type": "start", "routine": MINE}))
            receive_until(ws, "summary")
        [session] = client.get("/api/history/sessions").json()["sessions"]
        assert (session["routine"], session["routine_moves"]) == ("Bridge and strap", MINE["moves"])
        assert (session["rounds"], session["set_seconds"]) == (1, 40)
        assert client.get("/api/routines").json()["last_used"] == "Bridge and strap"
    with client_for(tmp_path, video) as client, client.websocket_connect("/ws") as ws:  # a new server run
        hello = EVENT_ADAPTER.validate_json(ws.receive_text())
    assert hello.routine == "Bridge and strap"
    assert hello.settings == Settings(seconds=40, per_side=True, mode="follow")


def test_a_corrupted_store_is_told_to_the_tabs_and_set_aside(tmp_path: Path) -> None:
    (tmp_path / ROUTINES_FILENAME).write_text('{"version": 1, "routines": [{"name": "x"')
    with client_for(tmp_path) as client, client.websocket_connect("/ws") as ws:
        hello = EVENT_ADAPTER.validate_json(ws.receive_text())
        warning = EVENT_ADAPTER.validate_json(ws.receive_text())
    assert hello.routine == "Full circuit" and [r.name for r in hello.routines] == PRESETS
    assert warning.type == "warning" and warning.warning_id == "routines_set_aside"
    assert warning.text.startswith("Your saved routines could not be read (")
    [kept] = tmp_path.glob(f"{ROUTINES_FILENAME}.corrupt-*")
    assert kept.read_text() == '{"version": 1, "routines": [{"name": "x"'


def test_an_unsaved_edit_runs_but_the_last_saved_choice_stays(tmp_path: Path, make_video) -> None:
    video = make_video("grey.mp4", 10)
    edited = {**MINE, "name": "Warm-up (edited)", "moves": ["bridge_march"]}
    with client_for(tmp_path, video) as client:
        with client.websocket_connect("/ws") as ws:
            ws.receive_text()
            ws.send_text(json.dumps({"type": "start", "routine": {**WARM_UP_45}}))  # a preset, retimed
            receive_until(ws, "summary")
            ws.send_text(json.dumps({"type": "start", "routine": edited}))
            receive_until(ws, "summary")
        sessions = client.get("/api/history/sessions").json()["sessions"]
        assert [(s["routine"], s["routine_moves"]) for s in sessions] == [
            ("Warm-up (edited)", ["bridge_march"]), ("Warm-up", WARM_UP_45["moves"])]
        assert client.get("/api/routines").json()["last_used"] == "Warm-up"
