"""The critical-attribute catalogue and the reading of attribute values."""
