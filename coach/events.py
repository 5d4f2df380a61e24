"""The wire schema: every message the coach sends to a client, and every control a client may send.

One versioned pydantic schema shared by the server, the overlay and anything else that listens, so a
consumer can validate what it receives and a change to the wire shows up as a version bump.
Server -> client messages are JSON objects discriminated by `type`; for file and webcam sources the
server also sends each processed video frame as a binary WebSocket message (JPEG bytes) just before
the `pose` event of the same `frame_index`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from coach.moves import MOVE_IDS

SCHEMA_VERSION = 1

Side = Literal["left", "right", "both"]
JointStatus = Literal["good", "attention"]
CircuitMode = Literal["timed", "follow"]
SourceKind = Literal["webcam", "file", "browser", "none"]
RunState = Literal["idle", "get_ready", "active", "paused", "finished"]
DayKind = Literal["after-run", "rest-day"]  # when the circuit was done (the seed's advice: after a run or a rest day)
MAX_ROUTINE_NAME_CHARS = 40  # fits the start sheet's picker and a history row


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    t_ms: int = Field(0, description="frame timestamp the event belongs to (source time, not wall clock)")
    seq: int = Field(0, description="broadcast order: +1 per event the server sends to all tabs (0 = for one tab)")


class Settings(BaseModel):
    """The user's circuit choices (start small: 1 round x 30 s)."""

    model_config = ConfigDict(extra="forbid")

    rounds: int = Field(1, ge=1, le=2)
    seconds: int = Field(30, ge=30, le=60, description="seconds per move, or per side when per_side is set")
    per_side: bool = Field(False, description="one-sided moves get `seconds` for each side instead of in total")
    mode: CircuitMode = Field("timed", description="timed: the coach leads; follow: the coach follows the person")


