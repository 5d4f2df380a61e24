"""The overlay in headless Chromium against the real server: a sample video played by the server, and a sample clip
fed to the page as its own (fake) camera. Counters must reach the clip's labels and the summary must appear.

Screenshots go to test-artifacts/; set UPDATE_SCREENSHOTS=1 to refresh docs/overlay.png (the README's picture).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from headless import chromium_page, serve_app

from coach.events import Settings
from coach.moves import MOVE_IDS
from coach.server import ServeConfig, create_app

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_videos"
ARTIFACTS = REPO / "test-artifacts"
REPS_CLIP = SAMPLES / "bridge_march_a.mp4"
HOLD_CLIP = SAMPLES / "hamstring_strap_a.mp4"
HOLD_TOLERANCE_S = 1
PAGE_TIMEOUT_MS = 240_000  # generous: two shared CPU cores run the pose model and the browser


def labels(clip: Path) -> dict:
    return json.loads(clip.with_suffix(".json").read_text())


@contextmanager
def serve(clip: Path, data_dir: Path, speed: float) -> Iterator[str]:
    """The coach playing `clip`; yields the overlay's URL."""

    def make_app(port: int) -> Any:
        # the full model pinned: the labels' counts are the full model's, and on a loaded machine the browser
        # camera's automatic switch would move to the lite model (the switch has its own tests)
        return create_app(ServeConfig(source_spec=str(clip), source_kind="file", source_name=clip.name, speed=speed,
                                      settings=Settings(mode="follow"), port=port, history_dir=str(data_dir),
                                      model="full"))

    with serve_app(make_app) as base_url:
        yield f"{base_url}/"


def browser_page(extra_args: tuple[str, ...] = ()) -> AbstractContextManager[Any]:
    """A 1280 x 720 page that may play media without a click, with the generous timeout."""
    return chromium_page(720, ("--autoplay-policy=no-user-gesture-required", *extra_args), PAGE_TIMEOUT_MS)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def wait_for_counts(page, move_id: str, expected: dict) -> None:
    """Until the overlay has shown the labelled reps and hold seconds of every side (peak values per move)."""
    reps = expected.get("reps", {})
    holds = {side: s for side, s in expected.get("hold_s", {}).items() if s > 0}
    page.wait_for_function(
        """([move, reps, holds, tol]) => {
            const peak = (window.__peak || {})[move] || {};
            const get = (side) => peak[side] || {reps: 0, hold_s: 0};
            return Object.entries(reps).every(([side, n]) => get(side).reps >= n)
                && Object.entries(holds).every(([side, s]) => get(side).hold_s >= s - tol);
        }""",
        arg=[move_id, reps, holds, HOLD_TOLERANCE_S],
    )


def summary_rows(page) -> dict[tuple[str, str], dict]:
    rows = page.locator('[data-testid="summary-row"]')
    out = {}
    for i in range(rows.count()):
        data = rows.nth(i).evaluate("tr => ({...tr.dataset})")
        out[(data["move"], data["side"])] = {"reps": int(data["reps"]), "hold_s": float(data["hold"])}
    return out


def assert_summary_matches(page, expected: dict) -> None:
    page.wait_for_selector('[data-testid="summary"][open]')
    rows = summary_rows(page)
    for move_id, want in expected.items():
        for side, reps in want.get("reps", {}).items():
            assert rows.get((move_id, side), {"reps": 0})["reps"] == reps, (move_id, side, rows)
        for side, hold_s in want.get("hold_s", {}).items():
            got = rows.get((move_id, side), {"hold_s": 0.0})["hold_s"]
            assert abs(got - hold_s) <= HOLD_TOLERANCE_S, (move_id, side, got, hold_s)


@pytest.mark.parametrize("clip", [REPS_CLIP, HOLD_CLIP], ids=lambda p: p.stem)
def test_overlay_on_a_sample_video(clip: Path, tmp_path: Path) -> None:
    expected = labels(clip)["expected"]
    (move_id, want), = expected.items()
    with serve(clip, tmp_path, speed=2.0) as url, browser_page() as page:
        page.goto(url)
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        assert "comfortable" in page.text_content('[data-testid="tips"]')
        page.check('[data-testid="mode-follow"]')
        page.click('[data-testid="start-button"]')
        page.wait_for_function("document.querySelector('[data-testid=\"move-title\"]').textContent"
                               f" !== 'Ready when you are' && window.__coach.moveId === '{move_id}'")
        # space pauses and resumes (the keyboard is for use from across the room)
        page.keyboard.press(" ")
        page.wait_for_selector('[data-testid="paused-badge"]:not([hidden])')
        page.keyboard.press(" ")
        page.wait_for_selector('[data-testid="paused-badge"]', state="hidden")
        page.keyboard.press("m")  # m mutes the voice, and unmutes it
        assert page.text_content('[data-testid="mute-button"]') == "Voice off"
        page.keyboard.press("m")
        assert page.get_attribute("body", "data-muted") == "false"
        if max(want.get("reps", {}).values(), default=0) >= 2:
            page.wait_for_function("Number(document.querySelector('[data-testid=\"rep-count\"]').textContent) >= 2")
            mid = shot(page, f"overlay-{clip.stem}-mid-set.png")
            if os.environ.get("UPDATE_SCREENSHOTS"):
                (REPO / "docs").mkdir(exist_ok=True)
                shutil.copy(mid, REPO / "docs" / "overlay.png")
        wait_for_counts(page, move_id, want)
        shot(page, f"overlay-{clip.stem}-counted.png")
        assert_summary_matches(page, expected)
        shot(page, f"overlay-{clip.stem}-summary.png")
        spoken = page.evaluate("window.__spoken")
        assert spoken, "the overlay queued nothing to speak"
        if want.get("reps"):
            assert "1" in spoken  # rep counts are spoken


