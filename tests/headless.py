"""What the browser tests share: an app served on a loopback socket (or two, as `coach serve --pair` does), and a
page in headless Chromium.

The socket is bound and listening before the server starts, so the browser's first request queues until uvicorn
accepts it: no waiting for start-up.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


@contextmanager
def serve_app(make_app: Callable[[int], Any], **uvicorn_options: Any) -> Iterator[str]:
    """Serve `make_app(port)` on a free loopback port; yields "http://127.0.0.1:<port>" (no trailing slash)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(port), log_level="warning", **uvicorn_options))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


@contextmanager
def serve_paired(make_app: Callable[[int, Any], Any], data_dir: Path, lan_address: str = "127.0.0.2",
                 **uvicorn_options: Any) -> Iterator[tuple[str, Any]]:
    """Serve `make_app(port, lan)` as `coach serve --pair` does: on a free 127.0.0.1 port and, over HTTPS with the
    certificate kept in `data_dir`, on `lan_address` (another loopback address standing in for the LAN). Yields
    ("http://127.0.0.1:<port>", the `Lan`)."""
    from coach.pairing.listener import lan_server, open_lan, serve_with_lan

    main_sock, lan_sock = socket.socket(), socket.socket()
    main_sock.bind(("127.0.0.1", 0))
    lan_sock.bind((lan_address, 0))
    for sock in (main_sock, lan_sock):
        sock.listen(16)
    lan = open_lan(lan_address, lan_sock.getsockname()[1], data_dir)
    app = make_app(main_sock.getsockname()[1], lan)
    main = uvicorn.Server(uvicorn.Config(app, log_level="warning", **uvicorn_options))
    lan_listener = lan_server(app, lan, log_level="warning", **uvicorn_options)
    thread = threading.Thread(target=lambda: asyncio.run(serve_with_lan(main, lan_listener, [main_sock], [lan_sock])),
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{main_sock.getsockname()[1]}", lan
    finally:
        main.should_exit = True
        thread.join()
        main_sock.close()
        lan_sock.close()


@contextmanager
def chromium_page(height: int, extra_args: tuple[str, ...] = (), timeout_ms: float | None = None,
                  width: int = 1280) -> Iterator[Any]:
    """A `width` x `height` page in headless Chromium (skips the test when Chromium is missing); the page must raise
    no JavaScript errors while it is open."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
        page = browser.new_page(viewport={"width": width, "height": height})
        if timeout_ms is not None:
            page.set_default_timeout(timeout_ms)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
        browser.close()
        assert errors == []
