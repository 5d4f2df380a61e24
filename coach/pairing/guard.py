"""The LAN listener's gate: every request needs a paired device's token, except the pairing page itself.

`LanGuard` wraps the coach's own ASGI app for the LAN listener only (the loopback listener serves the app as it is),
and checks, before the app sees anything:
- `Host` is exactly this listener's address and port: a page on another name that resolves here (DNS rebinding)
  is refused (403);
- `Origin`, when sent, is this listener's own origin, so no other web page can drive the coach (403);
- the token cookie belongs to a paired device (401 otherwise), on every route, static file and the WebSocket.
A request let through carries its `Device` in the ASGI scope (`paired_device`), which the app reads to keep the
history and the pairing controls from devices that were not given them. An open WebSocket of a device that is
revoked is closed at once (code 4401) and the app sees it as a disconnect.

GET /pair shows the code form (pre-filled from the QR code's `?code=`); POST /pair redeems it and sets the token as
an HttpOnly, Secure, SameSite=Strict cookie (`__Host-` prefix: this host only, path /, never sent over HTTP).
"""

from __future__ import annotations

import asyncio
import html
from urllib.parse import parse_qs

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from coach.pairing.registry import MAX_NAME_CHARS, Device, Pairing, PairingRefused

SCOPE_KEY = "coach.paired_device"
TOKEN_COOKIE = "__Host-coach-token"
CLOSE_UNPAIRED = 4401  # WebSocket close code (application range) for a device revoked while connected
MAX_FORM_BYTES = 2_048  # a code and a device name
MAX_FORM_FIELDS = 8
NOT_PAIRED = "This device is not paired with the coach: enter the code the computer shows on the pairing page."
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",  # the QR code's URL carries the code (no-referrer would make Origin "null")
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'",
}


def paired_device(conn: HTTPConnection) -> Device | None:
    """The device a request came from over the LAN listener; None for a request to the loopback listener."""
    return conn.scope.get(SCOPE_KEY)


class LanGuard:
    """The ASGI app of the LAN listener at `netloc` ("192.168.1.20:8443"): `app` behind the checks above."""

    def __init__(self, app: ASGIApp, pairing: Pairing, netloc: str) -> None:
        self.app = app
        self.pairing = pairing
        self.netloc = netloc.lower()
        self.origin = f"https://{self.netloc}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        if (conn.headers.get("host") or "").lower() != self.netloc or \
                conn.headers.get("origin", self.origin) != self.origin:
            await _refuse(scope, receive, send, 403, "This address only serves the Stride Coach pages it sent.")
            return
        if scope["type"] == "http" and scope["path"] == "/pair":
            await self._pair(Request(scope, receive))(scope, receive, send)
            return
        device = self.pairing.device(conn.cookies.get(TOKEN_COOKIE))
        if device is None:
            await _refuse(scope, receive, send, 401, NOT_PAIRED)
            return
        scope = {**scope, SCOPE_KEY: device}
        if scope["type"] == "websocket":
            await self._watched(scope, receive, send, device)
        else:
            await self.app(scope, receive, send)

    async def _watched(self, scope: Scope, receive: Receive, send: Send, device: Device) -> None:
        """Run the WebSocket app; when the device is revoked, close the socket and tell the app it disconnected."""
        loop = asyncio.get_running_loop()
        revoked = asyncio.Event()
        unwatch = self.pairing.watch(device.device_id, lambda: loop.call_soon_threadsafe(revoked.set))
        closed = False

        async def guarded_receive() -> Message:
            nonlocal closed
            if not revoked.is_set():
                incoming = asyncio.ensure_future(receive())
                stop = asyncio.ensure_future(revoked.wait())
                try:
                    await asyncio.wait({incoming, stop}, return_when=asyncio.FIRST_COMPLETED)
                except asyncio.CancelledError:
                    incoming.cancel()
                    raise
                finally:
                    stop.cancel()
                if not revoked.is_set():
                    return incoming.result()
                incoming.cancel()  # revoked: whatever the device sent last is not handled
            if not closed:
                closed = True
                await send({"type": "websocket.close", "code": CLOSE_UNPAIRED,
                            "reason": "This device was unpaired on the computer."})
            return {"type": "websocket.disconnect", "code": CLOSE_UNPAIRED}

        async def guarded_send(message: Message) -> None:
            if not revoked.is_set():  # after a revoke nothing more reaches the device
                await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        finally:
            unwatch()

    def _pair(self, request: Request) -> ASGIApp:
        """The ASGI response for /pair: the form (GET) or the result of entering a code (POST)."""
        if request.method == "GET":
            if self.pairing.device(request.cookies.get(TOKEN_COOKIE)) is not None:
                return RedirectResponse("/", 303)
            code = request.query_params.get("code", "")
            return _page(code if code.isdigit() else "", device_label(request.headers.get("user-agent", "")), "")
        if request.method != "POST":
            return PlainTextResponse("Method not allowed", 405, headers={"Allow": "GET, POST"})
        return _Redeem(self.pairing)


