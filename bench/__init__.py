"""Benchmarks of PPRNet Search beside an SQLite FTS5 reference (`python -m bench`)."""
