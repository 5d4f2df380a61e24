"""One recorded video at a time: stored from an upload stream, checked by the decoder, analysed, annotated.

The upload goes chunk by chunk into a file of its own folder under the uploads folder (never whole into memory) and
stops at `max_bytes`; anything that goes wrong before the analysis starts (too large, empty, cut off, not a video)
removes that folder, so nothing is left behind. The analysis is `coach.replay.replay_video` plus
`coach.recorded.annotate.write_annotated` on a worker thread, reporting frames done for the page's progress bar.
Only the latest video is kept: a new upload removes the previous one's files.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from coach.errors import CoachError
from coach.sources import FileSource, SourceError

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 1_000_000_000  # 1 GB: about an hour of 1080p phone video
ANNOTATED_NAME = "annotated.mp4"
JobState = Literal["analysing", "annotating", "done", "failed"]


class UploadRefused(CoachError):
    """The upload was not stored; `status` is the HTTP status, str() one sentence for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class UploadAborted(Exception):
    """The client went away before the whole file arrived."""


class _Cancelled(Exception):
    """The server is shutting down; the analysis stops at the next frame."""


@dataclass
class Job:
    job_id: int
    name: str
    folder: Path
    video: Path
    state: JobState = "analysing"
    frames_done: int = 0
    frames_total: int | None = None
    error: str | None = None
    warning: str | None = None
    report: dict[str, Any] | None = None
    saved_session: int | None = None
    finished: threading.Event = field(default_factory=threading.Event, repr=False)  # set when done or failed

    def status(self) -> dict[str, Any]:
        """What the page shows: progress while running, then the report (or the error) and the moves' titles."""
        from coach.moves import MOVES

        found = self.report["moves"] if self.report else {}
        return {
            "titles": {move_id: MOVES[move_id].title for move_id in found if move_id in MOVES},
            "job": self.job_id, "name": self.name, "state": self.state, "frames_done": self.frames_done,
            "frames_total": self.frames_total, "error": self.error, "warning": self.warning, "report": self.report,
            "saved_session": self.saved_session,
            "video_url": f"/api/videos/{self.job_id}/{ANNOTATED_NAME}" if self.state == "done" else None,
        }


class VideoJobs:
    """The uploads folder, the receiving uploads and the latest job."""

    def __init__(self, folder: Path | None = None, max_bytes: int = MAX_UPLOAD_BYTES, model: str = "full") -> None:
        self._own_folder = folder is None
        self._folder = folder
        self.max_bytes = max_bytes
        self.model = model
        self.receiving = 0
        self.latest: Job | None = None
        self._ids = itertools.count(1)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def folder(self) -> Path:
        """Made on the first upload: a server that is never sent a video leaves no empty folder in the temp dir
        (every start of the app, the test suite's included, made one, and only a clean shutdown removed it)."""
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="stride-coach-uploads-"))
        self._folder.mkdir(parents=True, exist_ok=True)
        return self._folder

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    async def receive(self, name: str, chunks: AsyncIterator[bytes], declared_bytes: int | None) -> Job:
        """Store an upload and check it opens as a video; raises UploadRefused / UploadAborted (folder removed)."""
        if self.busy:
            raise UploadRefused(409, "Another video is still being analysed; wait for it to finish.")
        if declared_bytes is not None and declared_bytes > self.max_bytes:
            raise UploadRefused(413, self._too_large())
        job_id = next(self._ids)
        folder = Path(tempfile.mkdtemp(prefix=f"job-{job_id}-", dir=self.folder))
        video = folder / f"upload{_suffix(name)}"
        self.receiving += 1
        try:
            size = 0
            with video.open("wb") as handle:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise UploadRefused(413, self._too_large())
                    handle.write(chunk)
            if size == 0:
                raise UploadRefused(400, f"{name} is empty.")
            if declared_bytes is not None and size < declared_bytes:
                raise UploadAborted
            await asyncio.to_thread(_check_video, video, name)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            self.receiving -= 1
        return self._start(Job(job_id, name, folder, video))

    def _too_large(self) -> str:
        limit = f"{self.max_bytes / 1e9:g} GB" if self.max_bytes >= 1e9 else f"{self.max_bytes / 1e6:g} MB"
        return f"That file is larger than {limit}; trim the video or export it at a lower size."

    def _start(self, job: Job) -> Job:
        previous, self.latest = self.latest, job
        if previous is not None:
            shutil.rmtree(previous.folder, ignore_errors=True)
        self._thread = threading.Thread(target=self._run, args=(job,), name=f"coach-video-{job.job_id}", daemon=True)
        self._thread.start()
        return job

    def _run(self, job: Job) -> None:
        from coach.recorded.annotate import write_annotated
        from coach.replay import replay_video

        def progress(done: int, total: int | None) -> None:
            if self._cancel.is_set():
                raise _Cancelled
            job.frames_done, job.frames_total = done, total

        try:
            result = replay_video(job.video, variant=self.model, on_frame=progress)
            job.frames_done, job.frames_total, job.state = 0, result.frames, "annotating"
            write_annotated(result, job.folder / ANNOTATED_NAME, on_frame=progress)
            job.report = {**result.report(), "video": job.name}
            if result.ended_early:
                job.warning = "The video ended at a damaged frame, so only the part before it was analysed."
            job.state = "done"
        except _Cancelled:
            job.state, job.error = "failed", "The server stopped before the analysis finished."
        except CoachError as exc:
            job.state, job.error = "failed", str(exc).replace(str(job.video), job.name)
        except Exception as exc:  # the job fails, the server lives: say why on the page
            log.exception("analysing %s failed", job.name)
            job.state, job.error = "failed", f"The analysis stopped: {exc}."
        finally:
            job.finished.set()

    def job(self, job_id: int) -> Job | None:
        return self.latest if self.latest is not None and self.latest.job_id == job_id else None

    def close(self) -> None:
        """Stop a running analysis and remove every stored file (server shutdown)."""
        self._cancel.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.latest is not None:
            shutil.rmtree(self.latest.folder, ignore_errors=True)
        if self._own_folder and self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _suffix(name: str) -> str:
    """The upload's extension when it is a plain one (the decoder guesses some formats from it), else none."""
    suffix = Path(name).suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""


def _check_video(path: Path, name: str) -> None:
    """Open it with the decoder (the first frame is decoded): the user's file name in the sentence, not ours."""
    try:
        with FileSource(path):
            pass
    except SourceError as exc:
        raise UploadRefused(415, str(exc).replace(str(path), name)) from None
