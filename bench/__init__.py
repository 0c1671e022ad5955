"""Benchmarks: `python -m bench` prints a table of timings; not part of the test suite."""
