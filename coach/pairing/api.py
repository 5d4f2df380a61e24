"""The overlay's pairing sheet, on this computer only: the code, its QR code, the address and the certificate's
fingerprint, the paired devices, and revoking one.

GET    /api/pairing                     the sheet's state (the current code, or null once used or expired)
POST   /api/pairing/code                {"allow_history": bool} -> a new code (the previous one stops working)
DELETE /api/pairing/devices/{id}        unpair a device: its token and open WebSocket stop at once -> 204

Only the loopback listener answers (a paired device gets 403, so no phone can mint codes or unpair others), with the
server's same-origin guard. The QR code is an SVG made here by `segno` from the pairing URL, which carries the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict

from coach.pairing.guard import paired_device
from coach.pairing.listener import Lan
from coach.pairing.registry import OneTimeCode

QR_SCALE = 4  # pixels per module in the SVG's own size; the page scales it with CSS


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow_history: bool = False


def pairing_router(lan: Lan, guard: Callable[[Request], None]) -> APIRouter:
    """The sheet's API over `lan`; `guard(request)` is the server's same-origin check for the loopback listener."""

    def this_computer(request: Request) -> None:
        if paired_device(request) is not None:
            raise HTTPException(403, "Devices are paired from the computer that runs the coach.")
        guard(request)

    router = APIRouter(prefix="/api/pairing", tags=["pairing"], dependencies=[Depends(this_computer)])
    pairing = lan.pairing

    def state() -> dict[str, Any]:
        code = pairing.current_code()
        return {
            "url": lan.url,
            "fingerprint_sha256": lan.certificate.fingerprint_sha256,
            "locked_s": round(pairing.locked_s()),
            "code": _code_json(lan, code) if code is not None else None,
            "devices": [{"device_id": d.device_id, "name": d.name, "allow_history": d.allow_history}
                        for d in pairing.devices()],
        }

    @router.get("")
    async def show() -> dict[str, Any]:
        return state()

    @router.post("/code")
    async def new_code(body: CodeRequest) -> dict[str, Any]:
        pairing.new_code(allow_history=body.allow_history)
        return state()

    @router.delete("/devices/{device_id}", status_code=204)
    async def revoke(device_id: str) -> Response:
        if not pairing.revoke(device_id):
            raise HTTPException(404, "No paired device has that id.")
        return Response(status_code=204)

    return router


def _code_json(lan: Lan, code: OneTimeCode) -> dict[str, Any]:
    pair_url = f"{lan.url}pair?code={code.code}"
    return {
        "code": code.code,
        "expires_in_s": round(code.expires_at_s - lan.pairing.now_s()),
        "allow_history": code.allow_history,
        "pair_url": pair_url,
        "qr_svg": segno.make(pair_url, error="m").svg_inline(scale=QR_SCALE, border=2, omitsize=True, dark="#000",
                                                             light="#fff"),
    }
