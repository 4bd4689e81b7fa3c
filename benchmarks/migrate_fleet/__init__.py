"""Benchmark: migrating a fleet of tenant schemas, tenantry against plain Django and its peers."""
