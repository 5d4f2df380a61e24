"""One Euro smoothing: still landmarks steady, steps followed, state dropped after a gap."""

import numpy as np

from coach.pose import Pose
from coach.smoothing import OneEuroFilter, PoseSmoother

FRAME_MS = 33  # ~30 fps


def _pose(t_ms: int, x: float) -> Pose:
    image_xyz = np.full((33, 3), 0.5)
    image_xyz[:, 0] = x
    return Pose(t_ms=t_ms, image_xyz=image_xyz, world_xyz=image_xyz - 0.5, visibility=np.ones(33),
                presence=np.ones(33), image_size=(640, 480))


def test_step_converges_without_overshoot() -> None:
    smoother = PoseSmoother()
    xs = [smoother.apply(_pose(i * FRAME_MS, 0.3 if i < 30 else 0.6)).image_xyz[0, 0] for i in range(60)]
    after_step = np.array(xs[30:])
    assert after_step.max() <= 0.6 + 1e-9  # a first-order filter never overshoots
    # within 1 % of the 0.3 step (0.003) no later than 10 frames (330 ms) after it
    assert abs(after_step[10] - 0.6) < 0.003
    assert abs(after_step[-1] - 0.6) < 1e-4


def test_jitter_on_still_landmark_reduced_at_least_2_5x() -> None:
    rng = np.random.default_rng(7)
    noisy = 0.5 + rng.normal(0.0, 0.004, size=300)  # ~2.5 px of jitter at 640 px
    one_euro = OneEuroFilter()
    smoothed = np.array([one_euro.apply(i * FRAME_MS, np.array([x]))[0] for i, x in enumerate(noisy)])
    raw_std, smooth_std = np.std(noisy[30:]), np.std(smoothed[30:])
    assert smooth_std < raw_std / 2.5  # measured: 2.9x with the default parameters


def test_no_pose_and_long_gap_reset_the_filter() -> None:
    smoother = PoseSmoother()
    for i in range(10):
        smoother.apply(_pose(i * FRAME_MS, 0.3))
    assert smoother.apply(None) is None
    assert smoother.apply(_pose(400, 0.7)).image_xyz[0, 0] == 0.7  # fresh start, no pull toward 0.3
    assert smoother.apply(_pose(400 + 600, 0.2)).image_xyz[0, 0] == 0.2  # 600 ms gap > 500 ms: fresh again
    lagging = smoother.apply(_pose(1000 + FRAME_MS, 0.8)).image_xyz[0, 0]
    assert 0.2 < lagging < 0.8


def test_smoothing_keeps_confidences_and_time() -> None:
    pose = _pose(0, 0.4)
    out = PoseSmoother().apply(pose)
    assert out.t_ms == 0 and out.image_size == (640, 480)
    np.testing.assert_array_equal(out.visibility, pose.visibility)
