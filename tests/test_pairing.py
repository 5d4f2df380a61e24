"""Pairing, in process: one-time codes and the lock-out on a fake clock, the certificate kept in the data folder, and
the LAN listener's gate in front of every route, static file and the WebSocket (no sockets: the app is called with
the Host a phone would send to 192.168.1.20)."""

from __future__ import annotations

import datetime as dt
import os
import re
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from fakes import fake_live_models, tick_moves
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from coach.pairing.cert import Certificate, ensure_certificate
from coach.pairing.guard import CLOSE_UNPAIRED, TOKEN_COOKIE, LanGuard, device_label
from coach.pairing.listener import Lan
from coach.pairing.registry import CODE_LIFETIME_S, LOCKOUT_S, MAX_WRONG_CODES, Pairing, PairingRefused
from coach.server import WEB_DIR, ServeConfig, create_app

LAN_ADDRESS = "192.168.1.20"  # only a Host header here: nothing listens on it
LAN_PORT = 8443
LAN_URL = f"https://{LAN_ADDRESS}:{LAN_PORT}"
LAN_WS = f"wss://{LAN_ADDRESS}:{LAN_PORT}/ws"  # a full URL: TestClient's WebSocket would otherwise say "testserver"


class Clock:
    """Monotonic seconds that move only when told."""

    def __init__(self) -> None:
        self.s = 1_000.0

    def __call__(self) -> float:
        return self.s


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# ------------------------------------------------------------------------------------------------ codes and tokens


def test_a_code_pairs_once_and_the_token_names_the_device() -> None:
    pairing = Pairing(Clock())
    code = pairing.new_code(allow_history=True).code
    assert len(code) == 6 and code.isdigit()
    device, token = pairing.redeem(f"{code[:3]} {code[3:]}", "  Kitchen tablet  ")  # as the sheet shows it
    assert pairing.device(token) == device
    assert (device.name, device.allow_history) == ("Kitchen tablet", True)
    assert pairing.current_code() is None
    with pytest.raises(PairingRefused) as reused:
        pairing.redeem(code, "a second phone")
    assert reused.value.status == 403
    assert pairing.device("not-a-token") is None and pairing.device(None) is None


def test_a_new_code_retires_the_old_one_and_history_access_is_off_by_default() -> None:
    pairing = Pairing(Clock())
    old = pairing.new_code(allow_history=True).code
    new = pairing.new_code().code
    if old != new:  # one in a million they are the same
        with pytest.raises(PairingRefused):
            pairing.redeem(old, "phone")
    device, _ = pairing.redeem(new, "phone")
    assert device.allow_history is False


def test_a_code_expires_after_five_minutes() -> None:
    clock = Clock()
    pairing = Pairing(clock)
    code = pairing.new_code().code
    clock.s += CODE_LIFETIME_S - 0.5
    assert pairing.current_code() is not None
    clock.s += 0.5
    assert pairing.current_code() is None
    with pytest.raises(PairingRefused) as expired:
        pairing.redeem(code, "phone")
    assert expired.value.status == 403


def test_five_wrong_codes_lock_pairing_for_a_minute() -> None:
    clock = Clock()
    pairing = Pairing(clock)
    code = pairing.new_code().code
    for _ in range(MAX_WRONG_CODES - 1):
        with pytest.raises(PairingRefused):
            pairing.redeem(wrong(code), "guesser")
    assert pairing.locked_s() == 0
    with pytest.raises(PairingRefused):
        pairing.redeem(wrong(code), "guesser")
    assert pairing.locked_s() == LOCKOUT_S
    clock.s += LOCKOUT_S - 1
    with pytest.raises(PairingRefused) as locked:
        pairing.redeem(code, "phone")  # even the right code, while locked
    assert locked.value.status == 429 and "locked" in locked.value.message
    clock.s += 1
    assert pairing.redeem(code, "phone")[0].name == "phone"


def test_a_right_code_resets_the_count_of_wrong_ones() -> None:
    pairing = Pairing(Clock())
    for _ in range(2):
        code = pairing.new_code().code
        for _ in range(MAX_WRONG_CODES - 1):
            with pytest.raises(PairingRefused):
                pairing.redeem(wrong(code), "guesser")
        pairing.redeem(code, "phone")
    assert pairing.locked_s() == 0


def test_revoking_a_device_ends_its_token_and_tells_its_watchers() -> None:
    pairing = Pairing(Clock())
    device, token = pairing.redeem(pairing.new_code().code, "phone")
    other, other_token = pairing.redeem(pairing.new_code().code, "tablet")
    told: list[str] = []
    pairing.watch(device.device_id, lambda: told.append("phone"))
    unwatch = pairing.watch(other.device_id, lambda: told.append("tablet"))
    unwatch()
    assert pairing.revoke(device.device_id) and not pairing.revoke(device.device_id)
    assert pairing.device(token) is None and pairing.device(other_token) == other
    assert told == ["phone"]
    pairing.watch(device.device_id, lambda: told.append("late"))  # already revoked: told at once
    assert told == ["phone", "late"]
    assert [d.name for d in pairing.devices()] == ["tablet"]


