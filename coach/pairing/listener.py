"""The LAN listener next to the loopback one: which address, its certificate, and serving both in one event loop.

Both listeners serve the same app (one coach, one session, the same tabs), so a phone streaming its camera over the
LAN and the laptop's own tab on 127.0.0.1 see the same set. The loopback server owns the app's start-up and
shutdown and Ctrl+C; the LAN server is stopped when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from coach.pairing.cert import Certificate, ensure_certificate
from coach.pairing.guard import LanGuard
from coach.pairing.registry import Pairing

ROUTE_PROBE = "192.0.2.1"  # TEST-NET-1: a UDP socket "connected" to it picks the LAN route and sends nothing


@dataclass(frozen=True)
class Lan:
    """The LAN listener: where it is, its certificate, and who is paired with it."""

    address: str
    port: int
    certificate: Certificate
    pairing: Pairing

    @property
    def netloc(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"https://{self.netloc}/"


def lan_address() -> str | None:
    """This computer's address on its local network (the one its default route leaves from), or None offline."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((ROUTE_PROBE, 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_unspecified else address


def open_lan(address: str, port: int, data_dir: str | os.PathLike[str] | None, pairing: Pairing | None = None) -> Lan:
    """The LAN listener's description, with its certificate made or reused in `<data folder>/pairing/`."""
    from coach.errors import CoachError
    from coach.history.store import resolve_data_dir

    folder = Path(resolve_data_dir(data_dir)) / "pairing"
    try:
        certificate = ensure_certificate(folder, address)
    except OSError as exc:
        raise CoachError(f"Cannot keep the pairing certificate in {folder} ({exc.strerror}); set COACH_DATA_DIR to "
                         "a folder you can write.") from None
    return Lan(address, port, certificate, pairing or Pairing())


class _FollowerServer(uvicorn.Server):
    """A uvicorn server that leaves Ctrl+C to the loopback server, which stops it (see `serve_with_lan`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def lan_server(app: Any, lan: Lan, **options: Any) -> uvicorn.Server:
    """The HTTPS server for the LAN listener: `app` behind `LanGuard`."""
    config = uvicorn.Config(LanGuard(app, lan.pairing, lan.netloc), host=lan.address, port=lan.port,
                            ssl_certfile=str(lan.certificate.cert_path), ssl_keyfile=str(lan.certificate.key_path),
                            lifespan="off", **options)
    return _FollowerServer(config)


async def serve_with_lan(main: uvicorn.Server, lan: uvicorn.Server, main_sockets: list[socket.socket] | None = None,
                         lan_sockets: list[socket.socket] | None = None) -> None:
    """Run the loopback server and the LAN server until the loopback one stops (Ctrl+C, or `should_exit`)."""
    lan_task = asyncio.create_task(lan.serve(sockets=lan_sockets))
    try:
        await main.serve(sockets=main_sockets)
    finally:
        lan.should_exit = True
        await lan_task