class Routine(BaseModel):
    """A routine (see `coach.routines`): what the circuit runs; the timing fields mean what they mean in Settings.
    Its validators say what is wrong in words, because a person writes these (the editor, a routine file)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description=f"1-{MAX_ROUTINE_NAME_CHARS} characters, unique (letter case aside)")
    moves: list[str] = Field(description="move ids in the order they are done, each at most once a round")
    rounds: int = 1
    seconds: int = Field(30, description="seconds per move, or per side when per_side is set")
    per_side: bool = False
    mode: CircuitMode = "timed"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        name = " ".join(value.split())
        if not name:
            raise ValueError("the name is empty")
        if len(name) > MAX_ROUTINE_NAME_CHARS:
            raise ValueError(f"the name is longer than {MAX_ROUTINE_NAME_CHARS} characters")
        if not name.isprintable():
            raise ValueError("the name holds control characters")
        return name

    @field_validator("moves")
    @classmethod
    def _moves(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("a routine needs at least one move")
        for move_id in value:
            if move_id not in MOVE_IDS:
                raise ValueError(f"{move_id!r} is not one of the moves ({', '.join(MOVE_IDS)})")
        repeated = sorted({m for m in value if value.count(m) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} appears more than once (a move is done once a round)")
        return value

    @field_validator("rounds")
    @classmethod
    def _rounds(cls, value: int) -> int:
        if not 1 <= value <= 2:
            raise ValueError(f"must be 1 or 2, not {value}")
        return value

    @field_validator("seconds")
    @classmethod
    def _seconds(cls, value: int) -> int:
        if not 30 <= value <= 60:
            raise ValueError(f"must be from 30 to 60, not {value}")
        return value

    def settings(self) -> Settings:
        return Settings(rounds=self.rounds, seconds=self.seconds, per_side=self.per_side, mode=self.mode)


class MoveInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    move_id: str
    title: str
    kind: str
    one_sided: bool
    setup_tip: str


class HelloEvent(_Event):
    """Sent once on connect: what the server offers and where the session stands."""

    type: Literal["hello"] = "hello"
    source: SourceKind
    source_name: str = ""
    source_note: str = Field("", description="one sentence for the user, e.g. why a sample video is playing")
    settings: Settings
    state: RunState
    moves: list[MoveInfo]
    tips: list[str]
    skeleton_edges: list[tuple[int, int]] = Field(default_factory=list, description="landmark index pairs to draw")
    day: DayKind | None = Field(None, description="the last after-run / rest-day choice: the start sheet's default")
    routines: list[Routine] = Field(default_factory=list, description="the built-in routines, then the person's own")
    routine: str = Field("Full circuit", description="the routine the next start uses (the last one used)")
    builtin_routines: int = Field(0, description="how many of `routines`, from the start, are built in (undeletable)")


class PoseEvent(_Event):
    """Overlay data for one processed frame. Points are normalised (0..1, y down); None = not visible."""

    type: Literal["pose"] = "pose"
    frame_index: int
    image_size: tuple[int, int]
    points: list[tuple[float, float] | None] = Field(description="33 MediaPipe landmarks, or empty when no person")
    joint_status: dict[int, JointStatus] = Field(default_factory=dict)
    form_ok: bool = True
    captured_wall_ms: float = Field(description="server wall clock when the frame was captured (latency only): a "
                                    "paced file's frame when it was due, a camera frame when the server got it")


class RepEvent(_Event):
    type: Literal["rep"] = "rep"
    move_id: str
    side: Side
    count: int
    rom_value: float | None = None
    rom_name: str = ""


class HoldEvent(_Event):
    """Hold tick: sent when a hold starts or stops and once per whole second held."""

    type: Literal["hold"] = "hold"
    move_id: str
    side: Side
    holding: bool
    hold_ms: int


class CueEvent(_Event):
    type: Literal["cue"] = "cue"
    move_id: str | None = None
    cue_id: str
    text: str
    calm: bool = Field(False, description="a breathing reminder in a long hold: spoken softly, not a correction")


class WarningEvent(_Event):
    """Set-up help: the body is not trustworthy enough to count (e.g. whole body not in view)."""

    type: Literal["warning"] = "warning"
    warning_id: str
    text: str


class MoveEvent(_Event):
    """The circuit moved to another move (entering its get-ready phase in timed mode)."""

    type: Literal["move"] = "move"
    move: MoveInfo
    index: int = Field(description="0-based position in the routine")
    moves_in_routine: int = Field(description="how many moves the routine has (the overlay's 'Move 2 of 4')")
    round: int
    rounds: int


class SideEvent(_Event):
    type: Literal["side"] = "side"
    move_id: str
    side: Side
    text: str


class RoundEvent(_Event):
    type: Literal["round"] = "round"
    round: int
    rounds: int


class StateEvent(_Event):
    """Where the session stands; sent on every change and once per second of set time."""

    type: Literal["state"] = "state"
    state: RunState
    mode: CircuitMode
    move_id: str | None = None
    side: Side | None = None
    round: int = 1
    rounds: int = 1
    time_left_ms: int | None = Field(None, description="set (or get-ready) time left; None in follow mode")
    elapsed_ms: int = Field(0, description="time in the current move")
    reps: dict[str, int] = Field(default_factory=dict)
    hold_ms: dict[str, int] = Field(default_factory=dict)
    frames_dropped: int = 0


class SideSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reps: int = 0
    hold_s: float = 0.0
    rom: list[float] = Field(default_factory=list)


class MoveSummaryOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    move_id: str
    title: str
    sides: dict[str, SideSummary]
    rom_name: str = ""
    good_form_s: float = 0.0
    active_s: float = 0.0


class SummaryEvent(_Event):
    type: Literal["summary"] = "summary"
    rounds: int
    duration_s: float
    moves: list[MoveSummaryOut]


class ErrorEvent(_Event):
    """A problem with a client's message or the source; the session keeps going."""

    type: Literal["error"] = "error"
    code: str
    message: str


Event = Annotated[
    HelloEvent
    | PoseEvent
    | RepEvent
    | HoldEvent
    | CueEvent
    | WarningEvent
    | MoveEvent
    | SideEvent
    | RoundEvent
    | StateEvent
    | SummaryEvent
    | ErrorEvent,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


# ---- client -> server controls ----


class _Control(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartControl(_Control):
    """Start (or restart) a session; `source` picks the server's source or this browser's camera."""

    type: Literal["start"]
    source: Literal["server", "browser"] = "server"
    settings: Settings | None = None
    day: DayKind | None = Field(None, description="after a run or on a rest day; stored with the session")
    routine: Routine | None = Field(None, description="what to run; its timing replaces `settings` (default: the "
                                    "Full circuit with `settings`)")


class PauseControl(_Control):
    type: Literal["pause"]


class ResumeControl(_Control):
    type: Literal["resume"]


class SkipControl(_Control):
    type: Literal["skip"]


class StopControl(_Control):
    """End the session now; the summary covers what was done."""

    type: Literal["stop"]


class SettingsControl(_Control):
    type: Literal["settings"]
    settings: Settings


Control = Annotated[
    StartControl | PauseControl | ResumeControl | SkipControl | StopControl | SettingsControl,
    Field(discriminator="type"),
]
CONTROL_ADAPTER: TypeAdapter[Control] = TypeAdapter(Control)

def dump(event: BaseModel) -> str:
    """Serialise an event for the wire (compact JSON, no None-stripping so clients see every field)."""
    return event.model_dump_json()
