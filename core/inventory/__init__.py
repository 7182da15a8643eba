"""Inventory files: reading, column mapping, rows, import and export."""
