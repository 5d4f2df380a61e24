"""Headless EGL rendering of the posed body in a plain room, and the camera projection used for labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import moderngl

WIDTH, HEIGHT = 640, 480

VERTEX_SHADER = """#version 330
uniform mat4 mvp;
in vec3 in_pos; in vec3 in_nrm; in vec3 in_col;
out vec3 nrm; out vec3 col; out vec3 pos;
void main() { gl_Position = mvp * vec4(in_pos, 1.0); nrm = in_nrm; col = in_col; pos = in_pos; }"""
FRAGMENT_SHADER = """#version 330
uniform vec3 light; uniform vec3 eye; uniform float ambient;
in vec3 nrm; in vec3 col; in vec3 pos; out vec4 color;
void main() {
    vec3 n = normalize(nrm);
    if (dot(n, eye - pos) < 0.0) n = -n;
    float diffuse = max(dot(n, normalize(light)), 0.0);
    float fill = 0.25 * max(dot(n, normalize(eye - pos)), 0.0);
    color = vec4(col * min(ambient + (1.0 - ambient) * diffuse + fill, 1.1), 1.0);
}"""


@dataclass(frozen=True)
class Camera:
    eye: tuple[float, float, float]
    target: tuple[float, float, float]
    fov_deg: float = 55.0
    view: str = "side"
    width: int = WIDTH
    height: int = HEIGHT
    roll_deg: float = 0.0  # a camera not quite level: the image turns about the view axis

    def matrix(self) -> np.ndarray:
        """Perspective projection times view: world (z up) -> clip space."""
        eye, target = np.asarray(self.eye, float), np.asarray(self.target, float)
        forward = (target - eye) / np.linalg.norm(target - eye)
        side = np.cross(forward, (0, 0, 1))
        side /= np.linalg.norm(side)
        up = np.cross(side, forward)
        if self.roll_deg:
            c, s = np.cos(np.radians(self.roll_deg)), np.sin(np.radians(self.roll_deg))
            side, up = c * side + s * up, c * up - s * side
        view = np.eye(4)
        view[0, :3], view[1, :3], view[2, :3] = side, up, -forward
        view[:3, 3] = -view[:3, :3] @ eye
        focal, near, far = 1 / np.tan(np.radians(self.fov_deg) / 2), 0.05, 30.0
        proj = np.zeros((4, 4))
        proj[0, 0], proj[1, 1] = focal * self.height / self.width, focal
        proj[2, 2], proj[2, 3], proj[3, 2] = (far + near) / (near - far), 2 * far * near / (near - far), -1
        return proj @ view

    def project(self, points: np.ndarray) -> np.ndarray:
        """Pixel coordinates (x right, y down) of world points."""
        clip = np.c_[points, np.ones(len(points))] @ self.matrix().T
        ndc = clip[:, :2] / clip[:, 3:4]
        return np.c_[(ndc[:, 0] + 1) * self.width / 2, (1 - ndc[:, 1]) * self.height / 2]


@dataclass(frozen=True)
class Room:
    floor_rgb: tuple[float, float, float] = (0.55, 0.47, 0.38)
    wall_rgb: tuple[float, float, float] = (0.86, 0.85, 0.80)
    light_dir: tuple[float, float, float] = (0.4, -0.6, 0.8)
    ambient: float = 0.38


def _room_geometry(camera: Camera, room: Room) -> np.ndarray:
    """A floor and two walls behind the person, seen from the camera; rows of position, normal, colour."""
    eye, target = np.asarray(camera.eye), np.asarray(camera.target)
    back = target[:2] - eye[:2]
    back /= np.linalg.norm(back)
    across = np.array([-back[1], back[0]])
    centre = target[:2] + back * 2.2  # back wall 2.2 m behind the person
    quads = []
    size = 9.0
    quads.append(([-size, -size, 0], [size, -size, 0], [size, size, 0], [-size, size, 0], [0, 0, 1], room.floor_rgb))
    left, right = centre - across * size, centre + across * size
    quads.append(([*left, 0], [*right, 0], [*right, 3.0], [*left, 3.0], [*-back, 0], room.wall_rgb))
    side_x = target[:2] + across * 3.2
    shade = tuple(c * 0.93 for c in room.wall_rgb)
    quads.append(([*(side_x - back * size), 0], [*(side_x + back * 3), 0], [*(side_x + back * 3), 3.0],
                  [*(side_x - back * size), 3.0], [*-across, 0], shade))
    rows = []
    for a, b, c, d, normal, rgb in quads:
        for p in (a, b, c, a, c, d):
            rows.append([*p, *normal, *rgb])
    # skirting board where the back wall meets the floor
    return np.asarray(rows, dtype="f4")


class Renderer:
    """Lit mesh with per-vertex colours in a plain room; reuses one offscreen EGL context."""

    def __init__(self, faces: np.ndarray, size: tuple[int, int] = (WIDTH, HEIGHT),
                 fragment_shader: str = FRAGMENT_SHADER) -> None:
        import moderngl  # here, not at the top: cameras and rooms load without the synth extra

        self.ctx = moderngl.create_context(standalone=True, backend="egl")
        self.size = size
        self.fbo = self.ctx.simple_framebuffer(size, components=3)
        self.fbo.use()
        self.ctx.enable(moderngl.DEPTH_TEST)
        self.program = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=fragment_shader)
        self.faces = faces.astype(np.int32)
        self._index = self.ctx.buffer(self.faces.astype("i4").tobytes())
        self._room_key: tuple | None = None
        self._room_vao: moderngl.VertexArray | None = None

    def _room(self, camera: Camera, room: Room) -> moderngl.VertexArray:
        key = (camera, room)
        if key != self._room_key:
            vbo = self.ctx.buffer(_room_geometry(camera, room).tobytes())
            self._room_vao = self.ctx.vertex_array(self.program, [(vbo, "3f 3f 3f", "in_pos", "in_nrm", "in_col")])
            self._room_key = key
        assert self._room_vao is not None
        return self._room_vao

    def normals(self, vertices: np.ndarray) -> np.ndarray:
        f = self.faces
        face_n = np.cross(vertices[f[:, 1]] - vertices[f[:, 0]], vertices[f[:, 2]] - vertices[f[:, 0]])
        out = np.zeros_like(vertices)
        for axis in range(3):
            out[:, axis] = np.bincount(f.ravel(), weights=np.repeat(face_n[:, axis], 3), minlength=len(vertices))
        return out / (np.linalg.norm(out, axis=1, keepdims=True) + 1e-12)

    def draw(self, vertices: np.ndarray | None, colours: np.ndarray, camera: Camera, room: Room) -> np.ndarray:
        """RGB uint8 image (H, W, 3); `vertices` None renders the empty room."""
        self.program["mvp"].write(camera.matrix().T.astype("f4").tobytes())
        self.program["light"].value = room.light_dir
        self.program["eye"].value = tuple(float(c) for c in camera.eye)
        self.program["ambient"].value = room.ambient
        self.fbo.clear(*room.wall_rgb, 1.0, depth=1.0)
        self._room(camera, room).render()
        if vertices is not None:
            data = np.hstack([vertices, self.normals(vertices), colours]).astype("f4")
            vbo = self.ctx.buffer(data.tobytes())
            vao = self.ctx.vertex_array(self.program, [(vbo, "3f 3f 3f", "in_pos", "in_nrm", "in_col")], self._index)
            vao.render()
            vao.release()
            vbo.release()
        pixels = np.frombuffer(self.fbo.read(components=3), dtype=np.uint8).reshape(self.size[1], self.size[0], 3)
        return pixels[::-1].copy()
