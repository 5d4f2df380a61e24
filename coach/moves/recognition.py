"""Which of the seven moves the person is doing, from a stream of poses, without flicker.

Each frame casts a vote from simple, explainable features (posture, knee and hip angles, split stance); frames that
say nothing (standing tall between scoops, moving between positions) abstain. Votes feed exponential scores with a
time constant, and the current move changes only when another clearly leads, so one odd frame never switches it.
One vote depends on the frames before it: a scoop or fold vote straight after the lunge's own is the lunge's shift
back.
"""

from __future__ import annotations

import math

import numpy as np

from coach import geometry as g
from coach.geometry import Posture, View
from coach.landmarks import SIDES, Landmark, sided
from coach.moves import bridge_march, hamstring_strap, hip_flexor_reach
from coach.moves import measures as m
from coach.moves.base import gate_problem
from coach.moves.forward_fold_pedals import head_below_hips_pct, image_knee_deg
from coach.moves.hip_90_90 import (
    BACK_HIP_FLEX_ENTER_DEG,
    KNEES_DOWN_ENTER_PCT,
    SEATED_HIP_FLEX_ENTER_DEG,
    knees_above_hips_pct,
    left_front_pct,
    max_hip_flex_deg,
    min_hip_flex_deg,
)
from coach.moves.hip_90_90 import MOVE as HIP_90_90
from coach.pose import Pose

ABSTAIN = "abstain"
NO_MOVE = "none"

VOTE_TAU_MS = 700.0
ABSTAIN_TAU_MS = 6000.0
SWITCH_SCORE = 0.6
SWITCH_LEAD = 0.3
IDLE_TIMEOUT_MS = 10000

