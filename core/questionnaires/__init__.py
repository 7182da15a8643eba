"""Questionnaires: generation, answers and validation."""
