"""Benchmarks and synthetic inputs for them."""
