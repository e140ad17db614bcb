"""Benchmark scripts (not tests). Run from the repository root: python -m bench.<name>."""
