"""What makes a schema a spare, and what a spare holds: its reserved name and its marker.

A spare is a schema named ``tenantry_spare_<hex>`` (a prefix no tenant may take) whose
``COMMENT ON SCHEMA`` is its *marker*: ``tenantry spare; migrations <fingerprint>; source
<how it was made>``. The fingerprint digests the project's migrations and the apps placed
in a dynamic tenant's schema; the source is ``clone <reference>`` or ``migrations``. A spare
is *current* when its marker equals the one a new spare would get now: only then does it
hold what a tenant created today would hold.
"""

from __future__ import annotations

import hashlib
import secrets

from tenantry import SchemaDescriptor
from tenantry_django.conf import get_settings
from tenantry_django.migration import project_migrations

__all__ = [
    "MARKER_PREFIX",
    "SPARE_PREFIX",
    "SPARE_PREFIX_PATTERN",
    "expected_marker",
    "is_spare_schema_name",
    "marker_source",
    "migrations_fingerprint",
    "new_spare_name",
    "reference_in",
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


def marker_source(cloned_from: str | None) -> str:
    return f"clone {cloned_from}" if cloned_from else "migrations"


def expected_marker(cloned_from: str | None) -> str:
    """The marker of a current spare made by cloning ``cloned_from`` (None: by migrating)."""
    source = marker_source(cloned_from)
    return f"{MARKER_PREFIX}migrations {migrations_fingerprint()}; source {source}"
