"""Session history: the SQLite store (``store``), its HTTP API (``api``), exports (``export``) and notes (``insights``).

The store's public names are re-exported here so callers write ``from coach.history import HistoryStore``. The
API, export and insights modules are imported by name (``coach.history.api``) because the API pulls in FastAPI,
which ``coach replay --save`` and ``coach history`` do not need.
"""

from coach.history.store import (
    DB_FILENAME,
    HistoryError,
    HistoryRecorder,
    HistoryStore,
    RepRecord,
    SessionRow,
    SetRecord,
    resolve_data_dir,
    save_replay_report,
)

__all__ = [
    "DB_FILENAME",
    "HistoryError",
    "HistoryRecorder",
    "HistoryStore",
    "RepRecord",
    "SessionRow",
    "SetRecord",
    "resolve_data_dir",
    "save_replay_report",
]
