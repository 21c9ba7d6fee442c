"""Package data: the national reference directory (read with importlib.resources)."""
