"""Persistence: models, engine and sessions, migrations and demo data. No business rules."""
