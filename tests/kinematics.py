"""A small forward-kinematics body for landmark-level tests: joint angles over time -> MediaPipe-like Poses.

The body is a tree of rigid segments (metres) posed by named joint angles in degrees (`Angles`, a dict with
defaults). It is placed on the floor, filmed by a pinhole camera (640x480) from a chosen view, and turned into
`Pose`s exactly as MediaPipe reports them: image x, y normalised, world landmarks in metres around the hip midpoint
in a camera-aligned frame (x right, y down, z away from the camera). Noise, dropouts (pose None), hidden joints
(low visibility) and a person walking into frame are options of `film`.

Body frame: x = the person's left, y = up, z = forward. Positive angles: hip/shoulder flexion swings the limb
forward, abduction away from the midline, hip rotation external (toes out), knee/elbow flexion bends, ankle
dorsiflexion lifts the toes, trunk flexion bends forward, trunk twist/side bend toward the person's left, pelvis
pitch tips forward (-90 = lying on the back), pelvis spin rolls the pelvis about the body's long axis (left hip up).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from coach.landmarks import Landmark as L
from coach.landmarks import sided
from coach.pose import Pose

Angles = dict[str, float]

SIDE_SIGN = {"left": 1.0, "right": -1.0}
FPS = 30.0
WIDTH_PX, HEIGHT_PX = 640, 480

SEGMENT_M = {
    "pelvis_half": 0.13, "shoulder_half": 0.19, "torso": 0.50, "upper_arm": 0.30, "forearm": 0.26,
    "thigh": 0.44, "shin": 0.43,
}

BODIES = {
    "average": SEGMENT_M,
    "small": {**{k: v * 0.86 for k, v in SEGMENT_M.items()}, "thigh": 0.36, "shin": 0.35},
    "tall": {**{k: v * 1.1 for k, v in SEGMENT_M.items()}, "thigh": 0.52, "shin": 0.51, "pelvis_half": 0.15},
}
"""Segment lengths of a few builds: the average one the rules were written on, a small body with short legs, and a
tall one with long legs (legs are what moves most between people of different heights)."""

JOINTS = ("hip_flex", "hip_abd", "hip_rot", "knee_flex", "ankle_flex", "shoulder_flex", "shoulder_abd", "elbow_flex")
BODY = ("pelvis_pitch", "pelvis_yaw", "pelvis_spin", "pelvis_roll", "trunk_flex", "trunk_side", "trunk_twist",
        "neck_flex", "x_m", "z_m")


def angles(**overrides: float) -> Angles:
    """Standing tall, arms down, all zeros unless overridden; sided names use l_/r_ prefixes."""
    base: Angles = dict.fromkeys(BODY, 0.0)
    for prefix in ("l_", "r_"):
        base.update({prefix + joint: 0.0 for joint in JOINTS})
    unknown = set(overrides) - set(base)
    if unknown:
        raise KeyError(f"unknown angle names {sorted(unknown)}")
    base.update(overrides)
    return base


def mirror(a: Angles) -> Angles:
    """The same pose with left and right swapped (twists and side bends flip)."""
    out = dict(a)
    for joint in JOINTS:
        out["l_" + joint], out["r_" + joint] = a["r_" + joint], a["l_" + joint]
    for key in ("trunk_side", "trunk_twist", "pelvis_spin", "pelvis_roll", "pelvis_yaw"):
        out[key] = -a[key]
    return out


def rot_x(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def rot_y(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rot_z(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


DOWN = np.array([0.0, -1.0, 0.0])


def skeleton(a: Angles, seg: dict[str, float] = SEGMENT_M) -> np.ndarray:
    """(33, 3) landmark positions in the scene frame (y up), hips at (x_m, ?, z_m), lowest point on the floor."""
    pts = np.zeros((33, 3))
    pelvis = rot_y(a["pelvis_yaw"]) @ rot_x(a["pelvis_pitch"]) @ rot_y(a["pelvis_spin"]) @ rot_z(a["pelvis_roll"])
    hip_mid = np.zeros(3)
    trunk = pelvis @ rot_x(a["trunk_flex"]) @ rot_z(-a["trunk_side"]) @ rot_y(a["trunk_twist"])
    shoulder_mid = hip_mid + trunk @ np.array([0.0, seg["torso"], 0.0])
    head = trunk @ rot_x(a["neck_flex"])
    nose = shoulder_mid + head @ np.array([0.0, 0.20, 0.10])
    pts[L.NOSE] = nose
    for side, sign in SIDE_SIGN.items():
        p = "l_" if side == "left" else "r_"
        up = side.upper()
        hip = hip_mid + pelvis @ np.array([sign * seg["pelvis_half"], 0.0, 0.0])
        thigh = pelvis @ rot_z(sign * a[p + "hip_abd"]) @ rot_x(-a[p + "hip_flex"]) @ rot_y(sign * a[p + "hip_rot"])
        knee = hip + seg["thigh"] * (thigh @ DOWN)
        shin = thigh @ rot_x(a[p + "knee_flex"])
        ankle = knee + seg["shin"] * (shin @ DOWN)
        foot = shin @ rot_x(-a[p + "ankle_flex"])
        pts[L[f"{up}_HIP"]], pts[L[f"{up}_KNEE"]], pts[L[f"{up}_ANKLE"]] = hip, knee, ankle
        pts[L[f"{up}_HEEL"]] = ankle + foot @ np.array([0.0, -0.05, -0.05])
        pts[L[f"{up}_FOOT_INDEX"]] = ankle + foot @ np.array([0.0, -0.06, 0.16])
        shoulder = shoulder_mid + trunk @ np.array([sign * seg["shoulder_half"], 0.0, 0.0])
        arm = trunk @ rot_z(sign * a[p + "shoulder_abd"]) @ rot_x(-a[p + "shoulder_flex"])
        elbow = shoulder + seg["upper_arm"] * (arm @ DOWN)
        forearm = arm @ rot_x(-a[p + "elbow_flex"])
        wrist = elbow + seg["forearm"] * (forearm @ DOWN)
        pts[L[f"{up}_SHOULDER"]], pts[L[f"{up}_ELBOW"]], pts[L[f"{up}_WRIST"]] = shoulder, elbow, wrist
        hand = forearm @ DOWN
        pts[L[f"{up}_PINKY"]] = wrist + 0.08 * hand + forearm @ np.array([sign * 0.02, 0, -0.01])
        pts[L[f"{up}_INDEX"]] = wrist + 0.09 * hand + forearm @ np.array([-sign * 0.01, 0, 0.01])
        pts[L[f"{up}_THUMB"]] = wrist + 0.05 * hand + forearm @ np.array([-sign * 0.02, 0, 0.02])
        pts[L[f"{up}_EAR"]] = shoulder_mid + head @ np.array([sign * 0.075, 0.17, -0.02])
        for name, dx in (("EYE_INNER", 0.015), ("EYE", 0.03), ("EYE_OUTER", 0.045)):
            pts[L[f"{up}_{name}"]] = nose + head @ np.array([sign * dx, 0.03, -0.02])
        pts[L[f"MOUTH_{up}"]] = nose + head @ np.array([sign * 0.025, -0.045, -0.01])
    pts[:, 1] -= pts[:, 1].min() - 0.04
    pts[:, 0] += a["x_m"]
    pts[:, 2] += a["z_m"]
    return pts


# ------------------------------------------------------------------------------------------------------ timelines
def ease(u: float) -> float:
    return u * u * (3 - 2 * u)


def timeline(keys: Sequence[tuple[float, Angles]], fps: float = FPS) -> list[tuple[int, Angles]]:
    """Frames at `fps` between keyframes (seconds, angles), eased; a key repeated later makes a hold."""
    frames: list[tuple[int, Angles]] = []
    end_s = keys[-1][0]
    for i in range(int(end_s * fps) + 1):
        t_s = i / fps
        k = max((j for j in range(len(keys)) if keys[j][0] <= t_s + 1e-9), default=0)
        if k == len(keys) - 1:
            pose = dict(keys[k][1])
        else:
            (t0, a0), (t1, a1) = keys[k], keys[k + 1]
            u = ease((t_s - t0) / (t1 - t0))
            pose = {name: a0[name] + (a1[name] - a0[name]) * u for name in a0}
        frames.append((round(t_s * 1000), pose))
    return frames


def sequence(*steps: tuple[float, Angles], start_s: float = 0.0) -> list[tuple[float, Angles]]:
    """Keyframes from (duration_s, pose) steps: each pose is reached after its duration."""
    keys: list[tuple[float, Angles]] = []
    t_s = start_s
    for duration_s, pose in steps:
        t_s += duration_s
        keys.append((t_s, pose))
    return keys


# -------------------------------------------------------------------------------------------------------- camera
VIEW_AZIMUTH_DEG = {"front": 0.0, "oblique": 45.0, "side": 90.0, "side_right": -90.0, "oblique_right": -45.0}


@dataclass(frozen=True)
class Camera:
    eye: np.ndarray
    target: np.ndarray
    fov_deg: float = 55.0

    def basis(self) -> np.ndarray:
        """Rows: camera right, down, forward (in the scene frame)."""
        forward = self.target - self.eye
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, np.array([0.0, 1.0, 0.0]))
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        return np.stack([right, down, forward])

    def project(self, pts: np.ndarray) -> np.ndarray:
        """(n, 3) scene points -> (n, 3): x, y normalised image coordinates and camera depth in metres."""
        cam = (pts - self.eye) @ self.basis().T
        focal_px = (HEIGHT_PX / 2) / math.tan(math.radians(self.fov_deg) / 2)
        u = focal_px * cam[:, 0] / cam[:, 2] + WIDTH_PX / 2
        v = focal_px * cam[:, 1] / cam[:, 2] + HEIGHT_PX / 2
        return np.stack([u / WIDTH_PX, v / HEIGHT_PX, cam[:, 2]], axis=1)


def fit_camera(frames: Iterable[np.ndarray], view: str, yaw_deg: float = 0.0, height_m: float = 1.0,
               fill: float = 0.75) -> Camera:
    """A camera at the view's azimuth around the person, far enough that every frame fits `fill` of the image."""
    stacked = np.concatenate(list(frames))
    centre = (stacked.min(axis=0) + stacked.max(axis=0)) / 2
    azimuth = math.radians(VIEW_AZIMUTH_DEG[view] + yaw_deg)
    direction = np.array([math.sin(azimuth), 0.0, math.cos(azimuth)])
    for distance_m in np.arange(1.5, 12.0, 0.1):
        eye = centre + direction * distance_m
        eye[1] = height_m
        camera = Camera(eye, centre)
        xy = camera.project(stacked)[:, :2]
        if np.all(np.abs(xy - 0.5) <= fill / 2):
            return camera
    raise ValueError("body does not fit the camera")


