"""Background workers: the Huey instance and its tasks, thin shells over core."""
