"""Everything a stress clip varies, drawn from one seeded generator: the body, the outfit, how the set is done, the
camera, the room and the sensor. `draw(seed, index)` is the whole recipe of clip `index` of set `seed`; `factors`
names the bins the accuracy breakdown groups by."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np

from coach.moves import MOVE_IDS
from coach.synth.export import BODY_SHAPES
from coach.synth.scripts import Style
from coach.synth.stress.sensor import Sensor
from coach.synth.stress.stage import Box, Stage

MOVE_ORDER = MOVE_IDS
"""Clips take the moves in circuit order: the same list the coach (and `--move`) knows the moves by."""
SIDE_VIEW_MOVES = ("bridge_march", "forward_fold_pedals", "hamstring_strap")
"""Moves that ask for a side or oblique camera (their modules' `views`); the others take any view."""

# Camera direction from the person's facing, degrees either way: what each kind of move allows, and just outside.
ALLOWED_AZIMUTH_DEG = {"side": (32.0, 130.0), "any": (0.0, 130.0)}
OUTSIDE_AZIMUTH_DEG = {"side": (14.0, 28.0), "any": (135.0, 155.0)}
OUTSIDE_SHARE = 0.15
RESOLUTIONS = ((640, 480), (854, 480), (960, 540), (1280, 720), (1920, 1080))
RESOLUTION_WEIGHTS = (0.3, 0.2, 0.15, 0.25, 0.1)  # 1080p is the costliest to render: fewer of those
FPS_CHOICES = (15, 20, 24, 25, 30)
SKIN_LIGHT, SKIN_DARK = np.array([0.93, 0.76, 0.64]), np.array([0.28, 0.18, 0.12])
# Range of motion of one rep relative to the sample postures: shallow to deep, within what a real body does.
SIZE_RANGE = {"hip_90_90": (1.0, 1.0), "lunge_rotation": (0.65, 1.1), "bridge_march": (0.6, 1.15),
              "hamstring_scoop": (0.6, 1.1), "hip_flexor_reach": (0.7, 1.05), "forward_fold_pedals": (0.6, 1.15),
              "hamstring_strap": (0.7, 1.1)}
DEPTH_RANGE = {"bridge_march": (0.7, 1.05), "forward_fold_pedals": (0.75, 1.05)}


@dataclass(frozen=True)
class Camera:
    azimuth_deg: float  # from the person's facing, + toward their left
    view: str  # "front" | "oblique" | "side" | "outside" (just outside what the move allows)
    height_m: float
    distance_x: float  # >= 1: how much farther back than the tightest whole-body framing
    fov_deg: float
    roll_deg: float
    size: tuple[int, int]
    fps: int
    crop: str | None  # "feet" | "hands": a few seconds framed so tight that these leave the image
    crop_at: float  # 0..1: when in the set the crop happens


@dataclass(frozen=True)
class Outfit:
    top_rgb: tuple[float, float, float]
    bottom_rgb: tuple[float, float, float]
    pattern_rgb: tuple[float, float, float]
    pattern: str  # "plain" | "stripes" | "checks" (on the top)
    long_sleeves: bool
    long_trousers: bool
    barefoot: bool
    shoe_rgb: tuple[float, float, float]
    hair_rgb: tuple[float, float, float]


@dataclass(frozen=True)
class Variation:
    seed: int
    index: int
    move: str
    side: str  # the first or only side
    variant: str  # per move: "march" | "plain" (bridge), "alternate" | "blocks" (scoops), "" otherwise
    count: int  # reps, or hold seconds for the hold moves
    mix: dict[str, float]
    scale: float
    skin_rgb: tuple[float, float, float]
    skin_tone: float  # 0 light .. 1 dark
    outfit: Outfit
    tempo: float
    style: Style
    walk_in: bool
    camera: Camera
    stage: Stage
    sensor: Sensor
    crf: int
    dim: bool
    backlit: bool
    dark_on_dark: bool
    furniture_in_front: bool

    @property
    def name(self) -> str:
        return f"stress_{self.seed}_{self.index:03d}_{self.move}"

    def phenotype(self) -> dict[str, float]:
        """The blended body's anny phenotype (the weighted mean of the mixed shapes' parameters)."""
        keys = next(iter(BODY_SHAPES.values()))
        return {k: round(sum(w * BODY_SHAPES[s][k] for s, w in self.mix.items()), 3) for k in keys}

    def factors(self) -> dict[str, str]:
        """Bins for the per-factor accuracy breakdown."""
        pheno = self.phenotype()
        cam = self.camera
        return {
            "view": cam.view,
            "camera_height": "low <0.5 m" if cam.height_m < 0.5 else "high >1.1 m" if cam.height_m > 1.1 else "mid",
            "light": "dim" if self.dim else "window backlight" if self.backlit else "normal",
            "second_light_colour": "yes" if self.stage.light2_rgb[0] != self.stage.light2_rgb[2] else "no",
            # anny weight 0..1; the blends span 0.32-0.67, these bins hold about a third each
            "body_weight": "heavy" if pheno["weight"] > 0.55 else "light" if pheno["weight"] < 0.46 else "mid",
            "body_size": "small" if self.scale < 0.95 else "tall" if self.scale > 1.05 else "mid",
            "body_sex": "female" if pheno["gender"] < 0.5 else "male",
            "skin": "dark" if self.skin_tone > 0.6 else "light" if self.skin_tone < 0.3 else "medium",
            "outfit": "dark on dark floor" if self.dark_on_dark else self.outfit.pattern,
            "legs": "long trousers" if self.outfit.long_trousers else "shorts",
            "tempo": "fast" if self.tempo < 0.9 else "slow" if self.tempo > 1.15 else "normal",
            "range": "shallow" if self.style.size < 0.8 else "deep" if self.style.size > 1.02 else "normal",
            "set_ends_mid_rep": "yes" if self.style.stop_mid else "no",
            "pauses_or_fidgets": "yes" if self.style.pause_s or self.style.fidget_after else "no",
            "walk_in": "yes" if self.walk_in else "no",
            "crop": cam.crop or "none",
            "furniture_in_front": "yes" if self.furniture_in_front else "no",
            "resolution": f"{cam.size[1]}p",
            "fps": f"{cam.fps}",
            "compression": "heavy (crf >= 35)" if self.crf >= 35 else "normal",
            "sensor_noise": "high" if self.sensor.noise_sd >= 5 else "low",
        }


def _rgb(rng: np.random.Generator, value: tuple[float, float], saturation: tuple[float, float] = (0.1, 0.9)
         ) -> tuple[float, float, float]:
    r, g, b = colorsys.hsv_to_rgb(rng.uniform(), rng.uniform(*saturation), rng.uniform(*value))
    return round(r, 3), round(g, 3), round(b, 3)


def _mix(rng: np.random.Generator) -> dict[str, float]:
    """Random weights over the exported shapes; half the bodies extrapolate up to 60% past the blend."""
    weights = rng.dirichlet(np.full(len(BODY_SHAPES), 0.7))
    if rng.uniform() < 0.5:
        weights = weights + rng.uniform(0.0, 0.6) * (weights - 1 / len(weights))
    return {name: round(float(w), 4) for name, w in zip(BODY_SHAPES, weights, strict=True)}


def _outfit(rng: np.random.Generator, dark: bool) -> Outfit:
    value = (0.04, 0.18) if dark else (0.08, 0.95)
    pattern = "plain" if dark or rng.uniform() < 0.6 else str(rng.choice(["stripes", "checks"]))
    return Outfit(top_rgb=_rgb(rng, value), bottom_rgb=_rgb(rng, (0.04, 0.18) if dark or rng.uniform() < 0.5
                                                            else (0.1, 0.9)),
                  pattern_rgb=_rgb(rng, (0.6, 1.0)), pattern=pattern, long_sleeves=bool(rng.uniform() < 0.4),
                  long_trousers=bool(rng.uniform() < 0.5), barefoot=bool(rng.uniform() < 0.3),
                  shoe_rgb=_rgb(rng, (0.05, 0.95), (0.0, 0.6)), hair_rgb=_rgb(rng, (0.03, 0.5), (0.2, 0.7)))


def _camera(rng: np.random.Generator, move: str) -> Camera:
    kind = "side" if move in SIDE_VIEW_MOVES else "any"
    outside = rng.uniform() < OUTSIDE_SHARE
    lo, hi = (OUTSIDE_AZIMUTH_DEG if outside else ALLOWED_AZIMUTH_DEG)[kind]
    azimuth = float(rng.uniform(lo, hi)) * float(rng.choice([-1.0, 1.0]))
    rel = abs(azimuth)
    view = "outside" if outside else "front" if rel < 25 else "side" if 65 <= rel <= 115 else "oblique"
    size = RESOLUTIONS[int(rng.choice(len(RESOLUTIONS), p=RESOLUTION_WEIGHTS))]
    crop = None if rng.uniform() < 0.7 else str(rng.choice(["feet", "hands"]))
    return Camera(azimuth_deg=round(azimuth, 1), view=view, height_m=round(float(rng.uniform(0.2, 1.6)), 2),
                  distance_x=round(float(rng.uniform(1.0, 1.5)), 2), fov_deg=round(float(rng.uniform(50, 75)), 1),
                  roll_deg=round(float(np.clip(rng.normal(0, 3.0), -6, 6)), 1), size=size,
                  fps=int(rng.choice(FPS_CHOICES)),
                  crop=crop, crop_at=round(float(rng.uniform(0.2, 0.7)), 2))


FLOORS = {"wood": ((0.42, 0.30, 0.18), 1, 0.14), "pale wood": ((0.72, 0.58, 0.40), 1, 0.18),
          "grey tiles": ((0.55, 0.55, 0.56), 2, 0.45), "rug on grey": ((0.45, 0.45, 0.47), 3, 1.0),
          "dark carpet": ((0.12, 0.11, 0.12), 0, 1.0), "black mat": ((0.06, 0.06, 0.07), 0, 1.0)}
DARK_FLOORS = ("dark carpet", "black mat")
FURNITURE = {"sofa": ((1.9, 0.85, 0.8), (0.35, 0.36, 0.42)), "shelf": ((0.8, 0.35, 1.8), (0.55, 0.40, 0.25)),
             "plant": ((0.45, 0.45, 1.1), (0.20, 0.42, 0.18)), "chair": ((0.5, 0.5, 0.9), (0.5, 0.3, 0.2)),
             "box": ((0.6, 0.4, 0.35), (0.7, 0.6, 0.45))}


def _stage(rng: np.random.Generator, dark_floor: bool, dim: bool, backlit: bool, in_front: bool) -> Stage:
    floor = str(rng.choice(DARK_FLOORS)) if dark_floor else str(rng.choice(list(FLOORS)))
    floor_rgb, floor_kind, floor_m = FLOORS[floor]
    elevation = np.radians(rng.uniform(30, 80))
    heading = rng.uniform(0, 2 * np.pi)
    key = (float(np.cos(heading) * np.cos(elevation)), float(np.sin(heading) * np.cos(elevation)),
           float(np.sin(elevation)))
    key_gain = 0.35 if dim else float(rng.uniform(0.55, 0.8))
    warm = rng.uniform(0.85, 1.0)
    light_rgb = (key_gain, key_gain * warm, key_gain * warm * warm)
    second = rng.uniform() < 0.5
    tint = np.array(colorsys.hsv_to_rgb(rng.uniform(), 0.6, 1.0)) if second else np.ones(3)
    gain2 = (0.25 if dim else 0.35) if second else 0.0
    light2_rgb = tuple(round(float(c * gain2), 3) for c in tint)
    light2 = (float(-key[0]), float(-key[1]), float(rng.uniform(0.2, 0.8)))
    items: list[Box] = []
    for _ in range(int(rng.integers(0, 4))):
        size_m, rgb = FURNITURE[str(rng.choice(list(FURNITURE)))]
        items.append(Box(across=float(rng.uniform(-2.5, 2.5)), toward_camera=0.0, size_m=size_m, rgb=rgb))
    if in_front:  # low, near one image edge, between the camera and the person: covers part of the view
        size_m, rgb = FURNITURE[str(rng.choice(["plant", "chair", "box"]))]
        items.append(Box(across=0.8 * float(rng.choice([-1.0, 1.0])), toward_camera=float(rng.uniform(0.35, 0.6)),
                         size_m=(size_m[0], size_m[1], min(size_m[2], 0.7)), rgb=rgb))
    return Stage(floor_rgb=floor_rgb, floor_kind=floor_kind, floor_m=floor_m,
                 wall_rgb=_rgb(rng, (0.5, 0.95), (0.0, 0.35)), wall_stripe_m=float(rng.choice([0.0, 0.15, 0.3])),
                 light_dir=key, light_rgb=light_rgb, light2_dir=light2, light2_rgb=light2_rgb,
                 ambient=round(float(rng.uniform(0.1, 0.16) if dim else rng.uniform(0.25, 0.4)), 3),
                 exposure=round(float(rng.uniform(0.75, 0.95) if dim else rng.uniform(0.9, 1.1)), 3),
                 window=(round(float(rng.uniform(-0.6, 0.6)), 2), round(float(rng.uniform(1.0, 1.8)), 2))
                 if backlit else None, furniture=tuple(items))


def move_of(index: int) -> str:
    """The move of clip `index` in every stress set: the moves go round the circuit so every move gets its share."""
    return MOVE_ORDER[index % len(MOVE_ORDER)]


def draw(seed: int, index: int) -> Variation:
    """The recipe of clip `index` of stress set `seed`."""
    rng = np.random.default_rng([seed, index])
    move = move_of(index)
    side = str(rng.choice(["left", "right"]))
    variant = {"bridge_march": str(rng.choice(["march", "march", "plain"])),
               "hamstring_scoop": str(rng.choice(["alternate", "blocks"]))}.get(move, "")
    # Counts keep a clip near 15 s (the render budget): one lunge cycle alone takes ~5 s.
    count = {"hip_90_90": int(rng.integers(2, 6)), "lunge_rotation": int(rng.integers(1, 3)),
             "bridge_march": int(rng.integers(2, 6)) if variant == "march" else int(rng.integers(2, 5)),
             "hamstring_scoop": int(rng.integers(1, 3)) * 2, "hip_flexor_reach": int(rng.integers(5, 11)),
             "forward_fold_pedals": int(rng.integers(3, 6)), "hamstring_strap": int(rng.integers(3, 6))}[move]
    dark = rng.uniform() < 0.2
    dim, backlit = bool(rng.uniform() < 0.25), False
    if not dim:
        backlit = bool(rng.uniform() < 0.25)
    size = float(rng.uniform(*SIZE_RANGE[move]))
    depth = float(rng.uniform(*DEPTH_RANGE.get(move, (1.0, 1.0))))
    rep_move = move not in ("hip_flexor_reach", "hamstring_strap")
    reps = count if rep_move else 0
    pause_s = {i: round(float(rng.uniform(1.0, 2.5)), 2) for i in range(max(reps - 1, 0)) if rng.uniform() < 0.15}
    fidget = frozenset(i for i in range(max(reps - 1, 0)) if rng.uniform() < 0.12)
    style = Style(size=round(size, 3), depth=round(depth, 3), pause_s=pause_s, fidget_after=fidget,
                  stop_mid=bool(rep_move and rng.uniform() < 0.25))
    camera = _camera(rng, move)
    in_front = bool(rng.uniform() < 0.3)
    skin_tone = float(rng.uniform())
    noise = float(rng.uniform(4.0, 9.0) if dim else rng.uniform(0.5, 4.0))
    return Variation(
        seed=seed, index=index, move=move, side=side, variant=variant, count=count, mix=_mix(rng),
        scale=round(float(rng.uniform(0.9, 1.1)), 3),
        skin_rgb=tuple(round(float(c), 3) for c in (1 - skin_tone) * SKIN_LIGHT + skin_tone * SKIN_DARK),
        skin_tone=round(skin_tone, 3), outfit=_outfit(rng, dark), tempo=round(float(rng.uniform(0.75, 1.3)), 3),
        style=style, walk_in=bool(rng.uniform() < 0.25), camera=camera,
        stage=_stage(rng, dark, dim, backlit, in_front),
        sensor=Sensor(noise_sd=round(noise, 2), blur=round(float(rng.uniform(0.0, 0.5)), 2)),
        crf=int(rng.integers(35, 43)) if rng.uniform() < 0.3 else int(rng.integers(23, 34)),
        dim=dim, backlit=backlit, dark_on_dark=dark, furniture_in_front=in_front)