# ---------------------------------------------------------------------------------------------------------- film
VISIBLE = 0.95
HIDDEN = 0.02


def to_pose(t_ms: int, pts: np.ndarray, camera: Camera, visibility: np.ndarray) -> Pose:
    image = camera.project(pts)
    hip_mid = (pts[L.LEFT_HIP] + pts[L.RIGHT_HIP]) / 2
    world = (pts - hip_mid) @ camera.basis().T
    image[:, 2] = world[:, 2] / 2.0
    return Pose(t_ms=t_ms, image_xyz=image, world_xyz=world, visibility=visibility.copy(),
                presence=visibility.copy(), image_size=(WIDTH_PX, HEIGHT_PX))


def film(frames: Sequence[tuple[int, Angles]], view: str = "side", *, yaw_deg: float = 0.0, height_m: float = 1.0,
         noise_px: float = 0.0, noise_m: float = 0.0, seed: int = 0,
         dropouts_ms: Sequence[tuple[int, int]] = (), hidden: Sequence[tuple[int, int, Sequence[int]]] = (),
         enter_ms: int = 0, body: str = "average") -> list[tuple[int, Pose | None]]:
    """Film a timeline. dropouts_ms: (start, end) windows with no detection; hidden: (start, end, landmarks)
    windows where those landmarks have low visibility; enter_ms: the person walks in from outside the frame's
    left edge over this many milliseconds at the start (poses then cover only what the model would report);
    body: one of BODIES."""
    rng = np.random.default_rng(seed)
    skeletons = [skeleton(a, BODIES[body]) for _, a in frames]
    camera = fit_camera(skeletons, view, yaw_deg, height_m)
    basis = camera.basis()
    out: list[tuple[int, Pose | None]] = []
    for (t_ms, _), pts in zip(frames, skeletons, strict=True):
        if any(start <= t_ms < end for start, end in dropouts_ms):
            out.append((t_ms, None))
            continue
        if t_ms < enter_ms:
            span_m = 3.0 * (1 - t_ms / enter_ms)
            pts = pts - basis[0] * span_m
            if np.all(camera.project(pts)[:, 0] < 0):
                out.append((t_ms, None))
                continue
        visibility = np.full(33, VISIBLE)
        for start, end, landmarks in hidden:
            if start <= t_ms < end:
                visibility[list(landmarks)] = HIDDEN
        pose = to_pose(t_ms, pts, camera, visibility)
        if noise_px or noise_m:
            image = pose.image_xyz.copy()
            image[:, 0] += rng.normal(0, noise_px / WIDTH_PX, 33)
            image[:, 1] += rng.normal(0, noise_px / HEIGHT_PX, 33)
            world = pose.world_xyz + rng.normal(0, noise_m, (33, 3))
            pose = Pose(t_ms, image, world, pose.visibility, pose.presence, pose.image_size)
        out.append((t_ms, pose))
    return out


