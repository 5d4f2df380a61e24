"""The varied room of a stress clip: textured floor and walls, furniture behind and in front of the person, a window
behind them, two coloured lights, dim or bright exposure. Drawn with the same camera and mesh code as the samples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coach.synth.render import Camera, Renderer

# mode 0: lit surface; 1: lit floor/walls with a procedural texture; 2: emissive (a window: drawn as it is).
STAGE_SHADER = """#version 330
uniform vec3 light; uniform vec3 light_rgb; uniform vec3 light2; uniform vec3 light2_rgb; uniform vec3 eye;
uniform float ambient; uniform float exposure; uniform int mode; uniform int floor_kind; uniform float floor_m;
uniform float wall_stripe_m;
in vec3 nrm; in vec3 col; in vec3 pos; out vec4 color;
float hash(vec2 p) { return fract(sin(dot(p, vec2(127.1, 311.7))) * 43758.5453); }
vec3 texture_at(vec3 c, vec3 n) {
    if (n.z > 0.9 && pos.z < 0.01) {
        vec2 q = pos.xy / floor_m;
        if (floor_kind == 1) {  // planks: long boards with staggered ends and dark seams
            float board = floor(q.x);
            float len = floor(q.y / 4.0 + hash(vec2(board, 7.0)));
            float seam = step(0.96, fract(q.x)) + step(0.99, fract(q.y / 4.0 + hash(vec2(board, 7.0))));
            return c * (0.8 + 0.35 * hash(vec2(board, len))) * (1.0 - 0.45 * min(seam, 1.0));
        }
        if (floor_kind == 2) {  // tiles with grout
            float grout = step(0.94, fract(q.x)) + step(0.94, fract(q.y));
            return mix(c * (0.9 + 0.15 * hash(floor(q))), vec3(0.75), min(grout, 1.0) * 0.6);
        }
        if (floor_kind == 3) {  // a striped rug around the person on a plain floor
            float rug = step(abs(pos.x), 1.3) * step(abs(pos.y), 1.0);
            return mix(c, vec3(0.55, 0.2, 0.15) * (0.7 + 0.5 * step(0.5, fract(pos.y * 3.0))), rug);
        }
        return c;
    }
    if (abs(n.z) < 0.1 && wall_stripe_m > 0.0) {  // wallpaper stripes plus blotches
        float u = (pos.x + pos.y) / wall_stripe_m;
        return c * (0.88 + 0.12 * step(0.5, fract(u))) * (0.93 + 0.1 * hash(floor(vec2(u * 3.0, pos.z * 4.0))));
    }
    return c;
}
void main() {
    if (mode == 2) { color = vec4(col, 1.0); return; }
    vec3 n = normalize(nrm);
    if (dot(n, eye - pos) < 0.0) n = -n;
    vec3 c = mode == 1 ? texture_at(col, n) : col;
    float fill = 0.2 * max(dot(n, normalize(eye - pos)), 0.0);
    vec3 lit = vec3(ambient + fill) + max(dot(n, normalize(light)), 0.0) * light_rgb
               + max(dot(n, normalize(light2)), 0.0) * light2_rgb;
    color = vec4(c * lit * exposure, 1.0);
}"""


@dataclass(frozen=True)
class Box:
    """A box-shaped piece of furniture standing on the floor, square to the camera. `toward_camera` 0: against the
    back wall, `across` metres right of the view line; > 0: that share of the way from the person to the camera,
    `across` then a share of the half-image width at that depth (0.8: near the image edge)."""

    across: float
    toward_camera: float
    size_m: tuple[float, float, float]  # across, depth, height
    rgb: tuple[float, float, float]


@dataclass(frozen=True)
class Stage:
    floor_rgb: tuple[float, float, float]
    floor_kind: int  # 0 plain, 1 planks, 2 tiles, 3 rug
    floor_m: float
    wall_rgb: tuple[float, float, float]
    wall_stripe_m: float  # 0: plain wall
    light_dir: tuple[float, float, float]
    light_rgb: tuple[float, float, float]
    light2_dir: tuple[float, float, float]
    light2_rgb: tuple[float, float, float]
    ambient: float
    exposure: float
    window: tuple[float, float] | None  # (across offset m, width m) on the back wall, or no window
    furniture: tuple[Box, ...]
    wall_m: float = 2.2  # back wall behind the person


def _quad_rows(corners: list[np.ndarray], normal: np.ndarray, rgb: tuple[float, float, float]) -> list[list[float]]:
    a, b, c, d = corners
    return [[*p, *normal, *rgb] for p in (a, b, c, a, c, d)]


def _frame(camera: Camera) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Floor-plane unit vectors from the camera toward the target (back) and to its right (across), and the target."""
    eye, target = np.asarray(camera.eye), np.asarray(camera.target)
    back = target[:2] - eye[:2]
    back /= np.linalg.norm(back)
    return back, np.array([-back[1], back[0]]), target


def room_rows(camera: Camera, stage: Stage) -> np.ndarray:
    """Floor and two walls (textured), as rows of position, normal, colour."""
    back, across, target = _frame(camera)
    size = 9.0
    rows = _quad_rows([np.array(p, float) for p in ([-size, -size, 0], [size, -size, 0], [size, size, 0],
                                                    [-size, size, 0])], np.array([0.0, 0, 1]), stage.floor_rgb)
    centre = target[:2] + back * stage.wall_m
    left, right = centre - across * size, centre + across * size
    rows += _quad_rows([np.r_[left, 0], np.r_[right, 0], np.r_[right, 3.0], np.r_[left, 3.0]], np.r_[-back, 0],
                       stage.wall_rgb)
    side_x = target[:2] + across * 3.2
    rows += _quad_rows([np.r_[side_x - back * size, 0], np.r_[side_x + back * 3, 0], np.r_[side_x + back * 3, 3.0],
                        np.r_[side_x - back * size, 3.0]], np.r_[-across, 0], tuple(c * 0.93 for c in stage.wall_rgb))
    return np.asarray(rows, dtype="f4")


