"""Scale: the per-schema cost of tenantry's commands, creation and requests at N schemas."""