class _Redeem:
    """POST /pair: read the small form, redeem the code, set the cookie and go to the overlay."""

    def __init__(self, pairing: Pairing) -> None:
        self.pairing = pairing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        form = await _read_form(Request(scope, receive))
        if form is None:
            response: Response = PlainTextResponse("The form is too large.", 413)
        else:
            code, name = form.get("code", ""), form.get("name", "")
            try:
                _device, token = self.pairing.redeem(code, name)
            except PairingRefused as refused:
                response = _page("", name, refused.message, refused.status)
            else:
                response = RedirectResponse("/", 303, headers=PAGE_HEADERS)
                response.set_cookie(TOKEN_COOKIE, token, path="/", secure=True, httponly=True, samesite="strict")
        await response(scope, receive, send)


async def _read_form(request: Request) -> dict[str, str] | None:
    """The url-encoded form's first value per field; None when it is larger than MAX_FORM_BYTES or has more than
    MAX_FORM_FIELDS fields."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        return None
    return {key: values[0] for key, values in fields.items()}


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
    """An HTTP error, or for a WebSocket the same HTTP answer to its upgrade (a plain 403 where the server cannot).
    A browser that is not paired (or no longer: the coach restarted) gets a link to the code form."""
    response: Response = PlainTextResponse(text, status, headers={"Cache-Control": "no-store"})
    if status == 401 and "text/html" in HTTPConnection(scope).headers.get("accept", ""):
        response = HTMLResponse(f'<!doctype html><meta name="viewport" content="width=device-width, '
                                f'initial-scale=1"><title>Not paired</title><p>{html.escape(text)}</p>'
                                '<p><a href="/pair">Pair this device</a></p>', status, headers=PAGE_HEADERS)
    if scope["type"] == "http":
        await response(scope, receive, send)
        return
    websocket = WebSocket(scope, receive, send)
    if "websocket.http.response" in scope.get("extensions", {}):
        await websocket.send_denial_response(response)
    else:
        await websocket.close(code=1008)


def device_label(user_agent: str) -> str:
    """A name for the device list, guessed from its browser ("Android phone, Chrome"); the person can change it."""
    kinds = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android phone"), ("Mac OS X", "Mac"),
             ("Windows", "Windows computer"), ("Linux", "Linux computer"))
    browsers = (("Firefox/", "Firefox"), ("EdgA/", "Edge"), ("Edg/", "Edge"), ("CriOS/", "Chrome"),
                ("Chrome/", "Chrome"), ("Safari/", "Safari"))
    kind = next((label for key, label in kinds if key in user_agent), "Device")
    browser = next((label for key, label in browsers if key in user_agent), "")
    return f"{kind}, {browser}" if browser else kind


def _page(code: str, name: str, message: str, status: int = 200) -> HTMLResponse:
    """The pairing form: one page, inline style, no script (the CSP allows none)."""
    note = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return HTMLResponse(PAIR_PAGE.format(note=note, code=html.escape(code), name=html.escape(name[:MAX_NAME_CHARS]),
                                         max_name=MAX_NAME_CHARS), status, headers=PAGE_HEADERS)


PAIR_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pair with Stride Coach</title>
<style>
body {{ font: 18px/1.4 system-ui, sans-serif; background: #10151c; color: #e8eef5; margin: 0; padding: 1.5rem; }}
main {{ max-width: 26rem; margin: auto; }}
label {{ display: block; margin: 1rem 0 .3rem; }}
input {{ font: inherit; width: 100%; box-sizing: border-box; padding: .6rem; border-radius: .4rem; border: 0; }}
input[name=code] {{ font-size: 1.8rem; letter-spacing: .3rem; text-align: center; }}
button {{ font: inherit; margin-top: 1.2rem; width: 100%; padding: .8rem; border: 0; border-radius: .4rem;
         background: #38e08a; color: #08130d; font-weight: 600; }}
.error {{ background: #5a1d16; padding: .6rem; border-radius: .4rem; }}
small {{ color: #9fb0c2; }}
</style>
</head>
<body>
<main>
<h1>Pair with Stride Coach</h1>
<p>Enter the code the computer shows under <b>Use another device</b>. This device can then show the coach and use
its camera for it, until the computer unpairs it or the coach stops.</p>
{note}
<form method="post" action="/pair">
<label for="code">Code</label>
<input id="code" name="code" value="{code}" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*"
       maxlength="7" required data-testid="pair-code">
<label for="name">Name of this device <small>(shown on the computer)</small></label>
<input id="name" name="name" value="{name}" maxlength="{max_name}" data-testid="pair-name">
<button type="submit" data-testid="pair-button">Pair this device</button>
</form>
</main>
</body>
</html>
"""
