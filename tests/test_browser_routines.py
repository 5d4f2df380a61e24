"""The start sheet's routine editor in headless Chromium: pick the Warm-up, tick and reorder its moves with the
keyboard, set the seconds, save it under a new name, start it, and see the overlay, the summary and the history follow
it; the next visit preselects it. A hold long enough for a breath reminder has it spoken softly, and not when muted.

Screenshots go to test-artifacts/; UPDATE_SCREENSHOTS=1 refreshes docs/routine-editor.png (the README's picture).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

import pytest
from headless import chromium_page
from test_browser_overlay import REPO, SAMPLES, labels, serve, shot, summary_rows

pytestmark = pytest.mark.browser

CLIP = SAMPLES / "bridge_march_a.mp4"
HOLD_CLIP = SAMPLES / "hip_flexor_reach_right.mp4"  # an 11 s hold: one breath reminder 8 s in
PAGE_TIMEOUT_MS = 240_000  # two shared CPU cores run the pose model and the browser


def text(page, testid: str) -> str:
    return page.text_content(f'[data-testid="{testid}"]') or ""


def editor_order(page) -> list[tuple[str, bool]]:
    return page.eval_on_selector_all('[data-testid="editor-move"]', "rows => rows.map(r => [r.dataset.move, "
                                     "r.querySelector('input').checked])")


def test_edit_save_and_start_a_routine(tmp_path: Path) -> None:
    with serve(CLIP, tmp_path, speed=0) as url, chromium_page(900, timeout_ms=PAGE_TIMEOUT_MS) as page:
        page.goto(url)
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        assert page.input_value('[data-testid="routine-select"]') == "Full circuit"  # a first-time user
        page.select_option('[data-testid="routine-select"]', "Warm-up")
        assert text(page, "routine-moves") == "4 moves"
        assert page.locator('[data-testid="circuit-list"] li').all_text_contents() == [
            "90/90 hip switches", "Lunge with rotation", "Glute bridge marches", "Hamstring scoops"]
        page.click('[data-testid="edit-routine"]')
        assert page.get_attribute('[data-testid="edit-routine"]', "aria-expanded") == "true"
        page.uncheck('[data-testid="tick-lunge_rotation"]')
        page.uncheck('[data-testid="tick-hamstring_scoop"]')
        page.check('[data-testid="tick-hamstring_strap"]')
        # bridge marches to the top with the keyboard: focus stays on its "up" button between presses
        page.focus('[data-testid="up-bridge_march"]')
        page.keyboard.press("Enter")
        page.keyboard.press("Space")
        focused = page.evaluate("document.activeElement.dataset.testid")
        assert focused == "down-bridge_march"  # at the top "up" is disabled, so focus moved to "down"
        order = [move for move, on in editor_order(page) if on]
        assert order == ["bridge_march", "hip_90_90", "hamstring_strap"]
        assert text(page, "first-title") == "First up: Glute bridge marches"
        page.select_option('[data-testid="seconds"]', "45")
        page.check('[data-testid="mode-follow"]')
        page.fill('[data-testid="routine-name"]', "Bridges first")
        page.click('[data-testid="save-routine"]')
        page.wait_for_function("document.querySelector('[data-testid=\"routine-status\"]').textContent"
                               ".startsWith('Saved')")
        assert page.input_value('[data-testid="routine-select"]') == "Bridges first"
        page.evaluate("document.querySelector('[data-testid=\"routine\"]').scrollIntoView({block: 'start'})")
        editor = shot(page, "routine-editor.png")
        if os.environ.get("UPDATE_SCREENSHOTS"):
            shutil.copy(editor, REPO / "docs" / "routine-editor.png")
        with urllib.request.urlopen(f"{url}api/routines/Bridges%20first") as response:
            saved = json.load(response)
        assert saved == {"name": "Bridges first", "moves": ["bridge_march", "hip_90_90", "hamstring_strap"],
                         "rounds": 1, "seconds": 45, "per_side": False, "mode": "follow"}

        page.click('[data-testid="start-button"]')
        page.wait_for_function("window.__coach.moveId === 'bridge_march'")
        assert text(page, "move-index") == "Move 1 of 3"
        page.wait_for_selector('[data-testid="summary"][open]')
        assert text(page, "summary-duration").startswith("Bridges first: 1 move in ")
        rows = summary_rows(page)
        assert {move for move, _ in rows} == {"bridge_march"}
        for side, reps in labels(CLIP)["expected"]["bridge_march"]["reps"].items():
            assert rows[("bridge_march", side)]["reps"] == reps
        with urllib.request.urlopen(f"{url}api/history/sessions") as response:
            [session] = json.load(response)["sessions"]
        assert (session["routine"], session["routine_moves"]) == ("Bridges first", saved["moves"])

        page.reload()
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        assert page.input_value('[data-testid="routine-select"]') == "Bridges first"  # the last one used
        assert page.input_value('[data-testid="seconds"]') == "45"


@pytest.mark.parametrize("muted", [False, True], ids=["voice", "muted"])
def test_a_long_hold_gets_a_soft_breath_reminder_unless_muted(tmp_path: Path, muted: bool) -> None:
    with serve(HOLD_CLIP, tmp_path, speed=0) as url, chromium_page(720, timeout_ms=PAGE_TIMEOUT_MS) as page:
        page.goto(url)
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        page.select_option('[data-testid="routine-select"]', "Cooldown")
        page.check('[data-testid="mode-follow"]')
        if muted:
            page.evaluate("toggleMute()")
        page.click('[data-testid="start-button"]')
        page.wait_for_selector('[data-testid="summary"][open]')
        soft = page.evaluate("window.__softlySpoken")
        assert soft == ([] if muted else ["Breathe out slowly"])
        assert "Breathe out slowly" not in page.evaluate("window.__spoken") or not muted
