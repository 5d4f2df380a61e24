"""The two listeners of `coach serve --pair` on real sockets: 127.0.0.1 as today, and HTTPS on 127.0.0.2 standing in
for the LAN address. A TLS client that trusts the stored certificate connects (one that does not is refused by TLS
itself); nothing there answers without a paired token; a revoked device's open WebSocket is closed at once."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fakes import fake_live_models, tick_moves
from headless import serve_paired
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from coach.pairing.guard import CLOSE_UNPAIRED, TOKEN_COOKIE
from coach.pairing.listener import Lan, open_lan
from coach.server import ServeConfig, create_app

RECEIVE_TIMEOUT_S = 10  # a bound so a broken test fails instead of hanging; nothing waits for it to pass


@pytest.fixture()
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Lan]]:
    monkeypatch.setattr("coach.server.live_models", fake_live_models)

    def make_app(port: int, lan: Lan) -> Any:
        return create_app(ServeConfig(port=port, history_dir=str(tmp_path)), moves=tick_moves(), lan=lan)

    with serve_paired(make_app, tmp_path) as pair:
        yield pair


def trusting(lan: Lan) -> ssl.SSLContext:
    """A TLS client context that trusts the coach's own certificate, as a phone does once the person accepts it."""
    return ssl.create_default_context(cafile=str(lan.certificate.cert_path))


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def call(base: str, method: str, path: str, context: ssl.SSLContext | None = None, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> Reply:
    """One HTTP(S) request to `base` ("https://127.0.0.2:port/" or "http://127.0.0.1:port")."""
    parts = urlsplit(base)
    conn = (http.client.HTTPSConnection(parts.hostname or "", parts.port, context=context, timeout=RECEIVE_TIMEOUT_S)
            if parts.scheme == "https" else
            http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=RECEIVE_TIMEOUT_S))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


def new_code(laptop: str) -> str:
    """A code from the overlay's pairing sheet on this computer."""
    reply = call(laptop, "POST", "/api/pairing/code", body=b"{}", headers={"Content-Type": "application/json"})
    assert reply.status == 200
    return json.loads(reply.body)["code"]["code"]


def pair(lan: Lan, code: str, name: str) -> str:
    """Enter `code` on the pairing page as a phone would; returns the token from the cookie."""
    reply = call(lan.url, "POST", "/pair", trusting(lan), body=f"code={code}&name={name}".encode(),
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": lan.url.rstrip("/")})
    assert reply.status == 303
    cookie = SimpleCookie(reply.headers["Set-Cookie"])[TOKEN_COOKIE]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "strict"
    return cookie.value


def lan_websocket(lan: Lan, token: str | None) -> Any:
    headers = {"Origin": lan.url.rstrip("/")}
    if token is not None:
        headers["Cookie"] = f"{TOKEN_COOKIE}={token}"
    return connect(f"wss://{lan.netloc}/ws", ssl=trusting(lan), additional_headers=headers,
                   open_timeout=RECEIVE_TIMEOUT_S)


def test_a_client_that_trusts_the_certificate_connects_and_others_are_refused_by_tls(served: tuple[str, Lan],
                                                                                     tmp_path: Path) -> None:
    laptop, lan = served
    assert lan.address == "127.0.0.2"
    assert call(lan.url, "GET", "/pair", trusting(lan)).status == 200
    with pytest.raises(ssl.SSLCertVerificationError):
        call(lan.url, "GET", "/pair", ssl.create_default_context())  # the system's authorities do not know it
    assert call(laptop, "GET", "/").status == 200  # the loopback listener is as it was: plain HTTP, no token
    again = open_lan(lan.address, lan.port, tmp_path)  # the next `coach serve --pair` reuses the certificate
    assert not again.certificate.created
    assert again.certificate.fingerprint_sha256 == lan.certificate.fingerprint_sha256


def test_nothing_answers_without_a_token(served: tuple[str, Lan]) -> None:
    _laptop, lan = served
    for path in ("/", "/index.html", "/app.js", "/api/history/sessions", "/api/pairing", "/api/videos"):
        assert call(lan.url, "GET", path, trusting(lan)).status == 401, path
    for token in (None, "made-up-token"):
        with pytest.raises(InvalidStatus) as refused:
            lan_websocket(lan, token)
        assert refused.value.response.status_code == 401


def test_a_revoked_device_is_cut_off_at_once_and_another_carries_on(served: tuple[str, Lan]) -> None:
    laptop, lan = served
    phone_token = pair(lan, new_code(laptop), "Phone")
    tablet_token = pair(lan, new_code(laptop), "Tablet")
    with lan_websocket(lan, phone_token) as phone, lan_websocket(lan, tablet_token) as tablet:
        assert json.loads(phone.recv(timeout=RECEIVE_TIMEOUT_S))["type"] == "hello"
        assert json.loads(tablet.recv(timeout=RECEIVE_TIMEOUT_S))["type"] == "hello"
        devices = {d["name"]: d["device_id"] for d in json.loads(call(laptop, "GET", "/api/pairing").body)["devices"]}
        assert call(laptop, "DELETE", f"/api/pairing/devices/{devices['Phone']}").status == 204
        with pytest.raises(ConnectionClosed) as closed:  # the close may land before the send or after it
            phone.send(json.dumps({"type": "pause"}))  # an open socket would answer "no session"
            phone.recv(timeout=RECEIVE_TIMEOUT_S)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_UNPAIRED
        tablet.send(json.dumps({"type": "pause"}))  # the other device carries on
        assert json.loads(tablet.recv(timeout=RECEIVE_TIMEOUT_S))["code"] == "no_session"
    for token, status in ((phone_token, 401), (tablet_token, 200)):
        assert call(lan.url, "GET", "/", trusting(lan), headers={"Cookie": f"{TOKEN_COOKIE}={token}"}).status == status


def test_coach_serve_pair_starts_both_listeners_and_keeps_the_certificate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        make_video: Any) -> None:
    """The command's own wiring, up to the point where it would serve (replaced here): the loopback listener as
    without --pair, the LAN one on the given address with the certificate from the data folder, reused next time."""
    import coach.pairing.listener
    from coach.cli import main

    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path))
    started: list[tuple[Any, Any]] = []

    async def record(main_server: Any, lan_server: Any) -> None:
        started.append((main_server.config, lan_server.config))

    monkeypatch.setattr(coach.pairing.listener, "serve_with_lan", record)
    video = make_video("room.mp4", 3)
    argv = ["serve", "--pair", "--pair-address", "127.0.0.2", "--pair-port", str(free_port("127.0.0.2")),
            "--port", str(free_port("127.0.0.1")), "--source", str(video), "--no-open"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert main(argv) == 0
    second = capsys.readouterr().out
    (main_config, lan_config), _ = started
    assert (main_config.host, lan_config.host) == ("127.0.0.1", "127.0.0.2")
    assert main_config.ssl_certfile is None
    assert lan_config.ssl_certfile == str(tmp_path / "pairing" / "cert.pem")
    assert "made a new certificate" in first and "reusing its certificate" in second
    fingerprint = first.split("SHA-256 ")[1].split(")")[0]
    assert f"SHA-256 {fingerprint}" in second


def free_port(host: str) -> int:
    """A port nothing listens on at `host` now (the command checks it again before it would serve)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
