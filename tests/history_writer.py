"""Helper for the crash test: writes a session's sets in a loop and prints a marker after each commit.

Run as ``python tests/history_writer.py DATA_DIR``; the test kills it with SIGKILL mid-session.
"""

from __future__ import annotations

import sys

from history_fixture import FakeSummary

from coach.history import HistoryRecorder

MAX_SETS = 100_000  # a bound so a forgotten process ends by itself


def main(data_dir: str) -> None:
    recorder = HistoryRecorder.open(data_dir)
    recorder.start_session(rounds=2, set_seconds=30, note="after-run")
    print(f"SESSION {recorder.session_id}", flush=True)
    for n in range(1, MAX_SETS + 1):
        reps = 1 + n % 7
        summary = FakeSummary(
            "bridge_march",
            reps={"left": reps},
            hold_ms={"left": 1000 * n},
            rom={"left": [float(n)] * reps},
            rom_name="knee_lift_deg",
            cues=[(n, f"cue {n}")],
            good_form_ms=20_000,
        )
        set_id = recorder.record_set("bridge_march", "left", 1 + n % 2, summary, started_t_ms=n, ended_t_ms=n + 1)
        if set_id is None:
            sys.exit(f"set {n} was not saved: {recorder.warning}")
        print(f"SET {n} {set_id}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
