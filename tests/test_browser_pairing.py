"""A phone paired over the LAN listener is the camera, end to end in headless Chromium: the laptop's overlay (on
127.0.0.1) shows a code and a QR code; a page standing in for the phone (on the HTTPS listener at 127.0.0.2, trusting
the coach's certificate by its public key as a person does by accepting it) opens the QR code's address, pairs, and
streams a fake camera playing a sample clip, while a tablet paired with a second code (and history access) shows
the session. The counts must match `coach replay` on the same clip on all three screens, the laptop and the tablet
must show the phone's picture, and unpairing the phone must send it back to the code form at once.

The frame rate over the browser-camera path is written to test-artifacts/pairing-camera-fps.txt.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from headless import chromium_page, serve_paired
from test_browser_overlay import (
    ARTIFACTS,
    HOLD_TOLERANCE_S,
    PAGE_TIMEOUT_MS,
    REPS_CLIP,
    fake_camera_args,
    summary_rows,
)

from coach.cli import main as coach_main
from coach.events import Settings
from coach.pairing.listener import Lan
from coach.server import ServeConfig, create_app

pytestmark = pytest.mark.browser

PHONE_VIEWPORT = {"width": 412, "height": 915}  # a phone held upright, CSS pixels
TABLET_VIEWPORT = {"width": 1024, "height": 768}  # a tablet on its side by the mat
HISTORY_STATUS = "fetch('/api/history/sessions').then((r) => r.status)"
COUNT_POSES = """() => {
    window.__poses = 0;
    const show = HANDLERS.pose;
    HANDLERS.pose = (event) => { window.__poses += 1; show(event); };
}"""  # one pose event per frame the server posed (frames it dropped as stale have none)


def spki_sha256(lan: Lan) -> str:
    """The certificate's public-key hash as Chromium's --ignore-certificate-errors-spki-list takes it."""
    cert = x509.load_pem_x509_certificate(lan.certificate.cert_path.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def replay_counts(clip: Path, out: Path) -> dict[str, Any]:
    """`coach replay CLIP --out OUT`: the report's moves."""
    assert coach_main(["replay", str(clip), "--out", str(out)]) == 0
    return json.loads((out / f"{clip.stem}.json").read_text())["moves"]


