"""The history API the page reads: summary, sessions, one session, notes, export, and who may ask."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import history_fixture
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from coach.history.api import history_router


@pytest.fixture()
def client(tmp_path: Path) -> TestClient:
    history_fixture.build(tmp_path)
    app = FastAPI()
    app.include_router(history_router(tmp_path))
    return TestClient(app, base_url="http://127.0.0.1:8000")


def test_summary_for_a_fixed_day(client: TestClient) -> None:
    response = client.get("/api/history/summary", params={"today": "2025-06-15"})
    assert response.status_code == 200
    body = response.json()
    assert body["notes"][0]["text"] == "Left hip flexor hold 20% shorter than right over the last 2 weeks"
    assert body["calendar"]["streak_days"] == 4
    flexor = next(b for b in body["balance"] if b["move_id"] == "hip_flexor_reach")
    assert (flexor["hold_diff_pct"], body["imbalance_pct"]) == (20, 15)
    assert body["titles"]["hip_flexor_reach"] == "Hip flexor"


def test_since_bounds_balance_and_trends(client: TestClient) -> None:
    body = client.get("/api/history/summary", params={"today": "2025-06-15", "since": "2025-06-14"}).json()
    assert (body["balance_since"], body["trend_since"]) == ("2025-06-14", "2025-06-14")
    strap = next(t for t in body["rom_trend"] if t["move_id"] == "hamstring_strap")
    assert [p["date"] for p in strap["series"]["left"]] == ["2025-06-14", "2025-06-15"]


def test_sessions_newest_first_and_one_session(client: TestClient) -> None:
    sessions = client.get("/api/history/sessions", params={"since": "2025-06-13"}).json()["sessions"]
    assert [s["id"] for s in sessions] == [28, 27, 26]
    one = client.get("/api/history/sessions/28").json()
    assert len(one["sets"]) == 11
    assert one["sets"][0]["move_id"] == "hip_90_90"
    assert client.get("/api/history/sessions/99").status_code == 404


def test_note_can_be_set_and_cleared(client: TestClient) -> None:
    response = client.put("/api/history/sessions/28/note", json={"note": "after-run"})
    assert response.status_code == 200 and response.json()["note"] == "after-run"
    assert client.put("/api/history/sessions/28/note", json={"note": None}).json()["note"] is None
    assert client.put("/api/history/sessions/28/note", json={"note": "nap"}).status_code == 422
    assert client.put("/api/history/sessions/99/note", json={"note": "rest-day"}).status_code == 404


def test_other_origins_and_hosts_are_refused(client: TestClient) -> None:
    other_page = {"origin": "http://evil.example"}
    assert client.put("/api/history/sessions/28/note", json={"note": None}, headers=other_page).status_code == 403
    assert client.get("/api/history/sessions", headers={"host": "rebound.example:8000"}).status_code == 403


def test_csv_export_download(client: TestClient) -> None:
    response = client.get("/api/history/export", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="stride-coach-history.csv"'
    assert len(list(csv.DictReader(io.StringIO(response.text)))) == 28 * 11


def test_unusable_data_dir_is_a_503_with_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    app = FastAPI()
    app.include_router(history_router(blocker))
    response = TestClient(app, base_url="http://localhost").get("/api/history/summary")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("Cannot open the history database at")


def test_routine_filter_and_notes_compare_like_with_like(client: TestClient, tmp_path: Path) -> None:
    history_fixture.add_warm_ups(tmp_path, (date(2025, 6, 13), date(2025, 6, 15)))
    everything = client.get("/api/history/summary", params={"today": "2025-06-15"}).json()
    assert everything["routines"] == ["Full circuit", "Warm-up"]
    assert everything["notes"][-1]["text"] == ("11 sessions over the last 2 weeks (9 Full circuit, 2 Warm-up): "
                                               "6 after runs, 3 on rest days")
    warm = client.get("/api/history/summary", params={"today": "2025-06-15", "routine": "Warm-up"}).json()
    assert warm["routine"] == "Warm-up" and warm["routines"] == ["Full circuit", "Warm-up"]
    assert warm["notes"][-1]["text"] == "2 Warm-up sessions over the last 2 weeks"
    assert warm["calendar"]["sessions_last_7_days"] == 2
    assert {b["move_id"] for b in warm["balance"]} == set(history_fixture.WARM_UP)
    rows = client.get("/api/history/sessions", params={"routine": "Warm-up"}).json()["sessions"]
    assert [(r["routine"], r["routine_moves"], r["set_count"]) for r in rows] == [
        ("Warm-up", list(history_fixture.WARM_UP), 4)] * 2
    circuits = client.get("/api/history/sessions", params={"routine": "Full circuit"}).json()["sessions"]
    assert len(circuits) == 28 and circuits[0]["routine_moves"][-1] == "hamstring_strap"
