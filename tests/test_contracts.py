"""docs/CONTRACTS.md's JSON examples against the code, so the written contract cannot drift from what runs."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest

from coach.events import CONTROL_ADAPTER, EVENT_ADAPTER, Control, Event
from coach.labels import compare, load_labels
from coach.replay import ReplayResult, analyse_poses

REPO = Path(__file__).resolve().parents[1]
CONTRACTS = REPO / "docs" / "CONTRACTS.md"
EXAMPLE = re.compile(r"<!-- example: (\w+) -->\s*```json\n(.*?)\n```", re.DOTALL)
MANIFEST_ROLES = {"target", "near_miss", "distractor", "no_person"}
DEV_MANIFEST = REPO.parent / "shared" / "realclips-dev" / "manifest.json"  # beside the checkout, when present


def examples(kind: str) -> list[Any]:
    found = [json.loads(text) for name, text in EXAMPLE.findall(CONTRACTS.read_text(encoding="utf-8")) if name == kind]
    assert found, f"docs/CONTRACTS.md has no {kind} example"
    return found


def _types(union: Any) -> set[str]:
    """The `type` literals of a discriminated union of pydantic models."""
    members = typing.get_args(typing.get_args(union)[0])
    return {typing.get_args(model.model_fields["type"].annotation)[0] for model in members}


def test_every_event_type_has_a_valid_example() -> None:
    seen = {EVENT_ADAPTER.validate_python(example).type for example in examples("event")}
    assert seen == _types(Event)


def test_every_control_type_has_a_valid_example() -> None:
    seen = {CONTROL_ADAPTER.validate_python(example).type for example in examples("control")}
    assert seen == _types(Control)


def test_sidecar_example_loads_and_has_the_fields_of_a_real_sidecar(tmp_path: Path) -> None:
    (sidecar,) = examples("sidecar")
    (tmp_path / "clip.json").write_text(json.dumps(sidecar), encoding="utf-8")
    labels = load_labels(tmp_path / "clip.mp4")
    assert labels.moves == ["bridge_march"]
    real = json.loads((REPO / "sample_videos" / "bridge_march_a.json").read_text(encoding="utf-8"))
    assert set(sidecar) == set(real)
    assert set(sidecar["segments"][0]) == set(real["segments"][0])


def test_report_example_has_the_shape_of_a_real_report_and_matches_the_sidecar_example(tmp_path: Path) -> None:
    (report,) = examples("report")
    found = analyse_poses([(t_ms, None) for t_ms in range(0, 2000, 33)], "bridge_march")
    real = ReplayResult(video=Path("clip.mp4"), frames=61, duration_ms=2013, clip_fps=30.0, processing_fps=40.0,
                        frames_with_person=0, analysis=found, ended_early=False).report()
    assert set(report) == set(real)
    assert set(report["moves"]["bridge_march"]) == set(real["moves"]["bridge_march"])
    assert set(report["segments"][0]) == set(real["segments"][0])
    (sidecar,) = examples("sidecar")
    (tmp_path / "clip.json").write_text(json.dumps(sidecar), encoding="utf-8")
    judged = compare(report, load_labels(tmp_path / "clip.mp4"))
    assert judged.reps_exact and judged.recognition_ok


OPTIONAL_MANIFEST_FIELDS = {"factors"}  # only generated sets have them


def _check_manifest_record(record: dict[str, Any], fields: set[str]) -> None:
    assert fields - OPTIONAL_MANIFEST_FIELDS <= set(record) <= fields
    assert record["role"] in MANIFEST_ROLES
    assert record["label_confidence"] in {"high", "medium", "low"}
    if record["reps_accept"] is not None:
        low, high = record["reps_accept"]
        assert low <= high
    for hold in record["holds"] or []:
        assert set(hold) == {"side", "seconds", "start_s", "end_s"}


def _documented_manifest_fields() -> set[str]:
    """The field names in the first column of the manifest section's table."""
    section = CONTRACTS.read_text(encoding="utf-8").split("## Real-footage")[1].split("<!-- example")[0]
    cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {name for cell in cells for name in re.findall(r"`(\w+)`", cell)}


def test_manifest_example_has_the_documented_fields() -> None:
    (manifest,) = examples("manifest")
    fields = _documented_manifest_fields()
    assert {"id", "file", "move", "role", "reps", "reps_accept", "reps_per_side", "holds", "label_confidence"} <= fields
    for record in manifest:
        _check_manifest_record(record, fields)


@pytest.mark.skipif(not DEV_MANIFEST.is_file(), reason="the real-footage development set is not beside this checkout")
def test_real_manifest_matches_the_documented_fields() -> None:
    for record in json.loads(DEV_MANIFEST.read_text(encoding="utf-8")):
        _check_manifest_record(record, _documented_manifest_fields())


def test_routine_example_is_a_valid_routine_file() -> None:
    from coach.routines import parse_routine

    (routine,) = examples("routine")
    assert parse_routine(json.dumps(routine)).model_dump() == routine