FOLD_HINGE_DEG = 65.0
FOLD_MAX_SPLIT_PCT = 18.0
FOLD_LONG_KNEE_DEG = 155.0
FOLD_MAX_FEET_BEHIND_PCT = 30.0
FOLD_FRONT_HEAD_DROP_PCT = 50.0
"""Facing the camera, a fold frame needs the head hanging at least this far below the hips (percent of torso). The
folds' hanging heads read 90-137 there (quartiles, rendered tuning clips); the few scoop frames that passed the
fold's other tests held the head at most 32 below the hips, as a scoop reaches with the head in line."""
SCOOP_HINGE_DEG = 30.0
SCOOP_SPLIT_PCT = 25.0
SCOOP_MAX_HEAD_DROP_PCT = 10.0
SCOOP_MAX_HIP_LEAD_DEG = 45.0
SCOOP_DEEP_HIP_LEAD_DEG = 75.0
SCOOP_LONG_LEGS_LEAD_DEG = 60.0
LONG_LEGS_DEG = 155.0
FEET_BELOW_HIPS_PCT = 50.0
SCOOP_MAX_FEET_BEHIND_PCT = 55.0
"""A scoop sits back over a half step: the rear foot at most about half a leg behind the hips (<= 49 % on 95 % of the
stress renders' scoop frames). A lunge's shift back keeps its long stance (its frames that voted scoop read 45-94 %),
and with no lunge frame before it, nothing else told it from a scoop's bottom."""
TALL_HIPS_PCT = 150.0
STANDING_HIPS_PCT = 110.0
LYING_HIPS_PCT = 85.0
"""A strap stretch's hips lie near the resting foot: in the tuning renders' frames that voted strap they sat at most
66 / 79 / 95 % of a torso above the lowest foot or knee (90th / 95th / 99th percentile; a camera looking down tips
the model's "up"). A side-on lunge with the chest pitched down reads supine with the front knee straightened in
depth, but stands 89-108 % high (10th-90th percentile of its strap votes)."""
SET_FRONT_PCT = 40.0
SET_MAX_SHIN_DROP_PCT = 65.0
"""A 90/90's shins lie on the floor; a lunge stands on a vertical front shin. Frames that pass the 90/90's set test
hang the lower ankle below its knee by 32 % of a torso at the median in the tuning renders' 90/90 sets (12 % over
65), by 85 % in their lunges and 89 % in four real lunge clips (98 % over 65)."""
KNEES_DOWN_PCT = KNEES_DOWN_ENTER_PCT
SEATED_TILT_DEG = 45.0
SEATED_KNEES_BELOW_PCT = 40.0
SIDE_ON_SEATED_KNEES_ABOVE_HIPS_PCT = -35.0
SIDE_ON_SEATED_BACK_HIP_FLEX_DEG = 25.0
"""Seen side-on or obliquely, frames of the 90/90's set whose coarse posture missed the seat (read other or half-
kneeling, 439 of them on the tuning renders' 90/90 sets) kept their knees near the hips' height in 3D (-35..-6 %
of a torso at the 5th-95th percentile side-on) with the back hip off the torso line (29-57 degrees); a half-kneel
that passed the set test hangs its kneeling knee a thigh lower (-76..-26) with the back hip near straight (6-38).
These two, with no hand above the head (the stretch's reach), let 360 of those 439 frames vote and 3 of 295 such
half-kneeling frames."""
STRAP_RAISE_DEG = 45.0
LEG_LONG_DEG = 135.0
LEG_DOWN_DEG = 35.0
KNEES_BENT_DEG = bridge_march.KNEES_BENT_ENTER_DEG
LUNGE_HIP_LEAD_DEG = 35.0
LUNGE_KNEE_DEG = 135.0
LUNGE_MIN_KNEE_DEG = 45.0
"""A lunge bends its knees to about a right angle, not to a fold: 1 % of the tuning renders' lunge votes read a knee
under 66 degrees (3D), 0.4 % under 45. A real RDL filmed from behind read 9-40 there while voting the lunge."""
LUNGE_WIDE_LEAD_DEG = 60.0
LUNGE_WIDE_BENT_KNEE_DEG = 145.0
"""A split that wide is a lunge's only with a knee clearly bent (3D or in the image): the tuning renders' deep scoops
split 60-68 degrees on two long legs (their more bent knee read 149-155 at the 5th-95th percentile), while the
lunges' wide-split frames bent one under 145 in 94 % of them."""
LUNGE_LEAN_DEG = 25.0
LUNGE_BENT_KNEE_DEG = 155.0
SCOOP_KNEES_DEG = 120.0
REACH_VOTE_PCT = hip_flexor_reach.REACH_LEAVE_PCT
ROTATION_HINGE_DEG = 50.0
ARM_UP_PCT = 50.0
SHIFT_AFTER_LUNGE_MS = 2000
"""A scoop or fold vote this soon after a lunge vote is the lunge's shift back: front leg long, chest down over it,
feet split is a scoop's bottom frame by frame (lunges on the stress renders voted scoop in up to a quarter of their
frames), and the fold's hang where the model folds the front leg onto the back one."""
SHIFT_READS_AS = ("hamstring_scoop", "forward_fold_pedals")
"""The moves a lunge's shift back reads as, frame by frame."""


def split_along_lean_pct(pose: Pose) -> float:
    """How far apart the ankles are along the torso's horizontal lean, percent of leg length (3D, unsigned).

    Only meaningful while hinged. The lean, not the hip line, gives the direction: side-on, MediaPipe's hip depth
    order flips from frame to frame and with it the facing direction, so a feet-together fold read a 6-13 % split
    across it, while along a hinged torso it reads 0-15 % (feet together) against 22-99 % in scoops.
    """
    step = g.world(pose, Landmark.LEFT_ANKLE) - g.world(pose, Landmark.RIGHT_ANKLE)
    return 100.0 * abs(float(np.dot(step, lean_unit(pose)))) / max(m.leg_length_m(pose), 1e-6)


