"""Routines as data: the model refuses each bad field with one sentence, presets are fixed, the store keeps the
person's routines in the data folder and sets a corrupted file aside instead of emptying it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from coach.events import Settings
from coach.moves import MOVE_IDS
from coach.routines import ROUTINES_FILENAME, Routine, RoutineError, RoutineStore, describe_error, presets
from coach.routines.model import parse_routine
from coach.routines.store import MAX_ROUTINES

GOOD: dict[str, Any] = {"name": "Hips only", "moves": ["hip_90_90", "hip_flexor_reach"], "rounds": 2, "seconds": 45,
                        "per_side": True, "mode": "follow"}


@pytest.mark.parametrize(("change", "sentence"), [
    ({"name": "   "}, "name: the name is empty."),
    ({"name": "x" * 41}, "name: the name is longer than 40 characters."),
    ({"name": "bell\x07here"}, "name: the name holds control characters."),
    ({"moves": []}, "moves: a routine needs at least one move."),
    ({"moves": ["cartwheel"]}, "moves: 'cartwheel' is not one of the moves"),
    ({"moves": ["hip_90_90", "bridge_march", "hip_90_90"]}, "moves: hip_90_90 appears more than once"),
    ({"rounds": 3}, "rounds: must be 1 or 2, not 3."),
    ({"rounds": 0}, "rounds: must be 1 or 2, not 0."),
    ({"seconds": 29}, "seconds: must be from 30 to 60, not 29."),
    ({"seconds": 61}, "seconds: must be from 30 to 60, not 61."),
    ({"mode": "lazy"}, "mode: input should be 'timed' or 'follow'."),
    ({"per_side": "sometimes"}, "per_side: input should be a valid boolean"),
    ({"colour": "red"}, "colour is not a routine field"),
])
def test_each_bad_field_is_refused_with_one_sentence(change: dict[str, Any], sentence: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Routine.model_validate({**GOOD, **change})
    assert describe_error(caught.value).startswith(sentence)


def test_a_missing_name_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        Routine.model_validate({"moves": ["hip_90_90"]})
    assert describe_error(caught.value) == "name is missing."


def test_a_good_routine_keeps_its_order_and_tidies_its_name() -> None:
    routine = Routine.model_validate({**GOOD, "name": "  Hips   only "})
    assert routine.name == "Hips only"
    assert routine.moves == ["hip_90_90", "hip_flexor_reach"]
    assert routine.settings() == Settings(rounds=2, seconds=45, per_side=True, mode="follow")


def test_presets_are_the_issues_four() -> None:
    full, warm, cool, quick = presets(Settings(rounds=2, seconds=40, mode="follow"))
    assert (full.name, full.moves, full.rounds, full.seconds, full.mode) == ("Full circuit", list(MOVE_IDS), 2, 40,
                                                                             "follow")
    assert (warm.name, warm.moves, warm.seconds) == ("Warm-up", ["hip_90_90", "lunge_rotation", "bridge_march",
                                                                 "hamstring_scoop"], 30)
    assert (cool.name, cool.moves, cool.per_side) == ("Cooldown", ["hip_flexor_reach", "forward_fold_pedals",
                                                                   "hamstring_strap"], True)
    assert 45 <= cool.seconds <= 60
    assert (quick.name, quick.moves, quick.rounds, quick.seconds) == ("Quick one round", list(MOVE_IDS), 1, 30)
    assert {warm.mode, cool.mode, quick.mode} == {"follow"}


@pytest.mark.parametrize(("text", "sentence"), [
    ("{not json", "The file is not valid JSON"),
    (json.dumps({**GOOD, "moves": ["moonwalk"]}), "Not a valid routine: moves: 'moonwalk' is not one of the moves"),
    (json.dumps({**GOOD, "seconds": 120}), "Not a valid routine: seconds: must be from 30 to 60, not 120."),
    (json.dumps({**GOOD, "name": "x" * 20_000}), "The file is 20"),
    (json.dumps([GOOD]), "Not a valid routine: routine: input should be a valid dictionary"),
])
def test_routine_files_are_checked(text: str, sentence: str) -> None:
    with pytest.raises(RoutineError) as caught:
        parse_routine(text)
    assert str(caught.value).startswith(sentence)


def test_store_saves_replaces_and_deletes_own_routines(tmp_path: Path) -> None:
    store = RoutineStore(tmp_path)
    assert [r.name for r in store.routines()] == ["Full circuit", "Warm-up", "Cooldown", "Quick one round"]
    assert store.save(Routine.model_validate(GOOD)) is False
    assert store.save(Routine.model_validate({**GOOD, "seconds": 60})) is True
    again = RoutineStore(tmp_path)  # what is on disk, not what one object remembers
    assert again.get("hips ONLY").seconds == 60
    assert [r.name for r in again.routines()][-1] == "Hips only"
    assert again.delete("Hips only").name == "Hips only"
    assert [r.name for r in RoutineStore(tmp_path).routines()] == ["Full circuit", "Warm-up", "Cooldown",
                                                                   "Quick one round"]


@pytest.mark.parametrize("name", ["Full circuit", "warm-up", "Cooldown", "Quick one round"])
def test_presets_cannot_be_deleted_or_saved_over(tmp_path: Path, name: str) -> None:
    store = RoutineStore(tmp_path)
    with pytest.raises(RoutineError, match="built-in routine and cannot be deleted"):
        store.delete(name)
    with pytest.raises(RoutineError, match="is a built-in routine; save yours under another name"):
        store.save(Routine(name=name, moves=["hip_90_90"]))
    assert not (tmp_path / ROUTINES_FILENAME).exists()
    assert store.get(name).name.casefold() == name.casefold()


def test_unknown_names_are_one_sentence(tmp_path: Path) -> None:
    store = RoutineStore(tmp_path)
    with pytest.raises(RoutineError, match=r"^There is no routine named 'Nope'; `coach routines list` shows them\.$"):
        store.get("Nope")
    with pytest.raises(RoutineError, match="There is no routine of yours named 'Nope'"):
        store.delete("Nope")


def test_the_store_holds_a_bounded_number(tmp_path: Path) -> None:
    store = RoutineStore(tmp_path)
    for i in range(MAX_ROUTINES):
        store.save(Routine(name=f"R{i}", moves=["hip_90_90"]))
    with pytest.raises(RoutineError, match=f"You have {MAX_ROUTINES} routines already"):
        store.save(Routine(name="One more", moves=["hip_90_90"]))
    store.save(Routine(name="R3", moves=["bridge_march"]))  # replacing one is still fine
    assert store.get("R3").moves == ["bridge_march"]


def test_last_used_starts_with_the_full_circuit_and_follows_use(tmp_path: Path) -> None:
    store = RoutineStore(tmp_path, Settings(seconds=40))
    assert store.last_used().name == "Full circuit"
    assert store.last_used().seconds == 40  # the server's base settings shape the Full circuit
    store.save(Routine.model_validate(GOOD))
    store.mark_used("Hips only")
    assert RoutineStore(tmp_path).last_used().name == "Hips only"
    store.delete("Hips only")
    assert store.last_used().name == "Full circuit"  # a deleted routine falls back, never fails


@pytest.mark.parametrize("content", [
    b"{\"version\": 1, \"routines\": [",  # cut off mid-write by something else
    json.dumps({"version": 1, "routines": [{**GOOD, "seconds": 5}]}).encode(),
    json.dumps({"version": 1, "routines": [GOOD, GOOD]}).encode(),
    b"\xff\xfe garbage",
])
def test_a_corrupted_store_is_reported_and_set_aside_never_emptied(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / ROUTINES_FILENAME
    path.write_bytes(content)
    store = RoutineStore(tmp_path)
    assert [r.name for r in store.routines()] == ["Full circuit", "Warm-up", "Cooldown", "Quick one round"]
    kept = list(tmp_path.glob(f"{ROUTINES_FILENAME}.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert store.warning is not None and kept[0].name in store.warning
    assert store.warning.startswith("Your saved routines could not be read (")
    store.save(Routine.model_validate(GOOD))  # a fresh file; the old one stays where it was put
    assert kept[0].read_bytes() == content
    assert [r.name for r in RoutineStore(tmp_path).routines()][-1] == "Hips only"
