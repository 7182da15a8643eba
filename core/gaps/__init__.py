"""Gaps: the scan that finds them, their store and their listing."""
