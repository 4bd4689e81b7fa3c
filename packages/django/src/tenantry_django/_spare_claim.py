"""Claim a spare: rename a current spare schema to a new tenant's name, in the caller's
transaction (``save()`` inserts the row in the same one).

Claimers never wait for each other: each candidate is taken with
``pg_try_advisory_xact_lock``, so a spare another transaction holds is skipped, and the lock
lasts until commit or rollback (a rolled-back claim leaves the spare a spare, current and
free again). Once held, the candidate is read again with a new snapshot: a claimer that
committed after the candidates were listed has renamed it (and its marker went with it).
A spare whose marker is not the one a new spare would get now (a deploy brought migrations
``migrate`` has not run yet, the clone reference appeared or went) is never taken; with no
current spare the caller creates the schema as it would without a pool.

All of that runs on the server in one ``DO`` block (PL/pgSQL takes a new snapshot for each
statement), followed in the same round trip by reading which spare it took: a claim costs
one round trip. A ``DO`` block takes no parameters, so every value in it is a quoted
literal (and identifiers are quoted by ``format('%I')`` on the server).
"""

from __future__ import annotations

from django.db import connections

from tenantry import Tenant, quote_identifier, quote_literal
from tenantry_django._spare_marker import SPARE_PREFIX_PATTERN, expected_marker, reference_in

__all__ = ["LOCK_SPACE", "claim_current_spare"]

#: The first key of every spare's advisory lock (the second is a hash of its name).
LOCK_SPACE = 0x7E5A
_CLAIMED = "tenantry.claimed_spare"  # transaction-local: the spare the block took, or ''

_BLOCK = """DO $tenantry_claim$
DECLARE
    expected text := CASE WHEN EXISTS (
        SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = {reference}
    ) THEN {marker_if_reference} ELSE {marker_otherwise} END;
    candidate text;
BEGIN
    PERFORM pg_catalog.set_config({claimed}, '', true);
    FOR candidate IN
        SELECT n.nspname FROM pg_catalog.pg_namespace n
        WHERE n.nspname LIKE {pattern}
          AND pg_catalog.obj_description(n.oid, 'pg_namespace') = expected
    LOOP
        CONTINUE WHEN NOT pg_catalog.pg_try_advisory_xact_lock(
            {lock_space}, pg_catalog.hashtext(candidate));
        CONTINUE WHEN (
            SELECT pg_catalog.obj_description(n.oid, 'pg_namespace')
            FROM pg_catalog.pg_namespace n WHERE n.nspname = candidate
        ) IS DISTINCT FROM expected;
        EXECUTE pg_catalog.format('ALTER SCHEMA %I RENAME TO ', candidate) || {target};
        EXECUTE 'COMMENT ON SCHEMA ' || {target} || ' IS NULL';
        PERFORM pg_catalog.set_config({claimed}, candidate, true);
        EXIT;
    END LOOP;
END
$tenantry_claim$"""
_READ_CLAIMED = f"SELECT pg_catalog.current_setting({quote_literal(_CLAIMED)}, true)"


def _block(tenant: Tenant) -> str:
    # The clone reference decides what a current spare holds: new tenants are cloned from
    # it when it exists right now. Both markers go in; the server picks.
    reference = reference_in(tenant.database)
    return _BLOCK.format(
        reference=quote_literal(reference or ""),
        marker_if_reference=quote_literal(expected_marker(reference)),
        marker_otherwise=quote_literal(expected_marker(None)),
        claimed=quote_literal(_CLAIMED),
        pattern=quote_literal(SPARE_PREFIX_PATTERN),
        lock_space=LOCK_SPACE,
        target=quote_literal(quote_identifier(tenant.schema_name)),
    )


def claim_current_spare(tenant: Tenant) -> str | None:
    """Rename a current spare of ``tenant.database`` to ``tenant.schema_name`` (inside the
    caller's transaction); the spare's former name, or None when there was none to take."""
    connection = connections[tenant.database]
    block = _block(tenant)
    with connection.cursor() as cursor:
        if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            cursor.execute(block)  # one statement per execute with server-side binding
            cursor.execute(_READ_CLAIMED)
        else:
            cursor.execute(f"{block};\n{_READ_CLAIMED}")
            # psycopg 3 starts at the first result (the block's), psycopg 2 at the last.
            while cursor.description is None and cursor.nextset():
                pass
        row = cursor.fetchone()
    return str(row[0]) if row and row[0] else None