def plant(a: Angles, keys: Sequence[str], moving: int, ref: int, offset_m: float = 0.0,
          lo: float = -40.0, hi: float = 170.0) -> Angles:
    """Set the angles named in `keys` (all to one value) so landmark `moving` is level with `ref` (+offset_m higher):
    e.g. feet planted on the floor beside the shoulders in a bridge. Picks the solution nearest the current value."""

    def gap(value: float) -> float:
        trial = dict(a)
        trial.update(dict.fromkeys(keys, value))
        pts = skeleton(trial)
        return float(pts[moving, 1] - pts[ref, 1] - offset_m)

    grid = np.arange(lo, hi + 1e-9, 2.0)
    gaps = [gap(v) for v in grid]
    roots: list[float] = []
    for v0, v1, g0, g1 in zip(grid[:-1], grid[1:], gaps[:-1], gaps[1:], strict=True):
        if g0 == 0 or g0 * g1 < 0:
            x0, x1, y0 = v0, v1, g0
            for _ in range(30):
                mid = (x0 + x1) / 2
                if (gap(mid) < 0) == (y0 < 0):
                    x0, y0 = mid, gap(mid)
                else:
                    x1 = mid
            roots.append((x0 + x1) / 2)
    if not roots:
        raise ValueError(f"cannot plant {keys}")
    best = min(roots, key=lambda v: abs(v - a[keys[0]]))
    out = dict(a)
    out.update(dict.fromkeys(keys, best))
    return out


