"""The "Analyse a video" API: streamed uploads, their limits and errors, the analysis job and its outputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from fastapi.testclient import TestClient

from coach.history import HistoryStore
from coach.server import ServeConfig, create_app

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def client(tmp_path: Path, uploads: Path) -> Iterator[TestClient]:
    config = ServeConfig(history_dir=str(tmp_path / "history"), upload_dir=str(uploads), max_upload_bytes=50_000)
    with TestClient(create_app(config), base_url=BASE) as test_client:
        yield test_client


def left_behind(uploads: Path) -> list[Path]:
    return sorted(uploads.rglob("*"))


def sessions(tmp_path: Path) -> int:
    with HistoryStore.open(tmp_path / "history") as store:
        return len(store.sessions())


@pytest.mark.parametrize(
    ("body", "status", "sentence"),
    [
        (b"not a video\n", 415, "notes.mp4 is not a video file FFmpeg can read."),
        (b"", 400, "notes.mp4 is empty."),
        (b"\0" * 50_001, 413, "That file is larger than 0.05 MB; trim the video or export it at a lower size."),
    ],
    ids=["text", "empty", "too-large"],
)
def test_refused_uploads_leave_nothing(client: TestClient, uploads: Path, tmp_path: Path, body: bytes, status: int,
                                       sentence: str) -> None:
    answer = client.post("/api/videos?name=notes.mp4", content=body)
    assert (answer.status_code, answer.json()["detail"]) == (status, sentence)
    assert left_behind(uploads) == []
    assert sessions(tmp_path) == 0


def test_a_cut_mp4_is_refused(client: TestClient, uploads: Path, make_bad_video) -> None:
    answer = client.post("/api/videos?name=cut.mp4", content=make_bad_video("cut.mp4").read_bytes())
    assert answer.status_code == 415
    assert answer.json()["detail"] == "cut.mp4 looks like an MP4 video but cannot be read; it is truncated or corrupt."
    assert left_behind(uploads) == []


def test_a_declared_size_over_the_limit_is_refused_before_reading(client: TestClient, uploads: Path) -> None:
    def endless() -> Iterator[bytes]:
        raise AssertionError("the body was read")
        yield b""

    answer = client.post("/api/videos?name=big.mp4", content=endless(), headers={"Content-Length": "2000000000"})
    assert answer.status_code == 413
    assert left_behind(uploads) == []


def test_other_origins_and_hosts_are_refused(client: TestClient, make_video) -> None:
    video = make_video("room.mp4", 5).read_bytes()
    foreign = client.post("/api/videos?name=room.mp4", content=video, headers={"Origin": "http://evil.example"})
    rebound = client.get("/api/videos", headers={"Host": "evil.example:8000"})
    assert (foreign.status_code, rebound.status_code) == (403, 403)


def test_a_video_is_analysed_annotated_and_offered(client: TestClient, uploads: Path, tmp_path: Path,
                                                   make_video) -> None:
    answer = client.post("/api/videos?name=room.mp4", content=make_video("room.mp4", 12, fps=24).read_bytes())
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["state"] == "analysing"
    assert client.app.state.videos.latest.finished.wait(120)
    done = client.get(f"/api/videos/{job['job']}").json()
    assert (done["state"], done["error"], done["frames_done"], done["frames_total"]) == ("done", None, 12, 12)
    assert done["report"]["frames"] == 12 and done["report"]["video"] == "room.mp4"
    video = client.get(done["video_url"])
    assert video.headers["content-type"] == "video/mp4"
    (tmp_path / "got.mp4").write_bytes(video.content)
    with av.open(str(tmp_path / "got.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) == 12
    report = client.get(f"/api/videos/{job['job']}/report.json")
    assert report.json() == done["report"]
    assert 'filename="room.json"' in report.headers["content-disposition"]
    saved = client.post(f"/api/videos/{job['job']}/save")  # an empty room: nothing to keep
    assert saved.status_code == 422 and "nothing to save" in saved.json()["detail"]
    assert sessions(tmp_path) == 0
    assert client.get("/api/videos").json()["uploading"] == 0
    assert len(list(uploads.iterdir())) == 1  # the latest job's folder stays for the page until the next upload


def test_the_temporary_uploads_folder_exists_only_from_an_upload_to_shutdown(tmp_path: Path, monkeypatch,
                                                                             make_video) -> None:
    """Without an upload_dir the uploads go to a temporary folder: a server never sent a video leaves none behind
    (each start used to make one, and an app not shut down cleanly, like most test clients, left it empty in /tmp)."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    app = create_app(ServeConfig(history_dir=str(tmp_path / "history")))
    with TestClient(app, base_url=BASE) as client:
        assert list(temp.iterdir()) == []
        answer = client.post("/api/videos?name=room.mp4", content=make_video("room.mp4", 6, fps=24).read_bytes())
        assert answer.status_code == 202, answer.text
        assert app.state.videos.latest.finished.wait(120)
        assert [p.name.startswith("stride-coach-uploads-") for p in temp.iterdir()] == [True]
    assert list(temp.iterdir()) == []
