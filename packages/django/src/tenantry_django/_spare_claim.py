"""Claim a spare: rename a current spare schema to a new tenant's name, in the caller's
transaction (``save()`` inserts the row in the same one).

Claimers never wait for each other: each candidate is taken with
``pg_try_advisory_xact_lock``, so a spare another transaction holds is skipped, and the lock
lasts until commit or rollback (a rolled-back claim leaves the spare a spare, current and
free again). A spare whose marker is not the one a new spare would get now (a deploy brought
migrations ``migrate`` has not run yet, the clone reference appeared or went) is never
taken; with no current spare the caller creates the schema as it would without a pool.

Three round trips: pick and lock, read the spare again, rename. (One ``DO`` block doing all
three was measured too: a round trip saved, but three to five times the server time, growing
with the pool.)
"""

from __future__ import annotations

from django.db import connections

from tenantry import Tenant, quote_identifier
from tenantry_django._spare_marker import (
    SPARE_PREFIX_PATTERN,
    clone_marker_prefix,
    expected_marker,
    reference_in,
)

__all__ = ["DESCRIBED", "LOCK_SPACE", "claim_current_spare"]

#: The first key of every spare's advisory lock (the second is a hash of its name).
LOCK_SPACE = 0x7E5A
#: A schema's comment, joined: obj_description() is a SQL function called once per schema,
#: several times slower over a pool of spares.
DESCRIBED = (
    "JOIN pg_catalog.pg_description d ON d.objoid = n.oid "
    "AND d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objsubid = 0"
)

# The expected marker depends on whether the clone reference exists right now (new tenants
# are cloned from it then) and on its schema's oid; the server works it out, saving a round
# trip. The
# candidates are listed first (materialized), so that only the one taken is locked.
_PICK = f"""
    WITH expected AS (
        SELECT COALESCE(
            (SELECT %s || oid::text FROM pg_catalog.pg_namespace WHERE nspname = %s), %s
        ) AS marker
    ), candidates AS MATERIALIZED (
        SELECT n.nspname, e.marker FROM pg_catalog.pg_namespace n {DESCRIBED}, expected e
        WHERE n.nspname LIKE %s AND d.description = e.marker
    )
    SELECT nspname, marker FROM candidates
    WHERE pg_catalog.pg_try_advisory_xact_lock({LOCK_SPACE}, pg_catalog.hashtext(nspname))
    LIMIT 1
"""
# Read again once locked (a new snapshot): a claimer that committed between our snapshot and
# our lock has renamed the spare, and its marker went with it.
_STILL_SPARE = f"""
    SELECT d.description FROM pg_catalog.pg_namespace n {DESCRIBED} WHERE n.nspname = %s
"""
_ATTEMPTS = 3


def claim_current_spare(tenant: Tenant) -> str | None:
    """Rename a current spare of ``tenant.database`` to ``tenant.schema_name`` (inside the
    caller's transaction); the spare's former name, or None when there was none to take."""
    reference = reference_in(tenant.database)
    # The marker of a spare cloned from the reference as it is now ends in its schema's oid,
    # which the server appends (no reference: no oid, the marker of a migrated spare).
    cloned = clone_marker_prefix(reference) if reference else None
    pick = [cloned, reference, expected_marker(None), SPARE_PREFIX_PATTERN]
    connection = connections[tenant.database]
    target = quote_identifier(tenant.schema_name)
    with connection.cursor() as cursor:
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
            rename = f"ALTER SCHEMA {quote_identifier(spare)} RENAME TO {target}"
            forget = f"COMMENT ON SCHEMA {target} IS NULL"
            if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
                cursor.execute(rename)  # one statement per execute with server-side binding
                cursor.execute(forget)
            else:
                cursor.execute(f"{rename}; {forget}")
            return str(spare)
    return None
