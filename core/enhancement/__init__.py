"""Gap enhancement jobs: submission, job keys and stores, agents, the worker."""
