"""The "Analyse a video" page end to end in headless Chromium against the real server.

A rendered sample uploaded from the page gets the counts `coach replay` gets; a text file named .mp4 gets the
one-sentence error; an upload cancelled halfway (the upload throttled through the DevTools protocol so there is a
halfway) leaves no file behind. The history is touched only by "Save to history".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from headless import chromium_page, serve_app

from coach.history import HistoryStore
from coach.replay import replay_video
from coach.server import ServeConfig, create_app

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO / "sample_videos" / "bridge_march_a.mp4"
PAGE_TIMEOUT_MS = 300_000  # the pose model on two shared CPU cores
UPLOAD_BYTES_PER_S = 200_000  # throttled, so a 3 MB upload is still going when it is cancelled


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """(page URL, uploads folder, history folder) of a coach without a camera."""
    uploads, history = tmp_path / "uploads", tmp_path / "history"

    def make_app(port: int) -> Any:
        return create_app(ServeConfig(port=port, history_dir=str(history), upload_dir=str(uploads)))

    with serve_app(make_app) as url:
        yield f"{url}/analyse.html", uploads, history


def sessions(history: Path) -> int:
    with HistoryStore.open(history) as store:
        return len(store.sessions())


def test_a_sample_is_counted_like_coach_replay(site: tuple[str, Path, Path]) -> None:
    url, _uploads, history = site
    expected = replay_video(CLIP).report()["moves"]
    with chromium_page(900, timeout_ms=PAGE_TIMEOUT_MS) as page:
        page.goto(url)
        page.set_input_files('[data-testid="file-input"]', str(CLIP))
        page.wait_for_selector('[data-testid="progress"]')
        page.wait_for_selector('[data-testid="result"]:not([hidden])')
        rows = page.locator('[data-testid="result-row"]')
        shown = {}
        for i in range(rows.count()):
            data = rows.nth(i).evaluate("tr => ({...tr.dataset})")
            shown[(data["move"], data["side"])] = (int(data["reps"]), float(data["hold"]))
        want = {(move, side): (found["reps"].get(side, 0), found["hold_s"].get(side, 0.0))
                for move, found in expected.items() for side in {*found["reps"], *found["hold_s"]}
                if found["reps"].get(side, 0) or found["hold_s"].get(side, 0)}
        assert shown == want and want  # e.g. bridge_march left 3, right 3
        # the annotated video plays in the page: same length as the clip
        page.wait_for_function("document.querySelector('[data-testid=\"result-video\"]').readyState >= 1")
        duration_s = page.eval_on_selector('[data-testid="result-video"]', "v => v.duration")
        assert duration_s == pytest.approx(684 / 30, abs=0.1)
        assert page.locator('[data-testid="cues"] li').count() == sum(len(m["cues"]) for m in expected.values())
        assert sessions(history) == 0
        page.click('[data-testid="save-button"]')
        page.wait_for_selector('[data-testid="saved"]:has-text("Saved as session 1.")')
        assert sessions(history) == 1
        page.screenshot(path=str(REPO / "test-artifacts" / "analyse.png"), full_page=True)


def test_a_text_file_named_mp4_gets_the_error(site: tuple[str, Path, Path], tmp_path: Path) -> None:
    url, uploads, history = site
    fake = tmp_path / "holiday.mp4"
    fake.write_text("these are my notes, not a video\n")
    with chromium_page(900, timeout_ms=PAGE_TIMEOUT_MS) as page:
        page.goto(url)
        page.set_input_files('[data-testid="file-input"]', str(fake))
        page.wait_for_selector('[data-testid="error"]:not(:empty)')
        assert page.text_content('[data-testid="error"]') == "holiday.mp4 is not a video file FFmpeg can read."
        assert page.locator('[data-testid="result"]').is_hidden()
    assert list(uploads.rglob("*")) == []
    assert sessions(history) == 0


def test_a_cancelled_upload_leaves_nothing(site: tuple[str, Path, Path], tmp_path: Path) -> None:
    url, uploads, history = site
    big = tmp_path / "long.mp4"
    big.write_bytes(CLIP.read_bytes() * 15)  # ~3 MB
    receiving = "async () => (await (await fetch('/api/videos')).json()).uploading === {}"
    with chromium_page(900, timeout_ms=PAGE_TIMEOUT_MS) as page:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                      "uploadThroughput": UPLOAD_BYTES_PER_S})
        page.goto(url)
        page.set_input_files('[data-testid="file-input"]', str(big))
        page.wait_for_function(receiving.format(1), polling=100)  # the server is storing it
        assert [p.stat().st_size for p in uploads.rglob("upload.mp4")] != []
        page.click('[data-testid="cancel-button"]')
        page.wait_for_selector('[data-testid="error"]:has-text("Upload cancelled")')
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                      "uploadThroughput": -1})
        page.wait_for_function(receiving.format(0), polling=100)
    assert list(uploads.rglob("*")) == []
    assert sessions(history) == 0
