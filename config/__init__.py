"""Settings read from the environment, shared by every package (persistence, core, entry points)."""