def test_device_names_are_guessed_from_the_browser() -> None:
    android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile"
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1"
    assert device_label(android) == "Android phone, Chrome"
    assert device_label(iphone) == "iPhone, Safari"
    assert device_label("") == "Device"


# ------------------------------------------------------------------------------------------------ certificate


def test_the_certificate_is_made_once_then_reused(tmp_path: Path) -> None:
    folder = tmp_path / "pairing"
    first = ensure_certificate(folder, "127.0.0.2")
    assert first.created
    assert os.stat(first.key_path).st_mode & 0o777 == 0o600
    assert os.stat(folder).st_mode & 0o777 == 0o700
    key_bytes = first.key_path.read_bytes()
    os.chmod(first.key_path, 0o644)  # something widened it: reuse tightens it again
    again = ensure_certificate(folder, "127.0.0.2")
    assert not again.created and again.fingerprint_sha256 == first.fingerprint_sha256
    assert again.key_path.read_bytes() == key_bytes
    assert os.stat(first.key_path).st_mode & 0o777 == 0o600
    assert len(first.fingerprint_sha256.split(":")) == 32


def test_a_new_address_or_an_ending_certificate_makes_a_new_one(tmp_path: Path) -> None:
    folder = tmp_path / "pairing"
    first = ensure_certificate(folder, "127.0.0.2")
    moved = ensure_certificate(folder, "127.0.0.3")
    assert moved.created and moved.fingerprint_sha256 != first.fingerprint_sha256
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=397)
    renewed = ensure_certificate(folder, "127.0.0.3", now=later)
    assert renewed.created and renewed.fingerprint_sha256 != moved.fingerprint_sha256
    first.key_path.write_text("not a key")
    assert ensure_certificate(folder, "127.0.0.3").created


# ------------------------------------------------------------------------------------------------ the LAN gate


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return ensure_certificate(tmp_path_factory.mktemp("data") / "pairing", LAN_ADDRESS)


@pytest.fixture()
def lan(certificate: Certificate) -> Lan:
    """The LAN listener's description with nobody paired yet."""
    return Lan(LAN_ADDRESS, LAN_PORT, certificate, Pairing())