def furniture_rows(camera: Camera, stage: Stage) -> np.ndarray:
    """Each box's five visible faces (no bottom), placed along the camera's view on the floor."""
    back, across, target = _frame(camera)
    eye = np.asarray(camera.eye)
    reach_m = float(np.linalg.norm(target[:2] - eye[:2]))
    rows: list[list[float]] = []
    for box in stage.furniture:
        if box.toward_camera > 0:
            depth_m = reach_m * (1 - box.toward_camera)
            half_view_m = depth_m * np.tan(np.radians(camera.fov_deg) / 2) * camera.width / camera.height
            base = eye[:2] + back * depth_m + across * box.across * half_view_m
        else:
            base = target[:2] + back * (stage.wall_m - box.size_m[1] / 2 - 0.02) + across * box.across
        h = box.size_m[2]
        half_w, half_d = box.size_m[0] / 2, box.size_m[1] / 2
        z0, z1 = 0.0, h
        corner = {(i, j): base + across * i * half_w + back * j * half_d for i in (-1, 1) for j in (-1, 1)}
        top = [np.r_[corner[k], z1] for k in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
        rows += _quad_rows(top, np.array([0.0, 0, 1]), box.rgb)
        for (i0, j0), (i1, j1), normal in (((-1, -1), (1, -1), -back), ((1, 1), (-1, 1), back),
                                            ((-1, 1), (-1, -1), -across), ((1, -1), (1, 1), across)):
            shade = tuple(c * 0.85 for c in box.rgb)
            rows += _quad_rows([np.r_[corner[(i0, j0)], z0], np.r_[corner[(i1, j1)], z0],
                                np.r_[corner[(i1, j1)], z1], np.r_[corner[(i0, j0)], z1]], np.r_[normal, 0], shade)
    return np.asarray(rows, dtype="f4").reshape(-1, 9)


def window_rows(camera: Camera, stage: Stage) -> np.ndarray:
    """A bright window pane just in front of the back wall (drawn unlit, so it blows out like a real one)."""
    if stage.window is None:
        return np.zeros((0, 9), dtype="f4")
    back, across, target = _frame(camera)
    offset, width = stage.window
    centre = target[:2] + back * (stage.wall_m - 0.01) + across * offset
    a, b = centre - across * width / 2, centre + across * width / 2
    return np.asarray(_quad_rows([np.r_[a, 0.7], np.r_[b, 0.7], np.r_[b, 2.3], np.r_[a, 2.3]], np.r_[-back, 0],
                                 (1.0, 0.99, 0.95)), dtype="f4")


class StageRenderer(Renderer):
    """The sample renderer with the stage's shader: textured room, furniture, window, two coloured lights."""

    def __init__(self, faces: np.ndarray, size: tuple[int, int]) -> None:
        super().__init__(faces, size, STAGE_SHADER)
        self._stage_key: tuple | None = None
        self._parts: list[tuple[int, object]] = []

    def _stage(self, camera: Camera, stage: Stage) -> list[tuple[int, object]]:
        if (camera, stage) != self._stage_key:
            for _, vao in self._parts:
                vao.release()
            self._parts = []
            for mode, rows in ((1, room_rows(camera, stage)), (0, furniture_rows(camera, stage)),
                               (2, window_rows(camera, stage))):
                if len(rows):
                    vbo = self.ctx.buffer(rows.tobytes())
                    self._parts.append((mode, self.ctx.vertex_array(
                        self.program, [(vbo, "3f 3f 3f", "in_pos", "in_nrm", "in_col")])))
            self._stage_key = (camera, stage)
        return self._parts

    def draw_stage(self, vertices: np.ndarray | None, colours: np.ndarray, camera: Camera, stage: Stage) -> np.ndarray:
        """RGB uint8 image (H, W, 3) of the person (None: nobody) in the stage."""
        program = self.program
        program["mvp"].write(camera.matrix().T.astype("f4").tobytes())
        back, _, _ = _frame(camera)
        key = stage.light_dir if stage.window is None else (float(back[0]), float(back[1]), 0.6)  # from the window
        for name, value in (("light", key), ("light_rgb", stage.light_rgb), ("light2", stage.light2_dir),
                            ("light2_rgb", stage.light2_rgb), ("eye", tuple(float(c) for c in camera.eye)),
                            ("ambient", stage.ambient), ("exposure", stage.exposure), ("floor_kind", stage.floor_kind),
                            ("floor_m", stage.floor_m), ("wall_stripe_m", stage.wall_stripe_m)):
            program[name].value = value
        self.fbo.clear(*(c * stage.exposure for c in stage.wall_rgb), 1.0, depth=1.0)
        for mode, vao in self._stage(camera, stage):
            program["mode"].value = mode
            vao.render()
        if vertices is not None:
            program["mode"].value = 0
            data = np.hstack([vertices, self.normals(vertices), colours]).astype("f4")
            vbo = self.ctx.buffer(data.tobytes())
            vao = self.ctx.vertex_array(program, [(vbo, "3f 3f 3f", "in_pos", "in_nrm", "in_col")], self._index)
            vao.render()
            vao.release()
            vbo.release()
        pixels = np.frombuffer(self.fbo.read(components=3), dtype=np.uint8)
        return pixels.reshape(self.size[1], self.size[0], 3)[::-1].copy()
