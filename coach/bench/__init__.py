"""`coach bench`: throughput, per-stage latency, memory over time and counting accuracy on the sample clips.

Benchmarks measure with the wall clock (that is their job); the pipeline they measure never reads it for logic.
"""