# ------------------------------------------------------------------------------------------------- move postures
STAND = angles()


def seated_90_90(front: str) -> Angles:
    """90/90 sit: front thigh forward and turned out, back thigh out to the side, both knees at 90."""
    f, b = ("l_", "r_") if front == "left" else ("r_", "l_")
    return angles(**{f + "hip_flex": 85, f + "hip_rot": 80, f + "knee_flex": 90, b + "hip_abd": 80,
                     b + "knee_flex": 90, b + "hip_rot": -10, "l_shoulder_abd": 20, "r_shoulder_abd": 20})


def seated_mid() -> Angles:
    """Mid-switch: knees up in front, feet on the floor."""
    a = angles(l_hip_flex=115, r_hip_flex=115, l_knee_flex=60, r_knee_flex=60, l_hip_abd=15, r_hip_abd=15,
               trunk_flex=-10, l_shoulder_abd=20, r_shoulder_abd=20)
    return plant(a, ("l_knee_flex", "r_knee_flex"), L.LEFT_ANKLE, L.LEFT_HIP, offset_m=-0.03, lo=0, hi=170)


def lunge(front: str, *, rotate: bool = False, shift: bool = False, wrong_arm: bool = False,
          front_knee_flex: float = 90.0, rotation_share: float = 1.0) -> Angles:
    """Long lunge on `front`, hands down; rotate: chest turns to the front leg, front-side arm up (rotation_share < 1:
    a shallower turn and a lower arm); shift: hips back, front knee straight, back knee bent."""
    f, b = ("l_", "r_") if front == "left" else ("r_", "l_")
    twist = SIDE_SIGN[front] * 60.0 * rotation_share
    a = angles(**{f + "hip_flex": 95, f + "knee_flex": front_knee_flex, b + "hip_flex": -35, b + "knee_flex": 28,
                  b + "ankle_flex": 30, "trunk_flex": 80, f + "shoulder_flex": 60, b + "shoulder_flex": 60})
    if rotate:
        up = b if wrong_arm else f
        a.update({"trunk_twist": -twist if wrong_arm else twist, up + "shoulder_flex": 60 * (1 - rotation_share),
                  up + "shoulder_abd": 100 * rotation_share})
    if shift:
        a.update({f + "hip_flex": 70, f + "knee_flex": 5, f + "ankle_flex": 25, b + "hip_flex": 10,
                  b + "knee_flex": 100, "trunk_flex": 100})
    return a


