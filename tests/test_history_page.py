"""The history page in headless Chromium, fed by a fixture database through the history router alone.

Set UPDATE_SCREENSHOTS=1 to refresh docs/history.png (the README's picture) from this run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import history_fixture
import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from headless import chromium_page, serve_app

from coach.history.api import history_router

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small app with only the history router and web/."""
    data_dir = tmp_path_factory.mktemp("history")
    history_fixture.build(data_dir)
    app = FastAPI()
    app.include_router(history_router(data_dir))
    app.mount("/", StaticFiles(directory=REPO / "web", html=True), name="web")
    with serve_app(lambda _port: app, lifespan="off") as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url: str):
    with chromium_page(900) as page:
        page.goto(f"{base_url}/history.html?today=2025-06-15")
        page.wait_for_selector("body[data-ready=true]")
        yield page


def test_rhythm_and_calendar(page) -> None:
    assert page.text_content("#streak") == "4"
    assert page.text_content("#week") == "5"
    assert page.locator("#calendar rect.day").count() == 56
    days = history_fixture.session_days()
    after_runs = sum(1 for _, note in days if note == "after-run")
    assert page.locator("#calendar rect.after-run").count() == after_runs
    assert page.locator("#calendar rect.rest-day").count() == len(days) - after_runs
    assert page.get_attribute("#calendar rect.today", "data-date") == "2025-06-15"


def test_notes(page) -> None:
    assert page.locator("#notes li").all_text_contents() == [
        "Left hip flexor hold 20% shorter than right over the last 2 weeks",
        "9 sessions over the last 2 weeks: 6 after runs, 3 on rest days",
    ]


def test_balance_bars(page) -> None:
    rows = page.locator(".balance-row")
    assert rows.count() == 7  # five rep moves and two hold moves, one row each
    flexor = page.locator('.balance-row[data-move="hip_flexor_reach"]')
    assert "uneven" in (flexor.get_attribute("class") or "")
    left = flexor.locator("rect.bar.left")
    right = flexor.locator("rect.bar.right")
    assert (left.get_attribute("data-value"), right.get_attribute("data-value")) == ("180", "225")
    assert float(left.get_attribute("width")) / float(right.get_attribute("width")) == pytest.approx(0.8)
    assert page.locator(".balance-row.uneven").count() == 1
    assert left.bounding_box()["width"] > 100  # drawn at a readable size, not just present in the DOM


def test_rom_trend_charts(page) -> None:
    charts = page.locator(".trend")
    assert charts.count() == 7
    strap = page.locator('.trend[data-move="hamstring_strap"]')
    assert strap.locator(".unit").text_content() == "leg raise (°)"
    assert strap.locator("polyline.series").count() == 2
    assert strap.locator("polyline.left").get_attribute("data-points") == "28"
    first, *_, last = strap.locator("polyline.left").get_attribute("points").split()
    assert float(last.split(",")[1]) < float(first.split(",")[1])  # range improved, so the line rises
    assert page.locator('.trend[data-move="hip_90_90"] polyline.series').count() == 2


def test_screenshot_then_tag_a_session(page, base_url: str, tmp_path: Path) -> None:
    shot = tmp_path / "history.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    if os.environ.get("UPDATE_SCREENSHOTS"):
        (REPO / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, REPO / "docs" / "history.png")

    rows = page.locator("#sessions tr")
    assert rows.count() == 10
    newest = page.locator('#sessions tr[data-session="28"]')
    assert newest.locator("button.rest-day").get_attribute("aria-pressed") == "true"
    newest.locator("button.after-run").click()
    page.wait_for_selector('#sessions tr[data-session="28"] button.after-run[aria-pressed="true"]')
    assert page.get_attribute('#calendar rect[data-date="2025-06-15"]', "class") == "day after-run today"


def test_filter_by_routine(page, base_url: str, tmp_path: Path) -> None:
    """On another history (the fixture plus two warm-ups), in the module's browser page, which goes back after."""
    history_fixture.build(tmp_path)
    history_fixture.add_warm_ups(tmp_path, (date(2025, 6, 13), date(2025, 6, 15)))
    app = FastAPI()
    app.include_router(history_router(tmp_path))
    app.mount("/", StaticFiles(directory=REPO / "web", html=True), name="web")
    with serve_app(lambda _port: app, lifespan="off") as url:
        page.goto(f"{url}/history.html?today=2025-06-15")
        page.wait_for_selector("body[data-ready=true]")
        assert page.locator("#notes li").last.text_content() == (
            "11 sessions over the last 2 weeks (9 Full circuit, 2 Warm-up): 6 after runs, 3 on rest days")
        page.evaluate("document.body.dataset.ready = ''")
        page.select_option('[data-testid="routine-filter"]', "Warm-up")
        page.wait_for_selector("body[data-ready=true]")
        assert page.locator("#notes li").last.text_content() == "2 Warm-up sessions over the last 2 weeks"
        assert page.locator("#sessions tr td:nth-child(3)").all_text_contents() == ["Warm-up", "Warm-up"]
        assert "routine=Warm-up" in page.url
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        assert page.input_value('[data-testid="routine-filter"]') == "Warm-up"
    page.goto(f"{base_url}/history.html?today=2025-06-15")
    page.wait_for_selector("body[data-ready=true]")
