"""The person's own routines: one JSON file (``routines.json``) in the data folder, beside the history database.

Why a JSON file and not a table in the history: routines are a handful of small documents a person may export,
import and read, and they must survive a history that is reset or unreadable. The file is validated with the same
``Routine`` model the server and the CLI use. A file that cannot be read is never silently emptied: it is renamed
aside (``routines.json.corrupt-<stamp>``), the problem is reported once (``warning``), and the built-in routines carry
on. Every write goes to a temporary file first and replaces the old one in one step, so a crash mid-write leaves the
previous version. The built-in presets live in code, are listed first, and cannot be saved over or deleted.
"""

from __future__ import annotations

import json
import os
import threading
import time

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coach.events import Settings
from coach.history.store import resolve_data_dir
from coach.routines.model import FULL_CIRCUIT, Routine, RoutineError, describe_error, is_preset, presets

ROUTINES_FILENAME = "routines.json"
MAX_ROUTINES = 50  # own routines kept; a person mixes a few, this keeps the file (and the picker) small
MAX_STORE_BYTES = 1_000_000  # 50 routines are ~15 kB; a bigger file is not ours


class RoutineFile(BaseModel):
    """The stored file: the person's routines and the name of the one used last (the start sheet's default)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(1, ge=1, le=1)
    last_used: str | None = None
    routines: list[Routine] = Field(default_factory=list, max_length=MAX_ROUTINES)

    @model_validator(mode="after")
    def _names(self) -> RoutineFile:
        seen: set[str] = set()
        for routine in self.routines:
            key = routine.name.casefold()
            if key in seen or is_preset(routine.name):
                raise ValueError(f"the name {routine.name!r} is used twice or by a built-in routine")
            seen.add(key)
        return self


class RoutineStore:
    """Presets plus the routines in ``routines.json``; methods raise ``RoutineError`` with one sentence."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, base: Settings | None = None) -> None:
        self.path = resolve_data_dir(data_dir) / ROUTINES_FILENAME
        self.base = base or Settings()
        self.warning: str | None = None  # set when a corrupted file was set aside; the caller reports it
        self._lock = threading.Lock()  # the server's request threads share one store

    # reading

    def routines(self) -> list[Routine]:
        """Presets first, then the person's own in the order they were saved."""
        with self._lock:
            return presets(self.base) + self._read().routines

    def get(self, name: str) -> Routine:
        key = " ".join(name.split()).casefold()
        for routine in self.routines():
            if routine.name.casefold() == key:
                return routine
        raise RoutineError(f"There is no routine named {name!r}; `coach routines list` shows them.")

    def last_used(self) -> Routine:
        """The routine used last, or the Full circuit for a first-time user (or when the last one was deleted)."""
        with self._lock:
            name = self._read().last_used
        try:
            return self.get(name) if name else self.get(FULL_CIRCUIT)
        except RoutineError:
            return self.get(FULL_CIRCUIT)

    # writing

    def save(self, routine: Routine) -> bool:
        """Add a routine, or replace the person's own routine of that name; True when one was replaced."""
        if is_preset(routine.name):
            raise RoutineError(f"{routine.name!r} is a built-in routine; save yours under another name.")
        with self._lock:
            stored = self._read()
            kept = [r for r in stored.routines if r.name.casefold() != routine.name.casefold()]
            if len(kept) >= MAX_ROUTINES:
                raise RoutineError(f"You have {MAX_ROUTINES} routines already; delete one before saving another.")
            replaced = len(kept) < len(stored.routines)
            self._write(stored.model_copy(update={"routines": [*kept, routine]}))
            return replaced

    def delete(self, name: str) -> Routine:
        """Remove one of the person's own routines; presets stay."""
        if is_preset(name):
            raise RoutineError(f"{name!r} is a built-in routine and cannot be deleted.")
        with self._lock:
            stored = self._read()
            key = " ".join(name.split()).casefold()
            found = [r for r in stored.routines if r.name.casefold() == key]
            if not found:
                raise RoutineError(f"There is no routine of yours named {name!r}; `coach routines list` shows them.")
            self._write(stored.model_copy(update={"routines": [r for r in stored.routines if r not in found]}))
            return found[0]

    def mark_used(self, name: str) -> None:
        """Remember the routine a session started with, for the next start sheet."""
        with self._lock:
            stored = self._read()
            if stored.last_used != name:
                self._write(stored.model_copy(update={"last_used": name}))

    # the file

    def _read(self) -> RoutineFile:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return RoutineFile()
        except OSError as exc:
            raise RoutineError(f"Cannot read the saved routines at {self.path}: {exc.strerror}.") from exc
        try:
            if len(data) > MAX_STORE_BYTES:
                raise ValueError(f"it is {len(data)} bytes, more than {MAX_STORE_BYTES}")
            return RoutineFile.model_validate(json.loads(data))
        except ValidationError as exc:
            problem = describe_error(exc).rstrip(".")
        except (ValueError, UnicodeDecodeError) as exc:
            problem = str(exc)
        self._set_aside(problem)
        return RoutineFile()

    def _set_aside(self, problem: str) -> None:
        """Rename an unreadable file out of the way (never overwrite or delete it) and say so once."""
        stamp = time.strftime("%Y%m%dT%H%M%S")  # a file name only; no coaching logic reads it
        target = self.path.with_name(f"{ROUTINES_FILENAME}.corrupt-{stamp}")
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.path.with_name(f"{ROUTINES_FILENAME}.corrupt-{stamp}-{suffix}")
        try:
            self.path.rename(target)
        except OSError as exc:
            raise RoutineError(f"The saved routines at {self.path} are unreadable ({problem}) and could not be set "
                               f"aside ({exc.strerror}); move the file away and try again.") from exc
        self.warning = (f"Your saved routines could not be read ({problem}); the file was kept as {target.name} and "
                        "the built-in routines are offered.")

    def _write(self, stored: RoutineFile) -> None:
        temporary = self.path.with_name(f".{ROUTINES_FILENAME}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(stored.model_dump_json(indent=2) + "\n", encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:
            raise RoutineError(f"Cannot save the routines at {self.path}: {exc.strerror}.") from exc