@pytest.fixture()
def app(lan: Lan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr("coach.server.live_models", fake_live_models)
    return create_app(ServeConfig(history_dir=str(tmp_path)), moves=tick_moves(), lan=lan)


@pytest.fixture()
def phone(app: Any, lan: Lan) -> TestClient:
    """A client of the LAN listener (TLS is the listener's job; this is the app behind the gate)."""
    return TestClient(LanGuard(app, lan.pairing, f"{LAN_ADDRESS}:{LAN_PORT}"), base_url=LAN_URL)


def pair(phone: TestClient, lan: Lan, allow_history: bool = False) -> str:
    code = lan.pairing.new_code(allow_history=allow_history).code
    response = phone.post("/pair", data={"code": code, "name": "Test phone"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    return phone.cookies[TOKEN_COOKIE]


def every_path(app: Any) -> list[tuple[str, str]]:
    """(method, path) for every HTTP route of the app (path parameters filled in) and every file of the overlay."""
    routes = []
    for path, operations in app.openapi()["paths"].items():
        filled = re.sub(r"\{[a-z_]+\}", "1", path)
        routes += [(method.upper(), filled) for method in operations]
    files = [("GET", "/" + str(p.relative_to(WEB_DIR))) for p in sorted(WEB_DIR.rglob("*")) if p.is_file()]
    return [*routes, *files, ("GET", "/"), ("GET", "/no-such-page")]


def test_without_a_token_every_route_file_and_the_websocket_are_refused(app: Any, phone: TestClient) -> None:
    paths = every_path(app)
    assert {("GET", "/index.html"), ("GET", "/api/history/sessions"), ("DELETE", "/api/pairing/devices/1")} \
        <= set(paths)
    for method, path in paths:
        response = phone.request(method, path)
        assert response.status_code == 401, (method, path)
    page = phone.get("/", headers={"accept": "text/html"})  # a browser is pointed at the code form
    assert page.status_code == 401 and 'href="/pair"' in page.text
    phone.cookies.set(TOKEN_COOKIE, "made-up")
    assert phone.get("/").status_code == 401
    with pytest.raises(WebSocketDenialResponse) as refused:
        phone.websocket_connect(LAN_WS).__enter__()
    assert refused.value.status_code == 401


def test_a_paired_device_gets_the_overlay_the_routines_and_the_websocket(phone: TestClient, lan: Lan) -> None:
    pair(phone, lan)
    assert "Stride Coach" in phone.get("/").text
    assert phone.get("/app.js").status_code == 200
    assert phone.get("/api/routines").status_code == 200  # the start sheet's picker: it runs sessions too
    with phone.websocket_connect(LAN_WS, headers={"origin": LAN_URL}) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_the_token_cookie_is_httponly_secure_strict(phone: TestClient, lan: Lan) -> None:
    code = lan.pairing.new_code().code
    response = phone.post("/pair", data={"code": code, "name": "phone"}, follow_redirects=False)
    cookie = SimpleCookie(response.headers["set-cookie"])[TOKEN_COOKIE]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "strict" and cookie["path"] == "/"
    assert cookie.value and cookie.value not in response.text


def test_wrong_reused_and_expired_codes_show_the_form_again(phone: TestClient, lan: Lan) -> None:
    page = phone.get("/pair?code=123456")
    assert page.status_code == 200 and 'value="123456"' in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none': no script at all
    code = lan.pairing.new_code().code
    refused = phone.post("/pair", data={"code": wrong(code), "name": "phone"}, follow_redirects=False)
    assert refused.status_code == 403 and "wrong, used or expired" in refused.text
    assert TOKEN_COOKIE not in phone.cookies
    pair_with = phone.post("/pair", data={"code": code}, follow_redirects=False)
    assert pair_with.status_code == 303
    phone.cookies.clear()
    reused = phone.post("/pair", data={"code": code}, follow_redirects=False)
    assert reused.status_code == 403 and TOKEN_COOKIE not in phone.cookies
    assert phone.post("/pair", content=b"code=" + b"1" * 4096).status_code == 413
    assert phone.post("/pair", content=b"&".join(b"f%d=1" % i for i in range(20))).status_code == 413


def test_another_host_or_origin_is_refused_even_with_a_token(phone: TestClient, lan: Lan) -> None:
    pair(phone, lan)
    assert phone.get("/", headers={"host": "evil.example:8443"}).status_code == 403  # DNS rebinding
    assert phone.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 403
    assert phone.get("/", headers={"origin": "https://evil.example"}).status_code == 403
    assert phone.get("/pair", headers={"origin": "https://evil.example"}).status_code == 403
    with pytest.raises(WebSocketDenialResponse) as refused:
        phone.websocket_connect(LAN_WS, headers={"origin": "https://evil.example"}).__enter__()
    assert refused.value.status_code == 403


def test_history_only_for_a_device_given_it_when_paired(phone: TestClient, lan: Lan) -> None:
    pair(phone, lan)
    assert phone.get("/api/history/sessions").status_code == 403
    assert phone.get("/api/videos").status_code == 403
    phone.cookies.clear()
    pair(phone, lan, allow_history=True)
    assert phone.get("/api/history/sessions").json() == {"sessions": []}
    assert phone.get("/api/videos").status_code == 200


def test_only_this_computer_can_make_codes_and_unpair(app: Any, phone: TestClient, lan: Lan) -> None:
    pair(phone, lan, allow_history=True)
    assert phone.get("/api/pairing").status_code == 403
    assert phone.post("/api/pairing/code", json={}).status_code == 403
    laptop = TestClient(app, base_url="http://127.0.0.1:8000")
    state = laptop.post("/api/pairing/code", json={"allow_history": True}).json()
    assert state["url"] == f"{LAN_URL}/" and state["fingerprint_sha256"] == lan.certificate.fingerprint_sha256
    assert state["code"]["allow_history"] is True and state["code"]["expires_in_s"] == CODE_LIFETIME_S
    assert state["code"]["pair_url"] == f"{LAN_URL}/pair?code={state['code']['code']}"
    assert state["code"]["qr_svg"].startswith("<svg")
    assert laptop.post("/api/pairing/code", json={}, headers={"origin": "https://evil.example"}).status_code == 403
    assert laptop.get("/api/pairing", headers={"host": "evil.example:8000"}).status_code == 403
    assert laptop.delete("/api/pairing/devices/nobody").status_code == 404


def test_a_revoked_token_is_refused_at_once_and_its_websocket_closed(app: Any, phone: TestClient, lan: Lan) -> None:
    pair(phone, lan)
    laptop = TestClient(app, base_url="http://127.0.0.1:8000")
    (device,) = [d for d in laptop.get("/api/pairing").json()["devices"] if d["name"] == "Test phone"]
    with phone.websocket_connect(LAN_WS) as ws:
        assert ws.receive_json()["type"] == "hello"
        assert laptop.delete(f"/api/pairing/devices/{device['device_id']}").status_code == 204
        ws.send_json({"type": "pause"})  # an open socket would answer "no session"; a closed one says nothing
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == CLOSE_UNPAIRED
    assert phone.get("/").status_code == 401
    assert device["device_id"] not in [d["device_id"] for d in laptop.get("/api/pairing").json()["devices"]]


def test_without_pairing_the_loopback_server_has_no_pairing_api(tmp_path: Path) -> None:
    plain = TestClient(create_app(ServeConfig(history_dir=str(tmp_path))), base_url="http://127.0.0.1:8000")
    assert plain.get("/api/pairing").status_code == 404
    assert plain.get("/").status_code == 200
