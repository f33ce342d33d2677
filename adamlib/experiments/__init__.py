"""Experiments behind the book's measurements, importable from notebooks and scripts alike."""
