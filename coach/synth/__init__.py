"""Renders labelled sample clips of the seven moves (optional `[synth]` extra; the coach never imports it)."""
