"""The fault suites can fail: a read from another schema than the active tenant's is seen,
in what it reports and in what it finds (``sandbox.faults``)."""

from __future__ import annotations

import pytest
from django.db import connections
from sandbox.faults import DECOY, PUBLIC, read, wrapper_factory

from tenantry import SchemaDescriptor, tenant_context


@pytest.mark.parametrize("other", ["fault_01", PUBLIC, DECOY])
def test_a_wrong_schema_is_seen(session_place, other):
    """A path changed behind tenantry's back (it trusts what it applied) gives a read from
    ``other``, in both what it reports and what it finds."""
    wrapper = wrapper_factory(session_place, "direct")()
    connections["direct"] = wrapper
    try:
        with tenant_context(SchemaDescriptor("fault_00", database="direct")):
            assert not read(0, "direct", "fault_00").wrong
            with wrapper.cursor() as cursor:
                cursor.execute(f"SET search_path = {other}")
            seen = read(0, "direct", "fault_00")
    finally:
        wrapper.close()
        del connections["direct"]
    assert seen.wrong
    assert seen.seen == (other, [other])
