"""Collection flows: phases, state, the child flow service and the orchestrator."""
