"""Measures several moves share (Pose -> number, units in the names); a move module picks what it needs."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from coach import geometry as g
from coach.landmarks import SIDES, Landmark, sided
from coach.moves.base import Measure
from coach.pose import Pose

L = Landmark


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def per_side(template: str, fn: Callable[[Pose, str], float]) -> dict[str, Measure]:
    """{"left_knee_deg": ..., "right_knee_deg": ...} from one function of (pose, side)."""
    return {template.format(side=side): (lambda pose, s=side: fn(pose, s)) for side in SIDES}


def hip_lead_deg(pose: Pose, side: str) -> float:
    """How much more this hip is flexed than the other (positive: this thigh is the forward / lifted one)."""
    return g.hip_deg(pose, other(side)) - g.hip_deg(pose, side)


def hip_flex_deg(pose: Pose, side: str) -> float:
    """Hip flexion: 0 with the thigh in line with the torso, 90 with the thigh at a right angle to it."""
    return 180.0 - g.hip_deg(pose, side)


def image_hip_flex_deg(pose: Pose, side: str) -> float:
    """Hip flexion in the image: 180 minus the shoulder-midpoint / hip / knee angle (unsigned, so a thigh behind the
    torso line reads small and positive). Only meaningful when the legs move across the view (side, oblique)."""
    shoulders = g.mid_px(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    return 180.0 - g.angle_at_deg(shoulders, g.px(pose, sided(side, "hip")), g.px(pose, sided(side, "knee")))


def wrist_above_shoulder_pct(pose: Pose, side: str) -> float:
    return g.above_pct(pose, sided(side, "wrist"), sided(side, "shoulder"))


def leg_length_m(pose: Pose) -> float:
    lengths = [
        float(np.linalg.norm(g.world(pose, sided(s, "hip")) - g.world(pose, sided(s, "knee"))))
        + float(np.linalg.norm(g.world(pose, sided(s, "knee")) - g.world(pose, sided(s, "ankle"))))
        for s in SIDES
    ]
    return sum(lengths) / 2


def ankle_ahead_pct(pose: Pose, side: str) -> float:
    """How far this ankle is ahead of the other along the facing direction, percent of leg length."""
    return 100.0 * g.ahead_m(pose, sided(side, "ankle"), sided(other(side), "ankle")) / max(leg_length_m(pose), 1e-6)


def hips_above_floor_pct(pose: Pose) -> float:
    return (g.above_floor_pct(pose, L.LEFT_HIP) + g.above_floor_pct(pose, L.RIGHT_HIP)) / 2


def torso_lean_deg(pose: Pose) -> float:
    """Forward (+) or backward (-) lean of the torso from vertical in the body's sagittal plane, 3D."""
    torso = g.mid_world(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - g.mid_world(pose, L.LEFT_HIP, L.RIGHT_HIP)
    return math.degrees(math.atan2(float(np.dot(torso, g.forward_unit(pose))), float(np.dot(torso, g.UP_WORLD))))


def torso_down_deg(pose: Pose) -> float:
    """How far the torso is tipped from upright: the larger of its image tilt and its 3D angle from the camera's
    vertical. A camera looking down on a person lying at an angle to it foreshortens the lying torso toward upright
    in the image (a rendered strap stretch seen obliquely from 1.5 m: 51-59 deg image tilt); its 3D direction stays
    near horizontal."""
    torso = g.mid_world(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - g.mid_world(pose, L.LEFT_HIP, L.RIGHT_HIP)
    cosine = float(np.dot(torso, g.UP_WORLD)) / max(float(np.linalg.norm(torso)), 1e-6)
    return max(g.torso_tilt_deg(pose), math.degrees(math.acos(max(-1.0, min(1.0, cosine)))))


def thigh_back_deg(pose: Pose, side: str) -> float:
    """How far the thigh points behind straight down (knee behind hip, +) in the sagittal plane, 3D."""
    thigh = g.world(pose, sided(side, "knee")) - g.world(pose, sided(side, "hip"))
    return math.degrees(math.atan2(-float(np.dot(thigh, g.forward_unit(pose))), -float(np.dot(thigh, g.UP_WORLD))))


def thigh_split_deg(pose: Pose, side: str) -> float:
    """How far this thigh points ahead of the other in the body's sagittal plane, degrees, 3D (+: this one is
    forward). Signed, unlike hip_lead_deg's hip angles: a thigh behind the torso line counts against the lead
    instead of reading as flexion."""
    return thigh_back_deg(pose, other(side)) - thigh_back_deg(pose, side)


def bent_knee_deg(pose: Pose, side: str) -> float:
    """Knee angle for "is this knee bent": the 3D angle or, where the legs move across the view (side, oblique), the
    smaller of it and the image angle. Depth is the model's weakest axis: it can straighten a far or kneeling leg in
    3D while the image still shows the bend, and a straight leg projects straight from any angle."""
    knee_3d_deg = g.knee_deg(pose, side)
    if g.camera_view(pose) is g.View.FRONT:
        return knee_3d_deg
    image_deg = g.joint_angle_image_deg(pose, *(sided(side, joint) for joint in ("hip", "knee", "ankle")))
    return min(knee_3d_deg, image_deg)


def common() -> dict[str, Measure]:
    """Measures nearly every move reads."""
    return {
        "torso_tilt_deg": g.torso_tilt_deg,
        **per_side("{side}_knee_deg", g.knee_deg),
        **per_side("{side}_hip_flex_deg", hip_flex_deg),
    }
