"""Tenant-scoped repositories and the unit of work that binds them to one tenant."""
