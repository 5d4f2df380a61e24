"""Key postures of the seven moves as anatomical joint angles (degrees), parameterised by side.

Conventions (see body.py): flexion positive, abduction positive outward, rotation positive external; spine and neck
bend/twist positive toward the person's left; body_pitch positive tips the torso forward (-90 = lying on the back,
head toward +y); body_yaw turns the whole body about the vertical.
"""

from __future__ import annotations

from coach.landmarks import OPPOSITE_SIDE as OTHER
from coach.synth.body import Angles, Body
from coach.synth.choreo import bone_z, solve

SUFFIX = {"left": "l", "right": "r"}
TOWARD_LEFT = {"left": 1.0, "right": -1.0}
SHORT = {"left": "L", "right": "R"}

ARMS_RELAXED: Angles = {"sh_abd_l": 8, "sh_abd_r": 8, "elbow_l": 12, "elbow_r": 12}


def sided(side: str, **angles: float) -> Angles:
    """Angles for one side: sided("left", hip_flex=90) -> {"hip_flex_l": 90}."""
    return {f"{k}_{SUFFIX[side]}": v for k, v in angles.items()}


def stand(yaw: float = 0.0) -> Angles:
    return {**ARMS_RELAXED, "body_yaw": yaw}


# 1. 90/90 ------------------------------------------------------------------------------------------------
def ninety_ninety(front: str, yaw: float = 0.0) -> Angles:
    """Seated tall, front leg thigh forward with the shin across, back leg thigh to the side with the shin back."""
    back = OTHER[front]
    return {
        **sided(front, hip_flex=90, hip_abd=30, hip_rot=90, knee=90, ankle=-10),
        **sided(back, hip_flex=90, hip_abd=70, hip_rot=-75, knee=95, ankle=-20),
        **sided(front, sh_flex=25, sh_abd=20, elbow=35), **sided(back, sh_flex=10, sh_abd=30, elbow=25),
        "spine_twist": 10 * TOWARD_LEFT[front], "spine_flex": -3, "body_yaw": yaw,
    }


def ninety_ninety_mid(yaw: float = 0.0) -> Angles:
    """Halfway through a switch: both knees up, feet on the floor wide, torso tall."""
    legs = {k: v for s in ("left", "right") for k, v in sided(s, hip_flex=120, hip_abd=30, knee=120, ankle=10).items()}
    arms = {k: v for s in ("left", "right") for k, v in sided(s, sh_flex=5, sh_abd=30, elbow=25).items()}
    return {**legs, **arms, "spine_flex": 5, "body_pitch": -12, "body_yaw": yaw}


# 2. lunge with rotation ----------------------------------------------------------------------------------
def lunge(body: Body, front: str, yaw: float = 0.0, reach: float = 0.0, shift_back: float = 0.0) -> Angles:
    """Deep lunge, hands down inside the front foot; `reach` 0..1 rotates the front-side arm up,
    `shift_back` 0..1 moves the hips back until the front knee is nearly straight."""
    back = OTHER[front]
    front_thigh = 78 - 28 * shift_back  # thigh angle from vertical, world
    front_knee = 90 - 68 * shift_back
    spine = 22 - 6 * reach
    twist = 50 * reach * TOWARD_LEFT[front]
    ankle = f"foot.{SHORT[front]}"

    def build(pitch: float) -> Angles:
        arm_down = pitch + spine  # arm flexion that points the arm straight down
        return {
            "body_pitch": pitch, "body_yaw": yaw, "spine_flex": spine, "spine_twist": twist,
            "neck_flex": -20, "neck_twist": 0.5 * twist,
            **sided(front, hip_flex=front_thigh + pitch, hip_abd=8, knee=front_knee,
                    ankle=front_knee - front_thigh),
            **sided(back, hip_flex=pitch - 42 - 8 * shift_back, hip_abd=4, knee=25 + 35 * shift_back, ankle=-35),
            **sided(back, sh_flex=arm_down, sh_abd=-8, elbow=0),
            # The front-side arm goes from planted to pointing at the ceiling (abducted in the twisted chest).
            **sided(front, sh_flex=arm_down * (1 - reach), sh_abd=-8 * (1 - reach) + 95 * reach, elbow=5 * reach),
        }

    # Tip the torso until the planted hands reach the floor (wrist level with the front ankle joint), without
    # rotation; the rotation keeps that torso angle and swings the planted arm under the shoulder instead.
    wrist = f"wrist.{SHORT[back]}"
    twist_now, twist = twist, 0.0
    lo, hi = 30.0, 95.0
    for _ in range(22):
        mid = (lo + hi) / 2
        fr = body.bone_frames(build(mid))
        if bone_z(body, fr, wrist) - bone_z(body, fr, ankle) > -0.01:
            lo = mid
        else:
            hi = mid
    twist = twist_now
    a = build((lo + hi) / 2)
    if reach > 0:
        a = solve(body, a, f"sh_abd_{SUFFIX[back]}",
                  lambda fr: bone_z(body, fr, wrist) - bone_z(body, fr, ankle) + 0.01, -60, 30)
    # The back foot's toes rest on the floor: set the back knee so the toe is level with the front ankle.
    toe = f"toe2-1.{SHORT[back]}"
    return solve(body, a, f"knee_{SUFFIX[back]}", lambda fr: bone_z(body, fr, toe) - bone_z(body, fr, ankle) + 0.05,
                 0, 110)


