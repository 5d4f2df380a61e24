"""Where results go and what they say about the machine: every results file names its CPU, cores and load."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path("bench/results")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages (other work on a shared machine skews timings: results record it)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def machine() -> dict[str, Any]:
    import mediapipe

    return {"cpu": cpu_model(), "cores": os.cpu_count(), "machine": platform.machine(), "system": platform.system(),
            "python": platform.python_version(), "mediapipe": mediapipe.__version__, "gpu": "none used (CPU delegate)"}


def stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def write_results(kind: str, name: str | None, payload: dict[str, Any], markdown: str, out_dir: Path) -> Path:
    """Write `<out_dir>/<kind>-<name or timestamp>.json` and the `.md` beside it; returns the JSON path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{kind}-{name or stamp()}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(markdown + "\n", encoding="utf-8")
    return path


def current_rss_mb() -> float:
    """Resident memory now (Linux /proc; elsewhere the peak so far, which can only overstate growth)."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return peak_rss_mb()
    return round(resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
