"""Move demos in headless Chromium: the start sheet loops the first move, and every get-ready phase of the guided
circuit loops the move that comes next (skipped through with the n key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from headless import chromium_page, serve_app

from coach.events import Settings
from coach.moves import MOVE_IDS
from coach.server import ServeConfig, create_app

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO / "sample_videos" / "circuit_full.mp4"
DEMOS = REPO / "web" / "demos"
MAX_DEMOS_BYTES = 5_000_000
PAGE_TIMEOUT_MS = 120_000

PLAYING_JS = """([testid, moveId]) => {
    const v = document.querySelector(`[data-testid="${testid}"]`);
    return v.src.endsWith(`/demos/${moveId}.mp4`) && !v.paused && v.readyState >= 2 && v.currentTime > 0;
}"""


def test_demos_are_small_and_one_per_move() -> None:
    assert sorted(p.stem for p in DEMOS.glob("*.mp4")) == sorted(MOVE_IDS)
    assert sum(p.stat().st_size for p in DEMOS.glob("*.mp4")) < MAX_DEMOS_BYTES


def test_each_get_ready_plays_the_next_moves_demo(tmp_path: Path) -> None:
    def make_app(port: int) -> Any:
        return create_app(ServeConfig(source_spec=str(CLIP), source_kind="file", source_name=CLIP.name, speed=1.0,
                                      settings=Settings(mode="timed"), port=port, history_dir=str(tmp_path)))

    args = ("--autoplay-policy=no-user-gesture-required",)
    with serve_app(make_app) as url, chromium_page(720, args, PAGE_TIMEOUT_MS) as page:
        page.goto(f"{url}/")
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        page.wait_for_function(PLAYING_JS, arg=["sheet-demo", MOVE_IDS[0]])
        assert page.locator('[data-testid="circuit-list"] li').count() == len(MOVE_IDS)
        page.click('[data-testid="start-button"]')
        for move_id in MOVE_IDS:
            page.wait_for_function(f"window.__coach.moveId === '{move_id}' && window.__coach.state === 'get_ready'")
            page.wait_for_selector('[data-testid="setup-help"]:not([hidden])')
            page.wait_for_function(PLAYING_JS, arg=["setup-demo", move_id])
            assert page.text_content('[data-testid="setup-tip"]')  # the one-line set-up tip is beside it
            if move_id == MOVE_IDS[1]:
                page.screenshot(path=str(REPO / "test-artifacts" / "get-ready-demo.png"))
            page.keyboard.press("n")