def supine(**overrides: float) -> Angles:
    return angles(**{"pelvis_pitch": -90, "l_shoulder_abd": 15, "r_shoulder_abd": 15, **overrides})


def bridge_pose(lift_deg: float, *, march: str | None = None, knee_up_deg: float = 70.0, drop_deg: float = 0.0,
                twist_deg: float = 0.0) -> Angles:
    """Lying on the back, knees bent, feet planted; lift_deg tilts the torso up from the floor (0 = hips down).
    march lifts that knee by knee_up_deg; drop_deg / twist_deg disturb the pelvis toward the marching side."""
    a = supine(pelvis_pitch=-90 - lift_deg, l_hip_flex=50.0 - lift_deg, r_hip_flex=50.0 - lift_deg,
               l_knee_flex=95, r_knee_flex=95)
    a = plant(a, ("l_hip_flex", "r_hip_flex"), L.LEFT_ANKLE, L.LEFT_SHOULDER, lo=-40, hi=100)
    if march:
        p = "l_" if march == "left" else "r_"
        sign = SIDE_SIGN[march]
        a[p + "hip_flex"] += knee_up_deg
        # The pelvis turns, the shoulders stay flat on the floor (the trunk counter-rotates).
        a["pelvis_spin"], a["trunk_twist"] = -sign * drop_deg, sign * drop_deg
        a["pelvis_roll"], a["trunk_side"] = sign * twist_deg, sign * twist_deg
    return a


def scoop(front: str, hinge_deg: float) -> Angles:
    f, b = ("l_", "r_") if front == "left" else ("r_", "l_")
    arms_deg = 40 + hinge_deg / 2
    return angles(**{f + "hip_flex": 25, f + "ankle_flex": 30, b + "hip_flex": -10, b + "knee_flex": 15 + hinge_deg / 6,
                     "trunk_flex": hinge_deg, "l_shoulder_flex": arms_deg, "r_shoulder_flex": arms_deg})


def half_kneel(kneeling: str, *, reach: bool = True, lean_deg: float = 0.0) -> Angles:
    k, f = ("l_", "r_") if kneeling == "left" else ("r_", "l_")
    a = angles(**{k + "hip_flex": -10, k + "knee_flex": 100, k + "ankle_flex": -30, f + "hip_flex": 90,
                  f + "knee_flex": 90, "trunk_flex": lean_deg})
    if reach:
        a.update({k + "shoulder_flex": 170, "trunk_side": -SIDE_SIGN[kneeling] * 12})
    return a


