"""Channel group names that belong to one tenant.

Channel layers know nothing of tenants: two tenants adding sockets to the group ``"chat"``
would hear each other. ``tenant_group_name("chat")`` names the group per place (database
alias and schema), so the same schema name in two databases stays two groups as well.
"""

from __future__ import annotations

import hashlib
import re

from tenantry import Tenant, get_current_tenant

__all__ = ["PREFIX", "tenant_group_name"]

PREFIX = "tenantry"
# Channels' rule for group names: these characters, fewer than 100 of them.
_VALID_GROUP = re.compile(r"^[a-zA-Z\d\-_.]+$")
_MAX_LENGTH = 99
# The alias is written out only without periods, so "alias.schema.name" splits one way only
# (schema names have no periods either) and never meets another tenant's name.
_PLAIN_ALIAS = re.compile(r"^[a-zA-Z\d\-_]+$")


def tenant_group_name(name: str, tenant: Tenant | None = None) -> str:
    """``name`` as a group of ``tenant`` (default: the active tenant) alone.

    Readable as ``tenantry.<alias>.<schema>.<name>`` when that is a valid group name;
    otherwise (a long name, characters Channels refuses in the name or the alias)
    ``tenantry.<40 hex digits>``, a hash of the three. Deterministic, so every process
    computes the same name. Raises ``RuntimeError`` with no tenant given or active: a
    shared name would let every tenant hear the group.
    """
    if not name:
        raise ValueError("A group name cannot be empty.")
    if tenant is None:
        tenant = get_current_tenant()
        if tenant is None:
            raise RuntimeError(
                f"tenant_group_name({name!r}) needs a tenant: none is active and none was "
                "given. Call it inside the consumer (the router activates its tenant), "
                "within tenant_context(...), or pass tenant=."
            )
    database, schema = tenant.database, tenant.schema_name
    readable = f"{PREFIX}.{database}.{schema}.{name}"
    if (
        len(readable) <= _MAX_LENGTH
        and _PLAIN_ALIAS.match(database)
        and _VALID_GROUP.match(readable)
    ):
        return readable
    # Two parts only, where a readable name has at least four: the forms never meet.
    digest = hashlib.sha256("\0".join((database, schema, name)).encode()).hexdigest()
    return f"{PREFIX}.{digest[:40]}"