# 3. bridge ---------------------------------------------------------------------------------------------
def supine_knees_bent(body: Body, yaw: float = 0.0) -> Angles:
    a = {**{k: v for s in ("left", "right") for k, v in sided(s, hip_flex=55, hip_abd=6, knee=105).items()},
         **{k: v for s in ("left", "right") for k, v in sided(s, sh_abd=18, elbow=5).items()},
         "body_pitch": -90, "body_yaw": yaw, "neck_flex": 8}
    return _feet_flat(body, a)


def bridge(body: Body, yaw: float = 0.0, lift: float = 1.0, march: str | None = None, knee_up: float = 1.0) -> Angles:
    """Hips lifted by `lift` (0..1) toward a straight shoulder-hip-knee line; `march` lifts that knee."""
    tilt = 24 * lift
    a: Angles = {"body_pitch": -90 - tilt, "body_yaw": yaw, "neck_flex": 8 + tilt}
    for s in ("left", "right"):
        a.update(sided(s, hip_flex=55 * (1 - lift) + 2 * lift, hip_abd=6, knee=105, sh_abd=18, sh_flex=-tilt,
                       elbow=5))
    a = _feet_flat(body, a)
    for s in ("left", "right"):
        sh, toe = f"upperarm01.{SHORT[s]}", f"toe2-1.{SHORT[s]}"
        a = solve(body, a, f"knee_{SUFFIX[s]}", lambda fr, sh=sh, toe=toe: bone_z(body, fr, toe) - bone_z(body, fr, sh)
                  + 0.06, 60, 140)
    a = _feet_flat(body, a)
    if march:
        flex = a[f"hip_flex_{SUFFIX[march]}"]
        a.update(sided(march, hip_flex=flex + 45 * knee_up, knee=a[f"knee_{SUFFIX[march]}"] + 5 * knee_up,
                       ankle=-5))
    return a


def _feet_flat(body: Body, a: Angles) -> Angles:
    """Ankles set so each foot's sole is level (ankle joint 4 cm above the toe joint, as when standing)."""
    for s in ("left", "right"):
        foot, toe = f"foot.{SHORT[s]}", f"toe2-1.{SHORT[s]}"
        a = solve(body, a, f"ankle_{SUFFIX[s]}",
                  lambda fr, foot=foot, toe=toe: bone_z(body, fr, foot) - bone_z(body, fr, toe) - 0.045, -70, 60)
    return a


# 4. hamstring scoop ------------------------------------------------------------------------------------
def scoop(body: Body, front: str, yaw: float = 0.0, hinge: float = 0.0, arms_up: float = 0.0) -> Angles:
    """Front heel forward with toes up; `hinge` 0..1 tips a long back forward and sweeps the arms to the foot."""
    back = OTHER[front]
    pitch = 62 * hinge
    a: Angles = {
        "body_pitch": pitch, "body_yaw": yaw, "spine_flex": 6 * hinge, "neck_flex": -8 * hinge,
        **sided(front, hip_flex=28 + pitch, knee=2, ankle=28),
        **sided(back, hip_flex=pitch - 4, knee=14 + 8 * hinge),
    }
    for s in ("left", "right"):
        flex = pitch + 45 * hinge + 150 * arms_up * (1 - hinge)
        a.update(sided(s, sh_flex=flex, sh_abd=8 + 10 * arms_up - 4 * hinge, elbow=12 - 6 * hinge))
    f_heel, b_foot = f"foot.{SHORT[front]}", f"foot.{SHORT[back]}"
    return solve(body, a, f"knee_{SUFFIX[back]}",
                 lambda fr: bone_z(body, fr, f_heel) - bone_z(body, fr, b_foot) + 0.005, 0, 60)


def scoop_ready(yaw: float = 0.0) -> Angles:
    return stand(yaw)


