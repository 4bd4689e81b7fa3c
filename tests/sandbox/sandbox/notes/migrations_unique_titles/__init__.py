"""Test-only migration history of ``notes`` (``MIGRATION_MODULES``): the real two migrations,
then titles made unique (fails in a schema holding duplicate titles) and a field added with a
default. tenantry_cli's tests migrate fleets through it."""
