"""JSON endpoints for the start sheet's routine picker and editor, as an APIRouter the server includes.

GET    /api/routines          {"routines": [...], "builtin": 4, "last_used": name}: presets first, then the person's
GET    /api/routines/{name}   one routine
POST   /api/routines          a Routine as JSON: saved (a routine of the person's with that name is replaced)
DELETE /api/routines/{name}   remove one of the person's routines (presets: 409)

The body of a save is checked by `coach.routines.parse_routine`, so the page gets the same one sentence as
`coach routines import`. Like the history API: loopback Host only when the server listens on loopback (no
DNS-rebinding page may read or change them), and changes only from the coach's own page (same Origin as Host). A
device paired over the LAN (`coach serve --pair`) may use them: it starts sessions like the computer's own tab.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from coach.history.api import LOOPBACK_HOSTS
from coach.pairing.guard import paired_device
from coach.routines.model import PRESET_NAMES, RoutineError, is_preset, parse_routine
from coach.routines.store import RoutineStore


def routines_router(store: RoutineStore, *, loopback_only: bool = True) -> APIRouter:
    def check_host(request: Request) -> None:
        if paired_device(request) is not None:
            return  # a paired device over the LAN listener, whose guard checked Host and Origin: it runs sessions too
        host = (request.headers.get("host") or "").rsplit(":", 1)[0].lower()
        if loopback_only and host not in LOOPBACK_HOSTS:
            raise HTTPException(403, "Routines are only served to this computer.")

    def check_origin(request: Request) -> None:
        origin = request.headers.get("origin")
        if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
            raise HTTPException(403, "Only the Stride Coach page may change the routines.")

    router = APIRouter(prefix="/api/routines", tags=["routines"], dependencies=[Depends(check_host)])

    def unusable(exc: RoutineError) -> HTTPException:
        return HTTPException(503, str(exc))

    @router.get("")
    def listing() -> dict[str, Any]:
        try:
            return {"routines": [r.model_dump() for r in store.routines()], "builtin": len(PRESET_NAMES),
                    "last_used": store.last_used().name}
        except RoutineError as exc:
            raise unusable(exc) from exc

    @router.get("/{name}")
    def one(name: str) -> dict[str, Any]:
        try:
            return store.get(name).model_dump()
        except RoutineError as exc:
            raise HTTPException(404, str(exc)) from exc

    @router.post("", dependencies=[Depends(check_origin)])
    async def save(request: Request) -> dict[str, Any]:
        try:
            routine = parse_routine(await request.body())
        except RoutineError as exc:
            raise HTTPException(422, str(exc)) from exc
        try:
            replaced = store.save(routine)
        except RoutineError as exc:
            raise HTTPException(409, str(exc)) from exc  # a preset's name, too many routines, or a full disk
        return {"routine": routine.model_dump(), "replaced": replaced}

    @router.delete("/{name}", dependencies=[Depends(check_origin)])
    def delete(name: str) -> dict[str, Any]:
        if is_preset(name):
            raise HTTPException(409, f"{name!r} is a built-in routine and cannot be deleted.")
        try:
            return {"deleted": store.delete(name).name}
        except RoutineError as exc:
            raise HTTPException(404, str(exc)) from exc

    return router
