"""A fleet migrate killed with SIGKILL mid-way leaves no schema half-migrated, and converges
when simply run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection
from postgres_harness import django_conninfo
from sandbox.customers.models import Tenant

from tenantry import tenant_context

NOTES_MIGRATIONS = {("notes", "0001_initial"), ("notes", "0002_welcome_tag")}
SANDBOX = Path(__file__).resolve().parents[1] / "sandbox"


def _sandbox_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sandbox.settings",
        # The sandbox settings read any libpq connection string, URL or key=value.
        "TENANTRY_SANDBOX_DATABASE_URL": django_conninfo(connection.settings_dict),
    }


def welcome_tags(tenant: Tenant) -> list[str]:
    from sandbox.notes.models import Tag

    with tenant_context(tenant):
        return list(Tag.objects.values_list("name", flat=True))


def test_a_run_killed_mid_way_converges_when_run_again(make_fleet, admin, recorded, snapshot):
    tenants = make_fleet(60, prefix="killed", migrate=False)
    command = [
        sys.executable,
        str(SANDBOX / "manage.py"),
        "migrate",
        "--skip-public",
        "-s",
        ":dynamic:",
        "--noinput",
    ]
    run = subprocess.Popen(
        command, env=_sandbox_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    migrated = 0
    deadline = time.monotonic() + 120
    while migrated < 5 and run.poll() is None and time.monotonic() < deadline:
        migrated = admin.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND n.nspname LIKE 'killed%%'"
        ).fetchone()[0]
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    _, errors = run.communicate(timeout=60)
    assert run.returncode == -signal.SIGKILL, errors.decode()[-2000:]
    states = [recorded(t.schema_name) for t in tenants]
    done = [s for s in states if s is not None]
    assert 0 < len(done) < len(tenants)  # killed mid-way...
    assert all(s >= NOTES_MIGRATIONS for s in done)  # ...yet no schema half-migrated

    rerun = subprocess.run(command, env=_sandbox_env(), capture_output=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    expected = snapshot(tenants[0].schema_name)
    for tenant in tenants:
        assert snapshot(tenant.schema_name) == expected
        assert welcome_tags(tenant) == ["welcome"]
