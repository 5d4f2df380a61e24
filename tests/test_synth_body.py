"""The numpy posing behind the sample clips: angle conventions the choreography relies on (no torch, no GL)."""

from __future__ import annotations

import numpy as np
import pytest

from coach.synth.body import JOINT_NAMES, Body


@pytest.fixture(scope="module")
def body() -> Body:
    return Body("ava")


def _joint(posed, name: str) -> np.ndarray:
    return posed.joints[JOINT_NAMES.index(name)]


def test_standing_body_rests_on_the_floor_facing_minus_y(body: Body) -> None:
    posed = body.pose({})
    assert posed.vertices[:, 2].min() == pytest.approx(0.0, abs=1e-9)
    assert 1.45 < posed.vertices[:, 2].max() < 1.9
    assert _joint(posed, "left_hip")[0] > _joint(posed, "right_hip")[0]  # +x is the person's left
    assert _joint(posed, "nose")[1] < _joint(posed, "left_shoulder")[1]  # the face looks toward -y


def test_hip_flexion_brings_the_knee_forward_and_up(body: Body) -> None:
    stand, flexed = body.pose({}), body.pose({"hip_flex_l": 90})
    assert _joint(flexed, "left_knee")[1] < _joint(stand, "left_knee")[1] - 0.3
    assert _joint(flexed, "left_knee")[2] > _joint(stand, "left_knee")[2] + 0.3
    assert _joint(flexed, "right_knee") == pytest.approx(_joint(stand, "right_knee"), abs=1e-6)


def test_knee_flexion_angle_matches_the_requested_degrees(body: Body) -> None:
    posed = body.pose({"knee_r": 90})
    thigh = _joint(posed, "right_hip") - _joint(posed, "right_knee")
    shin = _joint(posed, "right_ankle") - _joint(posed, "right_knee")
    angle = np.degrees(np.arccos(thigh @ shin / np.linalg.norm(thigh) / np.linalg.norm(shin)))
    assert angle == pytest.approx(90, abs=8)


def test_anchor_keeps_a_bone_over_its_target(body: Body) -> None:
    posed = body.pose({"body_pitch": 60, "hip_flex_l": 60, "hip_flex_r": 60}, anchor="foot.L", at_xy=(1.0, 2.0))
    foot = body.anchor_xy({"body_pitch": 60, "hip_flex_l": 60, "hip_flex_r": 60}, "foot.L")
    assert foot.shape == (2,)
    assert posed.vertices[:, 2].min() == pytest.approx(0.0, abs=1e-9)
    assert np.linalg.norm(_joint(posed, "left_ankle")[:2] - np.array([1.0, 2.0])) < 0.05