def fake_camera_args(clip: Path, tmp_path: Path) -> tuple[str, ...]:
    """Chromium flags that make `clip` (converted to y4m in `tmp_path`) the page's camera, played in a loop."""
    y4m = tmp_path / f"{clip.stem}.y4m"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(clip), "-vf", "scale=640:480",
                    "-pix_fmt", "yuv420p", str(y4m)], check=True)
    return ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={y4m}")


def test_overlay_with_the_browser_camera(tmp_path: Path) -> None:
    clip = REPS_CLIP
    expected = labels(clip)["expected"]
    (move_id, want), = expected.items()
    camera_args = fake_camera_args(clip, tmp_path)
    with serve(clip, tmp_path, speed=1.0) as url, browser_page(camera_args) as page:
        page.goto(url)
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        page.check('[data-testid="source-browser"]')
        page.check('[data-testid="mode-follow"]')
        page.click('[data-testid="start-button"]')
        page.wait_for_function("window.__coach.camera.on && window.__coach.lastPose !== null")
        wait_for_counts(page, move_id, want)
        shot(page, "overlay-browser-camera.png")
        page.click('[data-testid="stop-button"]')  # the fake camera loops the clip: finish after one pass
        assert_summary_matches(page, expected)
        shot(page, "overlay-browser-camera-summary.png")


QUIET_TEXT = "The browser camera stopped; the set is paused"
BLOCK_CAMERA_FRAMES = """block => {
    const ws = window.__coach.ws;
    ws.realSend ||= ws.send;
    ws.send = block ? (data) => { if (typeof data === "string") ws.realSend(data); } : ws.realSend;
}"""


def test_a_browser_camera_that_goes_quiet_pauses_and_comes_back(tmp_path: Path) -> None:
    """The page's frames are held back (a hidden tab, a dropped network), then let through; then its camera track is
    stopped (permission revoked). The server pauses the set each time and says why, and resumes it in between."""
    clip = REPS_CLIP
    with serve(clip, tmp_path, speed=1.0) as url, browser_page(fake_camera_args(clip, tmp_path)) as page:
        page.goto(url)
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        page.check('[data-testid="source-browser"]')
        page.check('[data-testid="mode-follow"]')
        page.click('[data-testid="start-button"]')
        page.wait_for_function("window.__coach.camera.on && window.__coach.lastPose !== null"
                               " && window.__coach.state === 'active'")
        page.evaluate(BLOCK_CAMERA_FRAMES, True)
        page.wait_for_selector('[data-testid="paused-badge"]:not([hidden])')
        assert page.text_content('[data-testid="warning"]').startswith(QUIET_TEXT)
        assert any(text.startswith(QUIET_TEXT) for text in page.evaluate("window.__spoken"))
        shot(page, "overlay-browser-camera-quiet.png")
        page.evaluate(BLOCK_CAMERA_FRAMES, False)
        page.wait_for_selector('[data-testid="paused-badge"]', state="hidden")
        assert "The browser camera is back." in page.evaluate("window.__spoken")
        page.evaluate("document.getElementById('camera').srcObject.getTracks().forEach((t) => t.stop())")
        page.wait_for_selector('[data-testid="paused-badge"]:not([hidden])')
        assert page.text_content('[data-testid="warning"]').startswith(QUIET_TEXT)
        page.click('[data-testid="stop-button"]')
        page.wait_for_selector('[data-testid="summary"][open]')


def test_the_start_sheet_offers_the_last_after_run_or_rest_day_choice(tmp_path: Path, make_video: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The choice defaults to the last one in the history, is stored with the new session, and colours the history
    page's calendar. A fake pose estimator: this is about the sheet, not the counting."""
    from fakes import fake_live_models, tick_moves

    from coach.history import HistoryStore

    monkeypatch.setattr("coach.server.live_models", fake_live_models)
    with HistoryStore.open(tmp_path) as store:
        store.start_session(rounds=1, set_seconds=30, note="rest-day", started_at="2025-06-01T07:00:00+00:00")
    video = make_video("room.mp4", 15)

    def make_app(port: int) -> Any:
        return create_app(ServeConfig(source_spec=str(video), source_kind="file", source_name=video.name,
                                      settings=Settings(mode="follow"), port=port, history_dir=str(tmp_path)),
                          moves=tick_moves(MOVE_IDS))  # the real ids: the routines on the sheet name them

    with serve_app(make_app) as base_url, browser_page() as page:
        page.goto(f"{base_url}/")
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        assert page.is_checked('[data-testid="day-rest-day"]') and not page.is_checked('[data-testid="day-after-run"]')
        page.check('[data-testid="day-after-run"]')
        page.click('[data-testid="start-button"]')
        page.wait_for_selector('[data-testid="summary"][open]')  # the half-second video ran out
        page.reload()
        page.wait_for_selector('[data-testid="start-sheet"][open]')
        assert page.is_checked('[data-testid="day-after-run"]')
        page.goto(f"{base_url}/history.html")
        page.wait_for_selector("body[data-ready=true]")
        assert page.get_attribute("#calendar rect.today", "class") == "day after-run today"
    with HistoryStore.open(tmp_path) as store:
        assert [s.note for s in store.sessions()] == ["rest-day", "after-run"]