def decode_qr(png: bytes) -> str:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def test_a_paired_phone_is_the_camera_while_a_tablet_and_the_laptop_show_it(tmp_path: Path) -> None:
    clip = REPS_CLIP
    replayed = replay_counts(clip, tmp_path / "replay")
    assert replayed, "coach replay recognised no move in the clip"

    def make_app(port: int, lan: Lan) -> Any:
        # the full model pinned, as the replay it is compared with: on a loaded machine the automatic switch would
        # move to the lite model, whose landmarks count differently (the switch has its own tests)
        return create_app(ServeConfig(settings=Settings(mode="follow"), port=port, history_dir=str(tmp_path),
                                      model="full"), lan=lan)

    camera = fake_camera_args(clip, tmp_path)
    with serve_paired(make_app, tmp_path) as (laptop_url, lan):
        trust = f"--ignore-certificate-errors-spki-list={spki_sha256(lan)}"
        with chromium_page(720, ("--autoplay-policy=no-user-gesture-required", trust, *camera),
                           PAGE_TIMEOUT_MS) as laptop:
            laptop.goto(f"{laptop_url}/")
            laptop.wait_for_selector('[data-testid="start-sheet"][open]')
            laptop.click('[data-testid="pair-button-sheet"]')
            laptop.wait_for_selector('[data-testid="pair-sheet"][open] [data-testid="pair-qr"] svg')
            code = laptop.text_content('[data-testid="pair-code"]').replace(" ", "")
            assert len(code) == 6 and code.isdigit()
            assert laptop.text_content('[data-testid="pair-fingerprint"]') == lan.certificate.fingerprint_sha256
            assert laptop.text_content('[data-testid="pair-url"]') == f"{lan.url}pair"  # the address to type
            pair_url = decode_qr(laptop.locator('[data-testid="pair-qr"]').screenshot())
            assert pair_url == f"{lan.url}pair?code={code}"
            laptop.screenshot(path=str(ARTIFACTS / "pairing-sheet.png"))

            errors: list[str] = []
            phone = lan_page(laptop, PHONE_VIEWPORT, errors)
            assert phone.goto(f"{lan.url}").status == 401  # not paired yet: nothing but the code form
            phone.goto(pair_url)
            assert phone.input_value('[data-testid="pair-code"]') == code
            phone.fill('[data-testid="pair-name"]', "Test phone")
            phone.screenshot(path=str(ARTIFACTS / "pairing-phone-form.png"))
            phone.click('[data-testid="pair-button"]')
            phone.wait_for_selector('[data-testid="start-sheet"][open]')  # the overlay, on the phone
            assert phone.is_hidden('[data-testid="pair-button"]')  # a phone cannot pair others
            laptop.wait_for_selector('[data-testid="pair-device"]:has-text("Test phone")')

            laptop.check('[data-testid="pair-allow-history"]')  # a new code, for a device that may see the history
            # a fresh six-digit code: the sheet's refresh may first show a dash for the code the phone just used
            laptop.wait_for_function(f"(c => /^[0-9]{{6}}$/.test(c) && c !== '{code}')(document.querySelector("
                                     f"'[data-testid=\"pair-code\"]').textContent.replace(' ', ''))")
            tablet_code = laptop.text_content('[data-testid="pair-code"]').replace(" ", "")
            tablet = lan_page(laptop, TABLET_VIEWPORT, errors)
            tablet.goto(f"{lan.url}pair")  # typed, not scanned
            tablet.fill('[data-testid="pair-code"]', tablet_code)
            tablet.fill('[data-testid="pair-name"]', "Test tablet")
            tablet.click('[data-testid="pair-button"]')
            tablet.wait_for_selector('[data-testid="start-sheet"][open]')
            laptop.wait_for_selector('[data-testid="pair-device"]:has-text("Test tablet")')
            laptop.click('[data-testid="pair-done"]')
            assert phone.evaluate(HISTORY_STATUS) == 403 and tablet.evaluate(HISTORY_STATUS) == 200

            phone.check('[data-testid="source-browser"]')
            phone.check('[data-testid="mode-follow"]')
            phone.evaluate(COUNT_POSES)
            phone.click('[data-testid="start-button"]')
            phone.wait_for_function("window.__coach.camera.on && window.__coach.lastPose !== null")
            # one pass of the clip, then stop: the fake camera plays it in a loop, and the next pass starts with
            # the lead-in before the first move, in which the stop lands
            labels = json.loads(clip.with_suffix(".json").read_text())
            duration_ms, lead_in_ms = labels["duration_ms"], labels["segments"][0]["start_ms"]
            phone.wait_for_function(f"window.__coach.lastPose.t_ms >= {duration_ms}")
            phone.click('[data-testid="stop-button"]')
            pose, posed = phone.evaluate("[window.__coach.lastPose, window.__poses]")  # both at the same moment
            assert pose["t_ms"] < duration_ms + lead_in_ms
            for page in (phone, laptop, tablet):  # the laptop and the tablet followed the phone's session
                page.wait_for_selector('[data-testid="summary"][open]')
            for page in (laptop, tablet):  # and showed the phone's picture
                assert page.evaluate("window.__coach.frameBitmap !== null")
            laptop.screenshot(path=str(ARTIFACTS / "pairing-laptop-summary.png"))
            tablet.screenshot(path=str(ARTIFACTS / "pairing-tablet-summary.png"))
            seconds = pose["t_ms"] / 1000
            (ARTIFACTS / "pairing-camera-fps.txt").write_text(
                f"{posed / seconds:.1f} frames/s posed over the browser-camera path ({posed} of the "
                f"{pose['frame_index'] + 1} frames sent in {seconds:.1f} s of camera time; "
                f"full model throughout; load average "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)\n")
            rows = summary_rows(phone)
            assert summary_rows(laptop) == rows and summary_rows(tablet) == rows
            for move_id, want in replayed.items():
                for side, reps in want["reps"].items():
                    assert rows[(move_id, side)]["reps"] == reps, (move_id, side, rows, replayed)
                for side, hold_s in want["hold_s"].items():
                    assert abs(rows[(move_id, side)]["hold_s"] - hold_s) <= HOLD_TOLERANCE_S, (side, rows, replayed)

            laptop.click('[data-testid="again-button"]')  # unpair it: the phone is sent back to the code form
            laptop.click('[data-testid="pair-button-sheet"]')
            laptop.click('[data-testid="pair-device"]:has-text("Test phone") [data-testid="pair-revoke"]')
            phone.wait_for_url(f"{lan.url}pair")
            assert phone.is_visible('[data-testid="pair-code"]')
            assert tablet.text_content('[data-testid="connection"]') == "connected"  # the tablet stays paired
            assert errors == []


def lan_page(laptop: Any, viewport: dict[str, int], errors: list[str]) -> Any:
    """A page of its own browser context (its own cookies: another device) in the laptop page's browser."""
    page = laptop.context.browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page
