"""Geometry on poses from the kinematic body: angles, tilt, posture, near side and camera view."""

import kinematics as k
import pytest

from coach import geometry as g


def one(a: k.Angles, view: str = "side"):
    return k.film([(0, a)], view)[0][1]


@pytest.mark.parametrize("view", ["front", "side", "oblique"])
def test_knee_angle_is_the_same_from_any_view(view: str) -> None:
    pose = one(k.angles(l_knee_flex=60, l_hip_flex=30), view)
    assert g.knee_deg(pose, "left") == pytest.approx(120, abs=0.5)
    assert g.knee_deg(pose, "right") == pytest.approx(180, abs=0.5)


def test_hip_angle_measures_thigh_against_torso() -> None:
    pose = one(k.angles(r_hip_flex=90, r_knee_flex=90))
    assert g.hip_deg(pose, "right") == pytest.approx(90, abs=1)
    assert g.hip_deg(pose, "left") > 160


def test_torso_tilt_upright_lying_and_folded() -> None:
    assert g.torso_tilt_deg(one(k.STAND)) < 5
    assert g.torso_tilt_deg(one(k.strap(None))) == pytest.approx(90, abs=10)
    assert g.torso_tilt_deg(one(k.fold())) > 110


def test_segment_orientation_against_vertical_and_horizontal() -> None:
    lying = one(k.strap(None))
    hips, shoulders = g.px(lying, k.L.LEFT_HIP), g.px(lying, k.L.LEFT_SHOULDER)
    assert g.tilt_from_horizontal_deg(hips, shoulders) < 10
    standing = one(k.STAND)
    knee, ankle = g.px(standing, k.L.LEFT_KNEE), g.px(standing, k.L.LEFT_ANKLE)
    assert g.tilt_from_horizontal_deg(knee, ankle) > 80
    assert g.tilt_from_vertical_deg(ankle, knee) < 10


def test_wrist_above_shoulder_in_image() -> None:
    pose = one(k.angles(l_shoulder_flex=170))
    assert g.above_pct(pose, k.L.LEFT_WRIST, k.L.LEFT_SHOULDER) > 80
    assert g.above_pct(pose, k.L.RIGHT_WRIST, k.L.RIGHT_SHOULDER) < -80


@pytest.mark.parametrize(
    ("angles", "posture"),
    [
        (k.STAND, g.Posture.STANDING),
        (k.fold(), g.Posture.HINGED),
        (k.seated_90_90("left"), g.Posture.SEATED),
        (k.half_kneel("right"), g.Posture.HALF_KNEELING),
        (k.strap("left"), g.Posture.SUPINE),
        (k.bridge_pose(25), g.Posture.SUPINE),
    ],
)
@pytest.mark.parametrize("view", ["side", "oblique"])
def test_posture(angles: k.Angles, posture: g.Posture, view: str) -> None:
    assert g.posture(one(angles, view)) is posture


@pytest.mark.parametrize(("view", "expected"), [("front", g.View.FRONT), ("side", g.View.SIDE),
                                                ("oblique", g.View.OBLIQUE)])
def test_camera_view(view: str, expected: g.View) -> None:
    assert g.camera_view(one(k.STAND, view)) is expected


@pytest.mark.parametrize(("view", "near"), [("side", "left"), ("side_right", "right")])
def test_near_side(view: str, near: str) -> None:
    assert g.near_side(one(k.STAND, view)) == near


def test_gates_find_hidden_out_of_frame_and_implausible_joints() -> None:
    pose = one(k.STAND)
    knees = (k.L.LEFT_KNEE, k.L.RIGHT_KNEE)
    assert g.unseen(pose, knees) == []
    assert g.out_of_frame(pose, knees) == []
    assert g.implausible_bones(pose, ("thigh", "shin")) == []
    pose.visibility[k.L.LEFT_KNEE] = 0.1
    assert g.unseen(pose, knees) == [k.L.LEFT_KNEE]
    pose.image_xyz[k.L.RIGHT_KNEE, 0] = 1.2
    assert g.out_of_frame(pose, knees) == [k.L.RIGHT_KNEE]
    pose.world_xyz[k.L.LEFT_ANKLE] = pose.world_xyz[k.L.LEFT_KNEE] + [0, 1.2, 0]
    assert g.implausible_bones(pose, ("thigh", "shin")) == ["shin"]