def fold(bend: str | None = None, *, knee_deg: float = 45.0, head_up: bool = False) -> Angles:
    a = angles(trunk_flex=125, l_shoulder_flex=60, r_shoulder_flex=60, neck_flex=-70 if head_up else 10)
    if bend:
        p = "l_" if bend == "left" else "r_"
        a.update({p + "knee_flex": knee_deg, p + "hip_flex": knee_deg / 2, p + "ankle_flex": -knee_deg / 2})
    return a


def strap(raised: str | None, *, raise_deg: float = 70.0, knee_flex_deg: float = 10.0,
          resting_knee_flex_deg: float = 0.0) -> Angles:
    """Lying, `raised` leg up (None: both down); resting_knee_flex_deg bends the other knee with its foot planted."""
    a = supine()
    if raised:
        p = "l_" if raised == "left" else "r_"
        a.update({p + "hip_flex": raise_deg, p + "knee_flex": knee_flex_deg, p + "shoulder_flex": 60,
                  "l_shoulder_flex": 50, "r_shoulder_flex": 50})
    if resting_knee_flex_deg:
        resting = "right" if raised == "left" else "left"
        q = "l_" if resting == "left" else "r_"
        a[q + "knee_flex"] = resting_knee_flex_deg
        a = plant(a, (q + "hip_flex",), sided(resting, "ankle"), sided(resting, "shoulder"), lo=0.0, hi=100.0)
    return a


# ---------------------------------------------------------------------------------------------------- move clips
# Each builder returns (keyframes, expected) where expected holds the reps per side and/or labelled hold seconds
# (a hold is labelled from the middle of the move into the pose to the middle of the move out of it).

Clip = tuple[list[tuple[float, Angles]], dict[str, dict[str, float]]]


def concat(*parts: Sequence[tuple[float, Angles]], move_s: float = 1.5) -> list[tuple[float, Angles]]:
    """Keyframe lists one after another, each part shifted to start move_s after the previous one ends."""
    keys: list[tuple[float, Angles]] = []
    for part in parts:
        offset_s = (keys[-1][0] + move_s - part[0][0]) if keys else 0.0
        keys += [(t_s + offset_s, a) for t_s, a in part]
    return keys


def hip_90_90_clip(fronts: Sequence[str], partial: bool = False) -> Clip:
    """Sit in 90/90 with fronts[0] in front, then switch to each next front; partial adds a half switch and back."""
    steps: list[tuple[float, Angles]] = [(0.5, seated_90_90(fronts[0])), (1.0, seated_90_90(fronts[0]))]
    reps = {"left": 0, "right": 0}
    for previous, front in itertools.pairwise(fronts):
        if partial:
            steps += [(0.6, seated_mid()), (0.6, seated_90_90(previous)), (0.6, seated_90_90(previous))]
        steps += [(0.7, seated_mid()), (0.7, seated_90_90(front)), (0.8, seated_90_90(front))]
        reps[front] += previous != front
    return sequence(*steps), {"reps": reps}


def lunge_clip(front: str, cycles: int, *, rotate: bool = True, shift: bool = True,
               rotation_share: float = 1.0) -> Clip:
    steps: list[tuple[float, Angles]] = [(0.5, STAND), (0.5, STAND)]
    for _ in range(cycles):
        steps += [(1.0, lunge(front)), (0.4, lunge(front))]
        if rotate:
            turned = lunge(front, rotate=True, rotation_share=rotation_share)
            steps += [(0.9, turned), (0.5, turned), (0.8, lunge(front))]
        if shift:
            steps += [(0.9, lunge(front, shift=True)), (0.5, lunge(front, shift=True)), (0.8, lunge(front))]
        steps += [(0.9, STAND), (0.4, STAND)]
    reps = {"left": 0, "right": 0}
    reps[front] = cycles if rotate and shift else 0
    return sequence(*steps), {"reps": reps}


