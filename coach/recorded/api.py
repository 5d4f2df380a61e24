"""HTTP endpoints of the "Analyse a video" page (web/analyse.html), as an APIRouter the server includes.

POST /api/videos?name=NAME         the file as the raw request body, streamed to disk -> 202 {job status}
                                   413 larger than the limit, 400 empty, 415 not a video, 409 one is running
GET  /api/videos                   {"uploading": n, "latest": job status | null}
GET  /api/videos/{id}              job status: state, frames_done/frames_total, error, report when done
GET  /api/videos/{id}/annotated.mp4  the annotated video (byte ranges, so the page can seek)
GET  /api/videos/{id}/report.json  the replay report as a download
POST /api/videos/{id}/save         store the report in the history -> {"session_id": n}

Progress is polled (GET /api/videos/{id}) rather than pushed: the page asks twice a second, the answer is the
job's own frame counter, and no connection has to outlive an upload. The server passes in its request guard, so
these endpoints follow the same loopback-Host and same-Origin rules as the WebSocket.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from starlette.requests import ClientDisconnect

from coach.recorded.jobs import ANNOTATED_NAME, Job, UploadAborted, UploadRefused, VideoJobs


def video_router(jobs: VideoJobs, guard: Callable[[Request], None],
                 history_dir: str | os.PathLike[str] | None = None) -> APIRouter:
    """The page's API over `jobs`; `guard(request)` raises HTTPException for a request from elsewhere."""
    router = APIRouter(prefix="/api/videos", tags=["videos"], dependencies=[Depends(guard)])

    def job_or_404(job_id: int) -> Job:
        job = jobs.job(job_id)
        if job is None:
            raise HTTPException(404, f"There is no video {job_id} here (only the latest one is kept).")
        return job

    def finished(job_id: int) -> Job:
        job = job_or_404(job_id)
        if job.state != "done":
            raise HTTPException(409, "The analysis of that video has not finished.")
        return job

    @router.post("", status_code=202)
    async def upload(request: Request, name: str = "video") -> Any:
        declared = request.headers.get("content-length")
        try:
            job = await jobs.receive(name, request.stream(), int(declared) if declared else None)
        except UploadRefused as exc:
            return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers={"Connection": "close"})
        except (ClientDisconnect, UploadAborted):
            return Response(status_code=400)  # nobody is listening; the stored part is already removed
        return job.status()

    @router.get("")
    def overview() -> dict[str, Any]:
        return {"uploading": jobs.receiving, "latest": jobs.latest.status() if jobs.latest else None}

    @router.get("/{job_id}")
    def status(job_id: int) -> dict[str, Any]:
        return job_or_404(job_id).status()

    @router.get(f"/{{job_id}}/{ANNOTATED_NAME}")
    def annotated(job_id: int) -> FileResponse:
        job = finished(job_id)
        return FileResponse(job.folder / ANNOTATED_NAME, media_type="video/mp4")

    @router.get("/{job_id}/report.json")
    def report(job_id: int) -> Response:
        job = finished(job_id)
        stem = "".join(c for c in os.path.splitext(os.path.basename(job.name))[0] if c.isalnum() or c in "-_")
        stem = stem or "video"  # only safe characters reach the header
        return Response(json.dumps(job.report, indent=2) + "\n", media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{stem}.json"'})

    @router.post("/{job_id}/save")
    def save(job_id: int) -> dict[str, Any]:
        from coach.history import HistoryError, save_replay_report

        job = finished(job_id)
        if job.saved_session is None:
            assert job.report is not None
            try:
                job.saved_session = save_replay_report(job.report, history_dir)
            except HistoryError as exc:
                raise HTTPException(422, str(exc)) from None
        return {"session_id": job.saved_session}

    return router
