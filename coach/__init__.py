"""Stride Coach: a camera coach for runners' hip and hamstring mobility, run entirely on the user's machine."""

__version__ = "0.1.0"
