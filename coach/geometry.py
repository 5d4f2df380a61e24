"""Body geometry from one Pose: joint angles, segment orientation, posture, near side and camera view.

Which coordinates are used where (a deliberate choice, kept in this one module):
- Joint angles between two body segments (knee, hip, elbow) use the 3D world landmarks (metres): the angle between
  thigh and shin is the same from any camera angle, while its 2D projection shrinks or opens with the view.
- "Above / below" tests (wrist above shoulder, head below hips, knee on the floor) and tilt from vertical use the
  image in pixels (x and y scaled by the frame size, so aspect-correct; y down). For a level camera gravity is image
  vertical, and the image is where the model is most precise. MediaPipe's world frame is camera-aligned as well, so
  it has no better notion of gravity.
- Heights above the floor use world y: a body on the floor spans depth, and perspective moves nearer points down
  the image, so image y would mix distance into height.
- Lengths and heights are normalised by the torso length measured in the same space (percent of torso), so they do
  not depend on how far the person is from the camera.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from coach.landmarks import Landmark, sided
from coach.pose import Pose

L = Landmark

MIN_VISIBILITY = 0.5
"""Below this MediaPipe visibility a landmark is treated as not seen."""


def angle_at_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle ABC at vertex b in degrees (180 = straight line), in 2D or 3D."""
    u, v = a - b, c - b
    norm = float(np.linalg.norm(u) * np.linalg.norm(v))
    if norm < 1e-9:
        return float("nan")
    return float(np.degrees(np.arccos(np.clip(float(np.dot(u, v)) / norm, -1.0, 1.0))))


def world(pose: Pose, landmark: int) -> np.ndarray:
    return pose.world_xyz[landmark]


def px(pose: Pose, landmark: int) -> np.ndarray:
    width_px, height_px = pose.image_size
    return pose.image_xyz[landmark, :2] * np.array([width_px, height_px], dtype=float)


def mid_world(pose: Pose, a: int, b: int) -> np.ndarray:
    return (pose.world_xyz[a] + pose.world_xyz[b]) / 2.0


def mid_px(pose: Pose, a: int, b: int) -> np.ndarray:
    return (px(pose, a) + px(pose, b)) / 2.0


def joint_angle_world_deg(pose: Pose, a: int, b: int, c: int) -> float:
    """Angle at landmark b between the segments to a and c, from the 3D world landmarks (view independent)."""
    return angle_at_deg(world(pose, a), world(pose, b), world(pose, c))


def joint_angle_image_deg(pose: Pose, a: int, b: int, c: int) -> float:
    """Angle at landmark b in the image plane (pixels); only meaningful when the joint moves across the view."""
    return angle_at_deg(px(pose, a), px(pose, b), px(pose, c))


def knee_deg(pose: Pose, side: str) -> float:
    """Knee angle hip-knee-ankle in 3D; 180 = straight leg, 90 = right angle."""
    return joint_angle_world_deg(pose, sided(side, "hip"), sided(side, "knee"), sided(side, "ankle"))