def bridge_clip(marches: Sequence[str], plain_bridges: int = 0, *, knee_up_deg: float = 70.0, drop_deg: float = 0.0,
                twist_deg: float = 0.0, between_lift_deg: float = 25.0, settle: bool = True) -> Clip:
    """between_lift_deg: how high the hips settle between two marches (25 = back at the full bridge); without
    `settle`, one knee goes down as the next comes up."""
    down, up = bridge_pose(0), bridge_pose(25)
    steps: list[tuple[float, Angles]] = [(0.5, down), (0.6, down)]
    for _ in range(plain_bridges):
        steps += [(1.0, up), (0.6, up), (1.0, down), (0.6, down)]
    if marches:
        steps += [(1.0, up), (0.5, up)]
        for side in marches:
            lifted = bridge_pose(25, march=side, knee_up_deg=knee_up_deg, drop_deg=drop_deg, twist_deg=twist_deg)
            between = bridge_pose(between_lift_deg)
            steps += [(0.6, lifted), (0.3, lifted)] + ([(0.6, between), (0.4, between)] if settle else [])
        steps += [(1.0, down), (0.6, down)]
    # Every bridge counts under "both" when the hips reach the top, the one a march set starts from included.
    reps = {"left": 0, "right": 0, "both": plain_bridges + bool(marches)}
    for side in marches:
        reps[side] += knee_up_deg >= 60
    return sequence(*steps), {"reps": reps}


def scoop_clip(front: str, scoops: int, hinge_deg: float = 75.0) -> Clip:
    tall = scoop(front, 0)
    steps: list[tuple[float, Angles]] = [(0.5, tall), (0.8, tall)]
    for _ in range(scoops):
        steps += [(1.0, scoop(front, hinge_deg)), (0.4, scoop(front, hinge_deg)), (1.0, tall), (0.5, tall)]
    reps = {"left": 0, "right": 0}
    reps[front] = scoops if hinge_deg >= 30 else 0
    return sequence(*steps), {"reps": reps}


def from_tall_kneeling(pose: Angles, hold_s: float) -> list[tuple[float, Angles]]:
    """Tall kneeling -> `pose` (0.4 s) -> hold -> back (0.4 s): a hold labelled hold_s runs between mid-moves."""
    tall = angles(l_hip_flex=-10, r_hip_flex=-10, l_knee_flex=100, r_knee_flex=100, l_ankle_flex=-30,
                  r_ankle_flex=-30)
    return sequence((0.5, tall), (1.0, tall), (0.4, pose), (hold_s - 0.4, pose), (0.4, tall), (1.0, tall))


def hip_flexor_clip(kneeling: str, hold_s: float, *, reach: bool = True, lean_deg: float = 0.0) -> Clip:
    holds = {"left": 0.0, "right": 0.0}
    holds[kneeling] = hold_s if reach and lean_deg <= 20 else 0.0
    return from_tall_kneeling(half_kneel(kneeling, reach=reach, lean_deg=lean_deg), hold_s), {"hold_s": holds}


def fold_clip(pedals: Sequence[str], *, hang_s: float = 1.0, straight_between: bool = False,
              knee_deg: float = 45.0) -> Clip:
    """Stand, fold (0.6 s), hang, pedal each knee in turn, hang, stand (0.6 s); fold seconds labelled mid-move."""
    steps: list[tuple[float, Angles]] = [(0.5, STAND), (0.8, STAND), (0.6, fold()), (hang_s, fold())]
    for side in pedals:
        steps += [(0.5, fold(side, knee_deg=knee_deg)), (0.3, fold(side, knee_deg=knee_deg))]
        if straight_between:
            steps += [(0.5, fold()), (0.3, fold())]
    steps += [(0.5, fold()), (hang_s, fold())]
    fold_s = sum(d for d, _ in steps[3:]) + 0.6
    steps += [(0.6, STAND), (1.0, STAND)]
    reps = {"left": 0, "right": 0}
    for side in pedals:
        reps[side] += 1
    return sequence(*steps), {"reps": reps, "hold_s": {"both": fold_s}}


