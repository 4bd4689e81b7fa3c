"""What makes a schema a spare, and what a spare holds: its reserved name and its marker.

A spare is a schema named ``tenantry_spare_<hex>`` (a prefix no tenant may take) whose
``COMMENT ON SCHEMA`` is its *marker*: ``tenantry spare; migrations <fingerprint>; source
<how it was made>``. The fingerprint digests the project's migrations and the apps placed
in a dynamic tenant's schema; the source is ``clone <reference> #<oid>`` or ``migrations``. A spare
is *current* when its marker equals the one a new spare would get now: only then does it
hold what a tenant created today would hold.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import connections

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.conf import get_settings
from tenantry_django.migration import project_migrations

__all__ = [
    "MARKER_PREFIX",
    "SPARE_PREFIX",
    "SPARE_PREFIX_PATTERN",
    "clone_marker_prefix",
    "expected_marker",
    "is_spare_schema_name",
    "marker_source",
    "migrations_fingerprint",
    "new_spare_name",
    "reference_in",
    "reference_oid",
]

SPARE_PREFIX = "tenantry_spare_"
#: ``SPARE_PREFIX`` as a LIKE pattern (its underscores are no wildcards).
SPARE_PREFIX_PATTERN = SPARE_PREFIX.replace("_", "\\_") + "%"
MARKER_PREFIX = "tenantry spare; "


def is_spare_schema_name(name: str) -> bool:
    """Whether ``name`` is reserved for the spare-schema pool (no tenant may take it)."""
    return name.startswith(SPARE_PREFIX)


def new_spare_name() -> str:
    return SPARE_PREFIX + secrets.token_hex(8)


def _fingerprint() -> str:
    config = get_settings().tenants
    labels = config.labels_for(SchemaDescriptor(SPARE_PREFIX + "0", config.public_database))
    text = "\n".join(
        [*(f"{app}.{name}" for app, name in sorted(project_migrations())), "|", *sorted(labels)]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def migrations_fingerprint() -> str:
    """A digest of the project's migrations and a dynamic tenant's apps (once per settings)."""
    return get_settings().derived("spares.fingerprint", _fingerprint)


def reference_in(database: str) -> str | None:
    """The clone reference's schema name when it is configured in ``database``, else None
    (whether it exists is the caller's question: new tenants are cloned only when it does)."""
    reference = get_settings().tenants.clone_reference()
    if reference is None or reference.database != database:
        return None
    return reference.schema_name


def reference_oid(database: str, reference: str | None) -> int | None:
    """The oid of the clone reference's schema in ``database``; None when it does not exist
    (or ``reference`` is None): new tenants are not cloned then."""
    if reference is None:
        return None
    with tenant_context(None), connections[database].cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = %s", [reference])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def marker_source(cloned_from: str | None, reference_oid: int | None = None) -> str:
    """How a spare was made: ``clone <reference> #<its schema's oid>`` or ``migrations``.

    The oid tells one reference schema from another of the same name: a reference dropped
    and made again (``createrefschema --recreate``) may hold other rows, so spares cloned
    from the old one are no longer current (``migrate`` and ``spares --fill`` replace them).
    """
    return f"clone {cloned_from} #{reference_oid}" if cloned_from else "migrations"


def expected_marker(cloned_from: str | None, reference_oid: int | None = None) -> str:
    """The marker of a current spare made by cloning ``cloned_from``, whose schema's oid is
    ``reference_oid`` (``cloned_from`` None: by migrating)."""
    source = marker_source(cloned_from, reference_oid)
    return f"{MARKER_PREFIX}migrations {migrations_fingerprint()}; source {source}"


def clone_marker_prefix(cloned_from: str) -> str:
    """:func:`expected_marker` of a spare cloned from ``cloned_from``, up to the oid (for the
    server to append where it picks a spare)."""
    return expected_marker(cloned_from, None).removesuffix("None")