# 5. half-kneeling hip flexor with overhead reach ---------------------------------------------------------
def half_kneel(body: Body, kneel: str, yaw: float = 0.0, reach: float = 0.0) -> Angles:
    """Back (`kneel`) knee down with the shin on the floor, front knee ~90; `reach` raises the kneeling-side arm
    overhead with a side bend toward the front leg."""
    front = OTHER[kneel]
    lean = -14 * reach * TOWARD_LEFT[kneel]  # bend away from the reaching arm, toward the front-leg side
    a: Angles = {
        "body_yaw": yaw, "spine_bend": lean, "neck_bend": 0.3 * lean, "spine_flex": -4 * reach,
        **sided(kneel, hip_flex=-12 - 4 * reach, hip_abd=4, knee=95, ankle=-40),
        **sided(front, hip_flex=88, hip_abd=8, knee=92),
        **sided(kneel, sh_flex=20 + 150 * reach, sh_abd=10 + 10 * reach, elbow=15 - 5 * reach),
        **sided(front, sh_flex=25, sh_abd=18, elbow=45),
    }
    foot, knee = f"foot.{SHORT[front]}", f"lowerleg01.{SHORT[kneel]}"
    a = solve(body, a, f"hip_flex_{SUFFIX[front]}", lambda fr: bone_z(body, fr, foot) - bone_z(body, fr, knee) + 0.01,
              60, 110)
    sh = a[f"hip_flex_{SUFFIX[front]}"]
    a[f"knee_{SUFFIX[front]}"] = sh + 2
    a[f"ankle_{SUFFIX[front]}"] = 0.0
    return _front_foot_flat(body, a, front)


def _front_foot_flat(body: Body, a: Angles, side: str) -> Angles:
    foot, toe = f"foot.{SHORT[side]}", f"toe2-1.{SHORT[side]}"
    return solve(body, a, f"ankle_{SUFFIX[side]}",
                 lambda fr: bone_z(body, fr, foot) - bone_z(body, fr, toe) - 0.045, -40, 40)


# 6. forward fold with calf pedals ----------------------------------------------------------------------
def fold(body: Body, yaw: float = 0.0, depth: float = 1.0, pedal: str | None = None, bend: float = 1.0) -> Angles:
    """Deep hip hinge, head below hips, arms hanging; `pedal` bends that knee ~40 deg with the heel up."""
    pitch = 88 * depth
    a: Angles = {"body_pitch": pitch, "body_yaw": yaw, "spine_flex": 30 * depth, "neck_flex": 20 * depth}
    for s in ("left", "right"):
        a.update(sided(s, hip_flex=pitch, knee=6 * depth, sh_flex=(pitch + 30) * depth * 0.95, sh_abd=6,
                       elbow=10))
    if pedal:
        other = OTHER[pedal]
        a.update(sided(pedal, hip_flex=pitch + 24 * bend, knee=46 * bend))
        toe_p, toe_o = f"toe2-1.{SHORT[pedal]}", f"toe2-1.{SHORT[other]}"
        a = solve(body, a, f"ankle_{SUFFIX[pedal]}", lambda fr: bone_z(body, fr, toe_p) - bone_z(body, fr, toe_o),
                  -40, 80)
    return a


# 7. supine hamstring strap ---------------------------------------------------------------------------
def strap(body: Body, yaw: float = 0.0, raised: str | None = None, up: float = 1.0) -> Angles:
    """Lying with both legs long; `raised` leg up to ~80 deg hip flexion, knee soft, hands at the calf."""
    a: Angles = {"body_pitch": -90, "body_yaw": yaw, "neck_flex": 10}
    for s in ("left", "right"):
        a.update(sided(s, hip_abd=4, ankle=-5, sh_abd=15, elbow=8))
    if raised:
        a.update(sided(raised, hip_flex=80 * up, knee=15 * up, ankle=-5 + 10 * up))
        for s in ("left", "right"):
            a.update(sided(s, sh_flex=42 * up, sh_abd=15 - 22 * up * (1 if s == raised else 0.5), elbow=8 - 4 * up))
        a["neck_flex"] = 10 + 12 * up
        a["spine_flex"] = 12 * up  # a slight curl brings the hands to the back of the raised leg
    return a


def seated_long(yaw: float = 0.0) -> Angles:
    """Sitting on the floor with legs long, hands beside the hips: the start before lying back."""
    a: Angles = {"body_yaw": yaw, "spine_flex": 8}
    for s in ("left", "right"):
        a.update(sided(s, hip_flex=88, hip_abd=4, knee=8, ankle=-5, sh_flex=15, sh_abd=20, elbow=15))
    return a


def seated_knees_bent(yaw: float = 0.0) -> Angles:
    a: Angles = {"body_yaw": yaw, "spine_flex": 10}
    for s in ("left", "right"):
        a.update(sided(s, hip_flex=125, hip_abd=8, knee=125, ankle=5, sh_flex=30, sh_abd=15, elbow=30))
    return a
