"""Resident memory after each of N session starts on one `coach serve` app: the server's own code path (a WebSocket
`start` -> `Coach.start` -> a LiveSession over the clip), each start replacing the running session after `--frames`
pose events, as a user pressing start again does. Memory that grows with every start shows up here and not in
`coach bench soak`, which runs one long session.

    .venv/bin/python scripts/session_rss.py --starts 10 --frames 100
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fastapi.testclient import TestClient

from coach.bench.results import current_rss_mb, load_average
from coach.events import Settings
from coach.server import ServeConfig, create_app

CLIP = Path(__file__).resolve().parent.parent / "sample_videos" / "bridge_march_a.mp4"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--frames", type=int, default=100, help="pose events to wait for before the next start")
    parser.add_argument("--clip", type=Path, default=CLIP)
    args = parser.parse_args()
    config = ServeConfig(source_spec=str(args.clip), source_kind="file", source_name=args.clip.name, speed=0,
                         settings=Settings(mode="follow"), keep_history=False)
    print(f"before the app: RSS {current_rss_mb():.0f} MB, load {load_average()}")
    with TestClient(create_app(config)) as client, client.websocket_connect("/ws") as ws:
        ws.receive_text()  # hello
        for start in range(1, args.starts + 1):
            ws.send_text(json.dumps({"type": "start", "settings": {"mode": "follow"}}))
            poses, counting = 0, False  # the last session's queued poses may still arrive: count from frame 0
            while poses < args.frames:
                message = ws.receive()
                if message.get("text") is not None:
                    event = json.loads(message["text"])
                    if event["type"] == "error":
                        raise SystemExit(f"session {start} failed: {event['message']}")
                    if event["type"] == "pose":
                        counting = counting or event["frame_index"] == 0
                        poses += counting
            print(f"start {start:2d}: RSS {current_rss_mb():.0f} MB")
    print(f"after shutdown: RSS {current_rss_mb():.0f} MB, load {load_average()}")


if __name__ == "__main__":
    main()
