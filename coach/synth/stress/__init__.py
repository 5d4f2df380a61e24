"""Stress sets: many varied, labelled renders for measuring the coach on clips it was never tuned on."""