def strap_clip(raised: str, hold_s: float, *, knee_flex_deg: float = 10.0) -> Clip:
    flat = strap(None)
    pose = strap(raised, knee_flex_deg=knee_flex_deg)
    steps = [(0.5, flat), (1.0, flat), (0.4, pose), (hold_s - 0.4, pose), (0.4, flat), (1.0, flat)]
    holds = {"left": 0.0, "right": 0.0}
    holds[raised] = hold_s if knee_flex_deg <= 30 else 0.0
    return sequence(*steps), {"hold_s": holds}


# ------------------------------------------------------------------------------------------------------ running
@dataclass
class Run:
    """What a checker did over a filmed clip."""

    reps: dict[str, int]
    hold_s: dict[str, float]
    events: list
    results: list


def run_checker(move_id: str, filmed: Sequence[tuple[int, Pose | None]]) -> Run:
    from coach.moves import make_checker

    checker = make_checker(move_id)
    results = [checker.update(t_ms, pose) for t_ms, pose in filmed]
    summary = checker.summary()
    return Run(summary.reps, {side: ms / 1000 for side, ms in summary.hold_ms.items()},
               [event for result in results for event in result.events], results)


def jittered(frames: list[tuple[int, Angles]], start_ms: int, end_ms: int, key: str, amplitude: float,
             period_ms: int = 100) -> list[tuple[int, Angles]]:
    """Add a square-wave wobble of +-amplitude to one angle between start_ms and end_ms."""
    out = []
    for t_ms, a in frames:
        if start_ms <= t_ms < end_ms:
            a = dict(a)
            a[key] += amplitude if (t_ms // period_ms) % 2 == 0 else -amplitude
        out.append((t_ms, a))
    return out


LEG_PAIRS = tuple((int(sided("left", joint)), int(sided("right", joint)))
                  for joint in ("hip", "knee", "ankle", "heel", "foot_index"))
ARM_PAIRS = tuple((int(sided("left", joint)), int(sided("right", joint)))
                  for joint in ("shoulder", "elbow", "wrist", "pinky", "index", "thumb"))


def labels_swapped(filmed: Sequence[tuple[int, Pose | None]], pairs: Sequence[tuple[int, int]], start_ms: int = 0,
                   end_ms: int | None = None) -> list[tuple[int, Pose | None]]:
    """Swap the left and right landmarks of `pairs` (LEG_PAIRS, ARM_PAIRS) between start_ms and end_ms (to the end
    by default), as MediaPipe does when a side-on view sees the legs cross or a rotating chest turns the arms."""
    order = np.arange(33)
    for left, right in pairs:
        order[left], order[right] = right, left
    out: list[tuple[int, Pose | None]] = []
    for t_ms, pose in filmed:
        if pose is not None and start_ms <= t_ms and (end_ms is None or t_ms < end_ms):
            pose = Pose(t_ms, pose.image_xyz[order], pose.world_xyz[order], pose.visibility[order],
                        pose.presence[order], pose.image_size)
        out.append((t_ms, pose))
    return out


LEG_BONE_JOINTS = {"thigh": ("hip", "knee", "ankle", "heel", "foot_index"),
                   "shin": ("knee", "ankle", "heel", "foot_index")}
"""A leg bone's top joint, then the joints that move with its lower end."""


def leg_bone_shortened_in_depth(filmed: Sequence[tuple[int, Pose | None]], side: str, bone: str,
                                share: float) -> list[tuple[int, Pose | None]]:
    """This thigh's or shin's 3D length cut to `share`, the rest of the leg moved with its lower end, the picture
    unchanged: as MediaPipe shortens a bone that points toward the camera."""
    top, *moved = (int(sided(side, joint)) for joint in LEG_BONE_JOINTS[bone])
    out: list[tuple[int, Pose | None]] = []
    for t_ms, pose in filmed:
        if pose is not None:
            world = pose.world_xyz.copy()
            world[moved] -= (1.0 - share) * (world[moved[0]] - world[top])
            pose = replace(pose, world_xyz=world)
        out.append((t_ms, pose))
    return out
