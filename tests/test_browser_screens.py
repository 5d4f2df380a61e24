"""The overlay's one responsive layout at phone, tablet, laptop and TV sizes, in headless Chromium.

One page follows a sample clip played by the server while the viewport is resized through the sizes, so every size
is judged on a live set: the camera picture with its skeleton, counted reps, the cue and the controls.
Screenshots go to test-artifacts/; set UPDATE_SCREENSHOTS=1 to refresh docs/screen-<w>x<h>.png (the README's).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from headless import chromium_page, serve_app

from coach.events import Settings
from coach.server import ServeConfig, create_app

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CLIP = REPO / "sample_videos" / "bridge_march_a.mp4"
SIZES = [(390, 844), (844, 390), (768, 1024), (1280, 720), (1920, 1080), (3840, 2160)]
DOCS_SIZES = SIZES[:-1]  # a 4K screenshot is only checked, not committed (it would be several MB)
PAGE_TIMEOUT_MS = 240_000  # two shared CPU cores run the pose model and the browser
MIN_PICTURE_FILL = 0.6  # the camera picture spans at least this share of its area's width or height
# Readable from 3 m: a 1080p TV of 55" shows 1 px as 0.63 mm and 3 m needs letters of about 15 mm, i.e. ~3% of the
# screen height; we ask 4% of the viewport's short side for words and 10% for the count itself.
MIN_WORDS_SHARE = 0.04
MIN_COUNT_SHARE = 0.10
MIN_CUE_WIDTH_SHARE = 0.5  # the cue line keeps at least half the screen's width next to the controls
CONTROLS = ("pause-button", "next-button", "mute-button", "stop-button", "analyse-link", "history-link")

MEASURE_JS = """() => {
    const W = innerWidth, H = innerHeight;
    const byId = (id) => document.querySelector(`[data-testid="${id}"]`);
    const outside = [...document.querySelectorAll("body *")].filter((el) => {
        if (el.closest("dialog:not([open])")) return false;
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && (r.right > W + 1 || r.left < -1);
    }).map((el) => el.dataset.testid || el.className || el.tagName);
    const view = byId("view");
    const stage = view.parentElement.getBoundingClientRect();
    const box = view.getBoundingClientRect();
    const scale = Math.min(box.width / view.width, box.height / view.height);  // object-fit: contain
    const font = (id) => {
        const el = byId(id);
        return el.getClientRects().length ? parseFloat(getComputedStyle(el).fontSize) : null;
    };
    return {
        scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), width: W, height: H,
        outside, fill: Math.max(view.width * scale / stage.width, view.height * scale / stage.height),
        stage: [stage.width, stage.height], cueShare: byId("cue").getBoundingClientRect().width / W,
        fonts: {count: font("rep-count") ?? font("hold-seconds"), side: font("side"), cue: font("cue")},
    };
}"""


def check_sheet(page, sheet: str, button: str) -> None:
    """An open sheet fits the screen (scrolling inside when taller) and its main button can be reached and clicked."""
    box = page.locator(f'[data-testid="{sheet}"]').bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (sheet, box, width)
    assert box["y"] >= 0 and box["y"] + box["height"] <= height + 1, (sheet, box, height)
    assert page.eval_on_selector(f'[data-testid="{sheet}"]', "s => s.scrollWidth <= s.clientWidth + 1")
    target = page.locator(f'[data-testid="{button}"]')
    target.scroll_into_view_if_needed()
    target.click(trial=True)  # visible, enabled and not covered by anything


def check_layout(page, width: int, height: int) -> dict[str, Any]:
    found = page.evaluate(MEASURE_JS)
    assert found["scrollWidth"] <= width, f"horizontal overflow at {width}x{height}: {found}"
    assert found["outside"] == [], f"cut off at the sides at {width}x{height}: {found['outside']}"
    assert found["fill"] >= MIN_PICTURE_FILL, f"camera picture too small at {width}x{height}: {found}"
    short_px = min(width, height)
    assert found["fonts"]["count"] >= MIN_COUNT_SHARE * short_px, found
    assert found["fonts"]["cue"] >= MIN_WORDS_SHARE * short_px, found
    assert found["fonts"]["side"] >= MIN_WORDS_SHARE * short_px, found
    assert found["cueShare"] >= MIN_CUE_WIDTH_SHARE, f"the cue is squeezed at {width}x{height}: {found}"
    for control in CONTROLS:
        target = page.locator(f'[data-testid="{control}"]')
        box = target.bounding_box()
        assert box is not None, control
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (control, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= height + 1, (control, box)
        target.click(trial=True)
    return found


def shot(page, name: str, commit: bool) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    if os.environ.get("UPDATE_SCREENSHOTS") and commit:
        shutil.copy(path, REPO / "docs" / name)


def test_every_screen_size(tmp_path: Path) -> None:
    def make_app(port: int) -> Any:
        return create_app(ServeConfig(source_spec=str(CLIP), source_kind="file", source_name=CLIP.name, speed=1.0,
                                      settings=Settings(mode="follow"), port=port, history_dir=str(tmp_path)))

    width, height = SIZES[0]
    with serve_app(make_app) as url, chromium_page(height, width=width, timeout_ms=PAGE_TIMEOUT_MS) as page:
        page.goto(f"{url}/")
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            check_sheet(page, "start-sheet", "start-button")
        page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        page.check('[data-testid="mode-follow"]')
        page.click('[data-testid="start-button"]')
        # mid-set: the second rep is counted, the side and a cue are showing
        page.wait_for_function("Number(document.querySelector('[data-testid=\"rep-count\"]').textContent) >= 2"
                               " && document.querySelector('[data-testid=\"side\"]').textContent !== ''")
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            shot(page, f"screen-{width}x{height}.png", commit=(width, height) in DOCS_SIZES)
            check_layout(page, width, height)
        page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        page.wait_for_selector('[data-testid="summary"][open]')
        check_sheet(page, "summary", "again-button")