def lean_unit(pose: Pose) -> np.ndarray:
    """The torso's horizontal lean direction (hips to shoulders, height dropped), 3D unit vector."""
    lean = g.mid_world(pose, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER) \
        - g.mid_world(pose, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    lean[1] = 0.0
    return lean / max(float(np.linalg.norm(lean)), 1e-9)


def feet_behind_hips_pct(pose: Pose) -> float:
    """How far the rearmost ankle is behind the hips' midpoint, against the torso's lean, percent of leg length (3D).

    Standing folded, the weight stays over the feet: the hips shift back over the heels, the ankles under or ahead of
    them (at most ~25 % behind on the rendered folds). Feet far behind hips leaning forward is no fold one stands in:
    it is a lunge's shift back whose front leg the model folded onto the back one (both ankles read behind, 33-86 %
    on rendered side and outside views), a plank or a bridge read upside down.
    """
    hips = g.mid_world(pose, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    behind = max(-float(np.dot(g.world(pose, ankle) - hips, lean_unit(pose)))
                 for ankle in (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE))
    return 100.0 * behind / max(m.leg_length_m(pose), 1e-6)


def rotating_arm(pose: Pose) -> bool:
    """One wrist well above its shoulder and the other below its own (image): the lunge's rotation, one hand up,
    one on the floor. Hinged, nothing else does this: a fold's and a scoop's arms hang or reach down, a strap
    stretch holds both hands up."""
    heights = sorted(m.wrist_above_shoulder_pct(pose, s) for s in SIDES)
    return heights[1] >= ARM_UP_PCT and heights[0] < 0.0


def most_bent_knee_either_deg(pose: Pose) -> float:
    """The more bent knee, each read as the more bent of its 3D and image angle. A lunge's front knee is bent; the
    model can straighten it in one of the two (a rendered lunge's front knee read 113-164 in 3D) but on the rendered
    lunges rarely in both."""
    return min(min(g.knee_deg(pose, s), image_knee_deg(pose, s)) for s in SIDES)


def deep_scoop_legs(pose: Pose, knee_bent: bool) -> bool:
    """Both knees long in 3D and in the image, the hips at nearly standing height: standing on two long legs, as a
    scoop does, while a lying body (a strap stretch read at an angle, hips 114-118 %) is not."""
    return not knee_bent and m.hips_above_floor_pct(pose) >= TALL_HIPS_PCT


def feet_below_hips_pct(pose: Pose) -> float:
    """How far the higher ankle is below the hips' midpoint in the image, percent of torso: standing on both feet, a
    leg's length (>= 100 % on the rendered scoops); a body read upside down (a strap stretch's raised leg filmed from
    its feet) is negative."""
    return min(g.below_hips_pct(pose, ankle) for ankle in (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE))


def legs_long(pose: Pose) -> bool:
    """Each knee reads long in 3D or in the image: the model bends a long leg in one of the two, a lunge's front knee
    stays bent in both."""
    return min(max(g.knee_deg(pose, s), image_knee_deg(pose, s)) for s in SIDES) >= LONG_LEGS_DEG


def scoop_max_hip_lead_deg(pose: Pose, knee_bent: bool) -> float:
    """How far the front hip may flex past the back one in a scoop vote: more the longer both legs read."""
    if deep_scoop_legs(pose, knee_bent):
        return SCOOP_DEEP_HIP_LEAD_DEG
    return SCOOP_LONG_LEGS_LEAD_DEG if legs_long(pose) else SCOOP_MAX_HIP_LEAD_DEG


def lying_low(pose: Pose) -> bool:
    """Lying by the strap checker's own test (torso tipped from upright in the image or in 3D), hips low.

    Seen from outside at mid height a lying torso is foreshortened toward upright in the image (38-42 degrees on a
    rendered strap stretch), too little for the coarse posture's supine; in 3D it still reads 54-61 degrees down.
    The hips low keeps out a lunge's or a scoop's hinge (see LYING_HIPS_PCT).
    """
    return m.torso_down_deg(pose) >= hamstring_strap.LYING_ENTER_DEG \
        and m.hips_above_floor_pct(pose) < LYING_HIPS_PCT


def resting_leg(pose: Pose, raised: str, other_flex_deg: float) -> bool:
    """Whether the leg other than `raised` rests as in a strap stretch: down (its 3D hip flexion), or bent at the
    knee with the foot planted (the strap checker's allowance) while the body lies low with the raised foot above
    the hips in the picture. A lunge's shift back (front leg long and up to the chest, back knee bent, chest pitched
    down) reads supine side-on, but its front foot stands on the floor."""
    if other_flex_deg <= LEG_DOWN_DEG:
        return True
    other = m.other(raised)
    return other_flex_deg - hamstring_strap.planted_allowance_deg(pose, other) <= LEG_DOWN_DEG and lying_low(pose) \
        and g.above_pct(pose, sided(raised, "ankle"), sided(raised, "hip")) > 0


def lowest_knee_below_hips_pct(pose: Pose) -> float:
    """How far the lower knee is below the hips' midpoint in the image, percent of torso."""
    return max(g.below_hips_pct(pose, knee) for knee in (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE))


def shin_drop_pct(pose: Pose) -> float:
    """How far an ankle hangs below its own knee in the image, percent of torso (the larger of the two legs)."""
    return max(g.above_pct(pose, sided(side, "knee"), sided(side, "ankle")) for side in SIDES)


def in_90_90_set(pose: Pose) -> bool:
    """One shin across in front and the knees down (3D), both shins low: the 90/90's set position, not sitting with
    the knees up, nor a lunge toward the camera whose back knee the picture shows beside the hips."""
    return abs(left_front_pct(pose)) >= SET_FRONT_PCT and knees_above_hips_pct(pose) <= KNEES_DOWN_PCT \
        and shin_drop_pct(pose) <= SET_MAX_SHIN_DROP_PCT


def seated_in_image(pose: Pose) -> bool:
    """Sitting on the floor by the picture: upright, both hips flexed (3D), and the knees at the hips' height.

    Facing the camera, MediaPipe's depth hangs folded shins below the hips (a front-view 90/90's hips read 95-107 % of
    a torso above its feet in 3D, where sitting reads under 80), so the coarse posture misses the seat. The image
    keeps the knees beside the hips (the lower knee 24 % of a torso below them at the median on the stress renders,
    55 % at the 95th percentile), while half-kneeling hangs the back knee a thigh below them (45-91 %). Side-on the
    picture does not tell them apart (a half-kneel's back knee read 20-38 % there), so side views keep the 3D test.
    The hips are flexed as the 90/90 checker's set position needs them.
    """
    return g.camera_view(pose) is not View.SIDE and g.torso_tilt_deg(pose) <= SEATED_TILT_DEG \
        and max_hip_flex_deg(pose) >= SEATED_HIP_FLEX_ENTER_DEG \
        and min_hip_flex_deg(pose) >= BACK_HIP_FLEX_ENTER_DEG \
        and lowest_knee_below_hips_pct(pose) <= SEATED_KNEES_BELOW_PCT


def hand_overhead(pose: Pose) -> bool:
    """Either wrist above the nose in the image (REACH_VOTE_PCT): the hip flexor stretch's reach."""
    return max(hip_flexor_reach.wrist_above_nose_pct(pose, s) for s in SIDES) >= REACH_VOTE_PCT


def seated_side_on(pose: Pose) -> bool:
    """Sitting on the floor, side-on or oblique, by 3D heights the coarse posture's floor test misses: the knees near
    the hips' height rather than a thigh below them, and the back hip off the torso line (see
    SIDE_ON_SEATED_KNEES_ABOVE_HIPS_PCT). A hand above the head is the hip flexor stretch's reach, not a seat."""
    return g.camera_view(pose) is not View.FRONT \
        and knees_above_hips_pct(pose) >= SIDE_ON_SEATED_KNEES_ABOVE_HIPS_PCT \
        and min_hip_flex_deg(pose) >= SIDE_ON_SEATED_BACK_HIP_FLEX_DEG \
        and not hand_overhead(pose)


def frame_vote(pose: Pose | None) -> str:
    """A move id, NO_MOVE, or ABSTAIN for one frame."""
    if pose is None:
        return NO_MOVE
    if gate_problem(HIP_90_90, pose) is not None:
        # Not every joint trusted: only a move whose own checker trusts this frame, and sees its position, may vote.
        reaching = gate_problem(hip_flexor_reach.MOVE, pose) is None and hip_flexor_reach.reaching_half_kneel(pose)
        return "hip_flexor_reach" if reaching else ABSTAIN
    posture = g.posture(pose)
    knees = {s: g.knee_deg(pose, s) for s in SIDES}
    flex = {s: m.hip_flex_deg(pose, s) for s in SIDES}
    strap_side = next((side for side in SIDES if flex[side] >= STRAP_RAISE_DEG and knees[side] >= LEG_LONG_DEG
                       and resting_leg(pose, side, flex[m.other(side)])), None)
    if strap_side is not None and hamstring_strap.hands_raised_pct(pose) < hamstring_strap.HANDS_HOLD_ENTER_PCT:
        strap_side = None  # the strap checker's own hands test: leg raises and single-leg bridges keep them down
    if posture is Posture.SUPINE:
        if strap_side is not None and lying_low(pose):
            return "hamstring_strap"
        if rotating_arm(pose):
            # Side-on, a lunge's chest pitched down over the front thigh lies across the picture with the hips low:
            # it reads as lying. Lying on the back, one hand up and the other down is no set-up of ours.
            return "lunge_rotation"
        # Both knees bent, feet planted: a straight leg (lying leg raises, a knee hugged to the chest with the other
        # leg long, a single-leg bridge) is not the bridge march's set-up.
        return "bridge_march" if max(knees.values()) <= KNEES_BENT_DEG else ABSTAIN
    if posture is Posture.SEATED:
        # Only a 90/90 set position votes (one shin across in front, knees down): sitting with the knees up, as
        # before lying back for a bridge, says nothing.
        return "hip_90_90" if in_90_90_set(pose) else ABSTAIN
    if posture is Posture.OTHER and strap_side is not None and lying_low(pose):
        return "hamstring_strap"
    if hip_flexor_reach.reaching_half_kneel(pose):
        # The stretch by its own hold test (image knees where the model straightens one in depth, which can make
        # the coarse posture read standing): upright, split, both knees bent, the kneeling side's arm up.
        return "hip_flexor_reach"
    if in_90_90_set(pose) and (seated_in_image(pose)
                               or (posture in (Posture.OTHER, Posture.HALF_KNEELING) and seated_side_on(pose))):
        return "hip_90_90"
    if posture is Posture.HALF_KNEELING:
        # The stretch is half-kneeling with an arm reaching overhead; the bottom of a lunge or split squat is
        # half-kneeling too (real clips read so in most frames), but with the hands low.
        return "hip_flexor_reach" if hand_overhead(pose) else ABSTAIN
    # A lunge splits the hips far apart (front thigh up to the chest, back thigh behind): 86-129 degrees on the
    # rendered clips, against <= 40 in scoops and folds and ~55-78 kneeling upright (caught above).
    hip_lead_deg = max(m.hip_lead_deg(pose, s) for s in SIDES)
    leaning = g.torso_tilt_deg(pose) >= LUNGE_LEAN_DEG
    # A lunge bends its front knee. The model can straighten it in 3D or in the image, but a split hinge with both
    # knees long both ways is a deep scoop's just as well (its front hip flexes 60-68 past the back one): the
    # scoop's test below decides.
    either_bent_knee_deg = most_bent_knee_either_deg(pose)
    knee_bent = either_bent_knee_deg < LUNGE_BENT_KNEE_DEG
    most_bent_knee_deg = min(knees.values())
    wide_and_bent = hip_lead_deg >= LUNGE_WIDE_LEAD_DEG and either_bent_knee_deg < LUNGE_WIDE_BENT_KNEE_DEG
    if leaning and knee_bent and most_bent_knee_deg >= LUNGE_MIN_KNEE_DEG \
            and (wide_and_bent or (hip_lead_deg >= LUNGE_HIP_LEAD_DEG and most_bent_knee_deg <= LUNGE_KNEE_DEG)):
        return "lunge_rotation"
    # The hinge is the larger of image tilt and 3D lean, so a hinge facing the camera (image tilt ~25 in a 60 degree
    # scoop) still reads.
    hinge_deg = max(g.torso_tilt_deg(pose), m.torso_lean_deg(pose))
    if hinge_deg >= ROTATION_HINGE_DEG and rotating_arm(pose):
        # Facing the camera MediaPipe can collapse the lunge's split (3D hip lead ~10): the raised arm still shows.
        return "lunge_rotation"
    if posture in (Posture.HINGED, Posture.STANDING) or m.hips_above_floor_pct(pose) >= STANDING_HIPS_PCT:
        # Standing and bending forward: feet together and a leg long is the fold (its pedal bends one knee at a
        # time; with both knees bent it is a squat or a lunge whose split the model lost); a clear split stance with
        # both knees fairly straight is a scoop. In between (a split half-lost, a shallow hinge) says nothing.
        split_pct = split_along_lean_pct(pose)
        # Facing the camera a split stance collapses (feet together in the picture), but only the fold lets the
        # head hang far below the hips; its hang is timed there too (its pedals are not: they bend in depth).
        if hinge_deg >= FOLD_HINGE_DEG and split_pct < FOLD_MAX_SPLIT_PCT \
                and max(knees.values()) >= FOLD_LONG_KNEE_DEG \
                and (g.camera_view(pose) is not View.FRONT or head_below_hips_pct(pose) >= FOLD_FRONT_HEAD_DROP_PCT) \
                and feet_behind_hips_pct(pose) <= FOLD_MAX_FEET_BEHIND_PCT:
            return "forward_fold_pedals"
        # A scoop reaches down with the head in line, above the hips (at most 8 % of torso below them on the
        # rendered scoops); a head hanging lower is the fold's hang, a lunge's shift back or a body read upside down
        # (a bridge filmed from high up, 21-32 %).
        if hinge_deg >= SCOOP_HINGE_DEG and split_pct >= SCOOP_SPLIT_PCT and most_bent_knee_deg >= SCOOP_KNEES_DEG \
                and hip_lead_deg < scoop_max_hip_lead_deg(pose, knee_bent) \
                and head_below_hips_pct(pose) < SCOOP_MAX_HEAD_DROP_PCT \
                and feet_below_hips_pct(pose) >= FEET_BELOW_HIPS_PCT \
                and feet_behind_hips_pct(pose) <= SCOOP_MAX_FEET_BEHIND_PCT:
            return "hamstring_scoop"
    return ABSTAIN


class MoveRecognizer:
    """update(t_ms, pose) -> the current move id (or None), switching only on a clear, sustained lead."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.scores: dict[str, float] = {}
        self._last_t_ms: int | None = None
        self._last_support_ms: int | None = None
        self.last_vote: str | None = None  # this frame's own vote: a move id, NO_MOVE or ABSTAIN
        self._lunge_ms: int | None = None

    def update(self, t_ms: int, pose: Pose | None) -> str | None:
        dt_ms = 33.0 if self._last_t_ms is None else float(max(0, min(t_ms - self._last_t_ms, 500)))
        self._last_t_ms = t_ms
        vote = frame_vote(pose)
        if vote == "lunge_rotation":
            self._lunge_ms = t_ms
        elif vote in SHIFT_READS_AS and self._lunge_ms is not None and t_ms - self._lunge_ms <= SHIFT_AFTER_LUNGE_MS:
            vote = "lunge_rotation"
        self.last_vote = vote
        if vote == ABSTAIN:
            keep = math.exp(-dt_ms / ABSTAIN_TAU_MS)
            self.scores = {k: v * keep for k, v in self.scores.items()}
        else:
            rate = 1.0 - math.exp(-dt_ms / VOTE_TAU_MS)
            for key in {*self.scores, vote}:
                old = self.scores.get(key, 0.0)
                self.scores[key] = old + rate * ((1.0 if key == vote else 0.0) - old)
        if vote == (self.current or NO_MOVE):
            self._last_support_ms = t_ms
        self._maybe_switch(t_ms)
        return self.current

    def _maybe_switch(self, t_ms: int) -> None:
        current_key = self.current or NO_MOVE
        best = max(self.scores, key=self.scores.__getitem__, default=None)
        if best is not None and best != current_key:
            lead = self.scores[best] - self.scores.get(current_key, 0.0)
            if self.scores[best] >= SWITCH_SCORE and lead >= SWITCH_LEAD:
                self.current = None if best == NO_MOVE else best
                self._last_support_ms = t_ms
                return
        if self.current is not None and self._last_support_ms is not None \
                and t_ms - self._last_support_ms > IDLE_TIMEOUT_MS:
            self.current = None
