"""What every use case stands on: errors, parsed inputs, the caller, permissions."""
