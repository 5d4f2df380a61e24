"""JSON endpoints for the history page (web/history.html), as an APIRouter the server includes.

    app.include_router(history_router(data_dir))     # data_dir: None = COACH_DATA_DIR or the user data dir

GET  /api/history/summary?since=&today=&routine=   calendar + streak, left/right balance, ROM trends, notes
GET  /api/history/sessions?since=&routine=        sessions with totals, newest first
GET  /api/history/sessions/{id}           one session with its sets, reps, holds, ROM figures and cues
PUT  /api/history/sessions/{id}/note      {"note": "after-run" | "rest-day" | null}: tag a session afterwards
GET  /api/history/export?format=csv|json  the whole history as a download

Each request opens its own connection (WAL lets it read while the live coach writes), so the page keeps
working even when the live recorder has switched itself off. When the server listens on loopback only, requests
must name a loopback Host, which keeps a DNS-rebinding page from reading the history; a device paired over the LAN
(`coach serve --pair`) reads it only if it was given access when it was paired.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict

from coach.events import DayKind
from coach.history import insights
from coach.history.export import export_csv, export_json, session_json, set_json
from coach.history.store import HistoryError, HistoryStore
from coach.pairing.guard import paired_device

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: DayKind | None


def history_router(data_dir: str | os.PathLike[str] | None = None, *, loopback_only: bool = True) -> APIRouter:
    """The history API over the database in ``data_dir``."""

    def check_host(request: Request) -> None:
        device = paired_device(request)
        if device is not None:  # a paired device over the LAN listener (its guard checked Host and Origin)
            if not device.allow_history:
                raise HTTPException(403, "This device was paired without access to the history.")
            return
        host = (request.headers.get("host") or "").rsplit(":", 1)[0].lower()
        if loopback_only and host not in LOOPBACK_HOSTS:
            raise HTTPException(403, "The history is only served to this computer.")

    router = APIRouter(prefix="/api/history", tags=["history"], dependencies=[Depends(check_host)])

    @contextmanager
    def store() -> Iterator[HistoryStore]:
        try:
            with HistoryStore.open(data_dir) as opened:
                yield opened
        except HistoryError as exc:
            raise HTTPException(503, str(exc)) from exc

    @router.get("/summary")
    def summary(since: date | None = None, today: date | None = None, routine: str | None = None) -> dict[str, Any]:
        with store() as s:
            return insights.summarize(s, today or date.today(), since, routine or None)

    @router.get("/sessions")
    def sessions(since: date | None = None, routine: str | None = None) -> dict[str, Any]:
        with store() as s:
            rows = insights.sessions_of(s, since, routine or None)
            return {"sessions": [session_json(row) for row in reversed(rows)]}

    @router.get("/sessions/{session_id}")
    def session(session_id: int) -> dict[str, Any]:
        with store() as s:
            row = s.session(session_id)
            if row is None:
                raise HTTPException(404, f"There is no session {session_id}.")
            return {**session_json(row), "sets": [set_json(i, r) for i, r in s.sets(session_id)]}

    @router.put("/sessions/{session_id}/note")
    def set_note(session_id: int, body: NoteIn, request: Request) -> dict[str, Any]:
        origin = request.headers.get("origin")
        if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
            raise HTTPException(403, "Only the Stride Coach page may change the history.")
        with store() as s:
            if not s.set_note(session_id, body.note):
                raise HTTPException(404, f"There is no session {session_id}.")
            row = s.session(session_id)
            assert row is not None
            return session_json(row)

    @router.get("/export")
    def export(fmt: Literal["csv", "json"] = Query("json", alias="format")) -> Response:
        with store() as s:
            if fmt == "csv":
                body, media = export_csv(s), "text/csv"
            else:
                body, media = json.dumps(export_json(s), indent=2), "application/json"
        name = f"stride-coach-history.{fmt}"
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    return router