def hip_deg(pose: Pose, side: str) -> float:
    """Hip angle mid-shoulder - hip - knee in 3D; 180 = thigh in line with the torso, smaller = more flexed.

    The shoulder midpoint (not the same-side shoulder) keeps the angle unchanged when the chest rotates.
    """
    shoulders = mid_world(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    return angle_at_deg(shoulders, world(pose, sided(side, "hip")), world(pose, sided(side, "knee")))


def torso_length_px(pose: Pose) -> float:
    shoulders = mid_px(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    return float(np.linalg.norm(shoulders - mid_px(pose, L.LEFT_HIP, L.RIGHT_HIP)))


def torso_length_m(pose: Pose) -> float:
    shoulders = mid_world(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    return float(np.linalg.norm(shoulders - mid_world(pose, L.LEFT_HIP, L.RIGHT_HIP)))


def tilt_from_vertical_deg(lower_px: np.ndarray, upper_px: np.ndarray) -> float:
    """Image angle of the segment lower->upper from straight up: 0 upright, 90 horizontal, 180 hanging down."""
    dx, dy = upper_px - lower_px
    if abs(dx) + abs(dy) < 1e-9:
        return float("nan")
    return float(np.degrees(np.arctan2(abs(dx), -dy)))


def tilt_from_horizontal_deg(a_px: np.ndarray, b_px: np.ndarray) -> float:
    """Image angle of the segment a-b from horizontal, 0..90 (direction ignored)."""
    dx, dy = b_px - a_px
    if abs(dx) + abs(dy) < 1e-9:
        return float("nan")
    return float(np.degrees(np.arctan2(abs(dy), abs(dx))))


def torso_tilt_deg(pose: Pose) -> float:
    """Tilt of the hip->shoulder line from vertical in the image: 0 tall, 90 horizontal, >90 head below hips."""
    hips = mid_px(pose, L.LEFT_HIP, L.RIGHT_HIP)
    return tilt_from_vertical_deg(hips, mid_px(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER))


def above_pct(pose: Pose, upper: int | np.ndarray, lower: int | np.ndarray) -> float:
    """How far `upper` is above `lower` in the image, in percent of the torso length (negative = below)."""
    upper_px = px(pose, upper) if isinstance(upper, int) else upper
    lower_px = px(pose, lower) if isinstance(lower, int) else lower
    torso_px = torso_length_px(pose)
    if torso_px < 1e-6:
        return float("nan")
    return float(100.0 * (lower_px[1] - upper_px[1]) / torso_px)


def below_hips_pct(pose: Pose, landmark: int) -> float:
    """How far a landmark is below the hips' midpoint in the image, percent of the torso length (negative = above)."""
    return above_pct(pose, mid_px(pose, L.LEFT_HIP, L.RIGHT_HIP), landmark)


def below_hips_world_pct(pose: Pose, point_m: np.ndarray) -> float:
    """How far a world point is below the hips' midpoint (3D world y, pointing down), percent of the 3D torso length
    (negative = above); NaN for a torso of no length."""
    torso_m = torso_length_m(pose)
    if torso_m < 1e-6:
        return float("nan")
    return float(100.0 * (point_m[1] - mid_world(pose, L.LEFT_HIP, L.RIGHT_HIP)[1]) / torso_m)


FLOOR_POINTS = (
    L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX, L.LEFT_KNEE,
    L.RIGHT_KNEE,
)


def above_floor_pct(pose: Pose, landmark: int) -> float:
    """Height of a landmark above the lowest foot or knee point, in percent of the torso length (3D world y).

    World, not image: on the floor the body spans depth, and perspective moves nearer points down the image.
    """
    torso_m = torso_length_m(pose)
    if torso_m < 1e-6:
        return float("nan")
    floor_y_m = float(max(pose.world_xyz[list(FLOOR_POINTS), 1]))
    return float(100.0 * (floor_y_m - pose.world_xyz[landmark, 1]) / torso_m)


def pelvis_right_unit(pose: Pose) -> np.ndarray:
    """Unit vector from the left to the right hip in the world frame (the person's right)."""
    vec = world(pose, L.RIGHT_HIP) - world(pose, L.LEFT_HIP)
    return vec / max(float(np.linalg.norm(vec)), 1e-9)


UP_WORLD = np.array([0.0, -1.0, 0.0])
"""MediaPipe's world frame has y pointing down."""


def chest_normal_unit(pose: Pose) -> np.ndarray:
    """Unit normal of the plane through the shoulder line and the hip-to-shoulder axis (world): the chest's front or
    back, unsigned. Built from the body alone, so a tilted camera tips it with the body."""
    axis = mid_world(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - mid_world(pose, L.LEFT_HIP, L.RIGHT_HIP)
    normal = np.cross(axis, world(pose, L.RIGHT_SHOULDER) - world(pose, L.LEFT_SHOULDER))
    return normal / max(float(np.linalg.norm(normal)), 1e-9)


def forward_unit(pose: Pose) -> np.ndarray:
    """Horizontal direction the pelvis faces (world), for upright postures.

    up x right gives forward in a right-handed frame; the nose, which sits ahead of the shoulders, fixes the sign
    when the hip depth ordering (the model's weakest axis in a side view) comes out mirrored. The nose is read
    against the shoulders, not the hips: the world axes follow the camera, so a camera on the floor looking up tips
    "up", and the nose's height above the hips leaked into the horizontal and flipped the facing of a half kneel
    filmed from the front (generated landmarks, camera at 0.2 m).
    """
    forward = np.cross(UP_WORLD, pelvis_right_unit(pose))
    forward[1] = 0.0
    forward /= max(float(np.linalg.norm(forward)), 1e-9)
    nose = world(pose, L.NOSE) - mid_world(pose, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    nose[1] = 0.0
    if float(np.dot(nose, forward)) < -0.08:
        forward = -forward
    return forward


def ahead_m(pose: Pose, a: int, b: int) -> float:
    """How far landmark a is ahead of landmark b along the facing direction, in metres."""
    return float(np.dot(world(pose, a) - world(pose, b), forward_unit(pose)))


class Posture(StrEnum):
    STANDING = "standing"
    HINGED = "hinged"  # standing with the torso folded forward
    SEATED = "seated"
    HALF_KNEELING = "half_kneeling"
    SUPINE = "supine"
    OTHER = "other"


def posture(pose: Pose) -> Posture:
    """Coarse body posture: torso tilt (image), heights above the feet (3D), 3D hip and knee angles for kneeling."""
    tilt_deg = torso_tilt_deg(pose)
    hips_pct = above_floor_pct(pose, L.LEFT_HIP) / 2 + above_floor_pct(pose, L.RIGHT_HIP) / 2
    if not np.isfinite(tilt_deg):
        return Posture.OTHER
    if tilt_deg >= 50:
        # Torso across the image: lying if the hips are not far above the feet, else folded forward standing.
        return Posture.HINGED if hips_pct >= 110 else Posture.SUPINE
    if tilt_deg <= 40 and hips_pct >= 120 and min(knee_deg(pose, s) for s in ("left", "right")) >= 135:
        return Posture.STANDING
    hip_flex_deg = 180.0 - max(hip_deg(pose, s) for s in ("left", "right"))
    if tilt_deg <= 45 and hip_flex_deg >= 45 and hips_pct < 80:
        return Posture.SEATED
    for kneeling, front in (("left", "right"), ("right", "left")):
        front_lead_deg = hip_deg(pose, kneeling) - hip_deg(pose, front)
        if tilt_deg <= 40 and front_lead_deg >= 40 and knee_deg(pose, kneeling) <= 130 and knee_deg(pose, front) <= 130:
            return Posture.HALF_KNEELING
    return Posture.OTHER


def near_side(pose: Pose) -> str:
    """The body side nearer the camera: smaller world z (MediaPipe: closer), backed by higher visibility."""
    score = 0.0
    for joint in ("shoulder", "hip", "knee"):
        left, right = sided("left", joint), sided("right", joint)
        score += float(pose.world_xyz[right, 2] - pose.world_xyz[left, 2])
        score += 0.2 * float(pose.visibility[left] - pose.visibility[right])
    return "left" if score > 0 else "right"


class View(StrEnum):
    FRONT = "front"
    SIDE = "side"
    OBLIQUE = "oblique"


def view_yaw_deg(pose: Pose) -> float:
    """How far the shoulder and hip lines turn into depth (3D, camera-aligned): 0 facing the camera, 90 side-on.

    From the world frame rather than image widths so it also holds for a body lying on the floor, whose torso is
    foreshortened in the image whenever the camera looks along it.
    """
    lines = [world(pose, L.RIGHT_SHOULDER) - world(pose, L.LEFT_SHOULDER),
             world(pose, L.RIGHT_HIP) - world(pose, L.LEFT_HIP)]
    across = sum(abs(float(line[0])) for line in lines)
    depth = sum(abs(float(line[2])) for line in lines)
    return float(np.degrees(np.arctan2(depth, across)))


def camera_view(pose: Pose) -> View:
    """Front / side / oblique from how far the shoulder and hip lines point into depth."""
    yaw_deg = view_yaw_deg(pose)
    if yaw_deg <= 25:
        return View.FRONT
    if yaw_deg >= 65:
        return View.SIDE
    return View.OBLIQUE


# Plausible bone lengths as a fraction of the 3D torso length. Wide on purpose: this gate is for garbage (limbs
# guessed outside the frame), not for noise. MediaPipe shortens a shin pointing toward the camera: on the stress
# renders lunge, half-kneel and 90/90 shins read 0.13-0.2, up to 4 times the other leg's. Thighs read 0.21-0.39 there
# too, but letting those through (0.25-0.3) counted a sample circuit's bridge march on the wrong side: 0.4 stays.
BONE_RATIO_RANGE = {
    "thigh": (0.4, 1.6),
    "shin": (0.15, 1.6),
    "upper_arm": (0.35, 1.05),
    "forearm": (0.3, 1.0),
}
MAX_LEFT_RIGHT_RATIO = 4.0
BONE_ENDS = {"thigh": ("hip", "knee"), "shin": ("knee", "ankle"), "upper_arm": ("shoulder", "elbow"),
             "forearm": ("elbow", "wrist")}


def implausible_bones(pose: Pose, bones: tuple[str, ...]) -> list[str]:
    """Bones whose 3D length is out of human proportion to the torso, or very unequal left vs right."""
    torso_m = torso_length_m(pose)
    bad: list[str] = []
    if torso_m < 0.2:
        return ["torso"]
    for bone in bones:
        lo, hi = BONE_RATIO_RANGE[bone]
        start, end = BONE_ENDS[bone]
        lengths = [float(np.linalg.norm(world(pose, sided(s, start)) - world(pose, sided(s, end))))
                   for s in ("left", "right")]
        ratios = [length / torso_m for length in lengths]
        if any(not lo <= r <= hi for r in ratios) or max(lengths) > MAX_LEFT_RIGHT_RATIO * max(min(lengths), 1e-6):
            bad.append(bone)
    return bad


def out_of_frame(pose: Pose, landmarks: tuple[int, ...], margin: float = 0.005) -> list[int]:
    """Landmarks the model placed outside the image (it extrapolates them; their positions are guesses)."""
    xy = pose.image_xyz[list(landmarks), :2]
    outside = np.any((xy < -margin) | (xy > 1 + margin), axis=1)
    return [lm for lm, out in zip(landmarks, outside, strict=True) if out]


def unseen(pose: Pose, landmarks: tuple[int, ...], min_visibility: float = MIN_VISIBILITY) -> list[int]:
    return [lm for lm in landmarks if pose.visibility[lm] < min_visibility]
