"""Claim a spare: rename a current spare schema to a new tenant's name, in the caller's
transaction (``save()`` inserts the row in the same one).

Claimers never wait for each other: each candidate is taken with
``pg_try_advisory_xact_lock``, so a spare another transaction holds is skipped, and the lock
lasts until commit or rollback (a rolled-back claim leaves the spare a spare, current and
free again). A spare whose marker is not the one a new spare would get now (a deploy brought
migrations ``migrate`` has not run yet, the clone reference appeared or went) is never
taken; with no current spare the caller creates the schema as it would without a pool.
"""

from __future__ import annotations

from django.db import connections

from tenantry import Tenant, quote_identifier
from tenantry_django._spare_marker import SPARE_PREFIX_PATTERN, expected_marker, reference_in

__all__ = ["LOCK_SPACE", "claim_current_spare"]

#: The first key of every spare's advisory lock (the second is a hash of its name).
LOCK_SPACE = 0x7E5A

# The expected marker depends on whether the clone reference exists right now (new tenants
# are cloned from it then); both are passed and the server picks, saving a round trip.
_PICK = f"""
    WITH expected AS (
        SELECT CASE WHEN EXISTS (
            SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s
        ) THEN %s ELSE %s END AS marker
    ), candidates AS MATERIALIZED (
        SELECT n.nspname, e.marker FROM pg_catalog.pg_namespace n, expected e
        WHERE n.nspname LIKE %s
          AND pg_catalog.obj_description(n.oid, 'pg_namespace') = e.marker
    )
    SELECT nspname, marker FROM candidates
    WHERE pg_catalog.pg_try_advisory_xact_lock({LOCK_SPACE}, pg_catalog.hashtext(nspname))
    LIMIT 1
"""
# Read again once locked: a claimer that committed between our snapshot and our lock has
# renamed the spare (and its marker went with it).
_STILL_SPARE = """
    SELECT pg_catalog.obj_description(oid, 'pg_namespace') FROM pg_catalog.pg_namespace
    WHERE nspname = %s
"""
_ATTEMPTS = 3


def claim_current_spare(tenant: Tenant) -> str | None:
    """Rename a current spare of ``tenant.database`` to ``tenant.schema_name`` (inside the
    caller's transaction); the spare's former name, or None when there was none to take."""
    reference = reference_in(tenant.database)
    pick = [reference, expected_marker(reference), expected_marker(None), SPARE_PREFIX_PATTERN]
    with connections[tenant.database].cursor() as cursor:
        for _ in range(_ATTEMPTS):
            cursor.execute(_PICK, pick)
            row = cursor.fetchone()
            if row is None:
                return None
            spare, marker = row
            cursor.execute(_STILL_SPARE, [spare])
            still = cursor.fetchone()
            if still is None or still[0] != marker:
                continue  # claimed under us: the lock we took guards nothing now
            cursor.execute(
                f"ALTER SCHEMA {quote_identifier(spare)} RENAME TO "
                f"{quote_identifier(tenant.schema_name)}; "
                f"COMMENT ON SCHEMA {quote_identifier(tenant.schema_name)} IS NULL"
            )
            return str(spare)
    return None

