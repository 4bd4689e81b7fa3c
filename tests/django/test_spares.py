"""The spare-schema pool: new tenants claim a spare, fully migrated schema (rename plus row,
one transaction); stale spares are never handed out; spares are never tenants."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from postgres_harness import terminate_other_sessions
from sandbox.customers.models import Tenant
from sandbox.notes.models import Tag

from tenantry import tenant_context
from tenantry_django import signals
from tenantry_django.checks import check_spare_schemas
from tenantry_django.schemas import schema_exists
from tenantry_django.spares import (
    SPARE_PREFIX,
    drop_spares,
    list_spares,
    pool_databases,
    refill_spares,
    wait_for_background_refills,
)

pool = override_settings(TENANTRY_SPARE_SCHEMAS=2)


def spare_names() -> list[str]:
    return [spare.schema_name for spare in list_spares("default")]


def schema_comment(schema: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
            [schema],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def make_stale(schema: str) -> None:
    """What a deploy with new migrations leaves: a spare made for another migration set."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'COMMENT ON SCHEMA "{schema}" IS '
            "'tenantry spare; migrations 0000000000000000; source migrations'"
        )


@pytest.fixture
def received() -> Iterator[list[str]]:
    """Names of the tenant signals sent, in order."""
    sent: list[str] = []

    def receiver(signal_name: str):
        return lambda **kwargs: sent.append(signal_name)

    receivers = {
        name: receiver(name) for name in ("tenant_created", "schema_synced", "schema_needs_sync")
    }
    for name, function in receivers.items():
        getattr(signals, name).connect(function, weak=False)
    yield sent
    for name, function in receivers.items():
        getattr(signals, name).disconnect(function)


@pool
def test_a_new_tenant_claims_a_spare_fully_migrated_under_its_own_name(db, received):
    (report,) = refill_spares()
    assert (report.database, len(report.created), report.current) == ("default", 2, 2)
    before = spare_names()

    tenant = Tenant(schema_name="acme")
    tenant.save()

    after = spare_names()
    assert len(after) == 1  # one spare became the tenant
    assert set(after) < set(before)
    assert schema_exists("acme", "default")
    assert schema_comment("acme") is None  # no marker left: it is no spare any more
    with tenant_context(tenant):
        # migrated, with the rows its data migration seeded when the spare was filled
        assert list(Tag.objects.values_list("name", flat=True)) == ["welcome"]
    assert received == ["schema_synced", "tenant_created"]


@pool
def test_a_failure_after_the_claim_rolls_back_row_and_rename_and_the_spare_stays(db):
    refill_spares()
    before = spare_names()

    def fail(**kwargs: object) -> None:
        raise RuntimeError("welcome mail failed")

    signals.tenant_created.connect(fail, weak=False)
    try:
        with pytest.raises(RuntimeError, match="welcome mail"):
            Tenant(schema_name="acme").save()
    finally:
        signals.tenant_created.disconnect(fail)

    assert not Tenant.objects.filter(schema_name="acme").exists()
    assert not schema_exists("acme", "default")
    assert spare_names() == before
    assert all(spare.current for spare in list_spares("default"))
    Tenant(schema_name="acme").save()  # and it can still be claimed
    assert len(spare_names()) == 1


@pool
def test_a_stale_spare_is_never_handed_out_and_refilling_migrates_it(db):
    refill_spares()
    first, second = spare_names()
    make_stale(first)
    make_stale(second)

    Tenant(schema_name="acme").save()  # created the usual way: both spares stay

    assert spare_names() == [first, second]
    assert schema_exists("acme", "default")
    assert not any(spare.current for spare in list_spares("default"))
    (report,) = refill_spares()
    assert sorted(report.migrated) == [first, second]
    assert not report.created
    assert all(spare.current for spare in list_spares("default"))


@pool
def test_a_spare_made_from_another_source_is_dropped_and_replaced(db):
    refill_spares()
    first, second = spare_names()
    with connection.cursor() as cursor:
        cursor.execute(
            f'COMMENT ON SCHEMA "{first}" IS '
            "'tenantry spare; migrations 0000000000000000; source clone gone'"
        )

    (report,) = refill_spares()

    assert report.dropped == [first]
    assert len(report.created) == 1
    assert not schema_exists(first, "default")
    assert second in spare_names()
    assert len(spare_names()) == 2


def test_the_pool_keeps_its_size_and_shrinks_when_asked(db):
    with override_settings(TENANTRY_SPARE_SCHEMAS=3):
        refill_spares()
        assert len(spare_names()) == 3
    with override_settings(TENANTRY_SPARE_SCHEMAS={"default": 1}):
        (report,) = refill_spares()
        assert len(report.dropped) == 2
        assert len(spare_names()) == 1


def test_with_the_pool_off_nothing_changes(db, received):
    assert pool_databases() == []
    assert refill_spares() == []
    Tenant(schema_name="acme").save()
    assert schema_exists("acme", "default")
    assert spare_names() == []
    assert received == ["schema_synced", "tenant_created"]


@pool
def test_spares_left_after_turning_the_pool_off_are_never_claimed(db):
    refill_spares()
    before = spare_names()
    with override_settings(TENANTRY_SPARE_SCHEMAS=0):
        Tenant(schema_name="acme").save()
        assert spare_names() == before
        assert sorted(drop_spares()) == before
    assert spare_names() == []


def test_no_tenant_may_take_a_spares_name(db):
    tenant = Tenant(schema_name=f"{SPARE_PREFIX}0123")
    with pytest.raises(ValidationError, match="reserved for spare schemas"):
        tenant.save()
    assert not schema_exists(f"{SPARE_PREFIX}0123", "default")


@pool
def test_spares_are_invisible_to_selectors_and_commands(db, capsys):
    import io

    from tenantry_cli._selection import select

    refill_spares()
    Tenant(schema_name="acme").save()
    (spare,) = spare_names()

    entries = select({"schemas": [":all:"], "interactive": False}, default=[":all:"])
    assert spare not in {entry.tenant.schema_name for entry in entries}
    for command in ("whowill", "migrationstatus"):
        stdout = io.StringIO()
        call_command(command, "-s", ":dynamic:", stdout=stdout, stderr=io.StringIO())
        assert "acme" in stdout.getvalue()
        assert SPARE_PREFIX not in stdout.getvalue()


@pool
def test_migrate_upgrades_and_tops_up_the_pool_without_listing_spares(db):
    import io

    refill_spares()
    stale, _ = spare_names()
    make_stale(stale)
    with override_settings(TENANTRY_SPARE_SCHEMAS=3):
        stdout = io.StringIO()
        call_command("migrate", "--skip-public", "-s", ":dynamic:", stdout=stdout)

        output = stdout.getvalue()
        assert "Spare schemas:" in output
        assert "database 'default': 3 of 3 current (1 created, 1 migrated)" in output
        assert SPARE_PREFIX not in output
        assert len(spare_names()) == 3
        assert all(s.current for s in list_spares("default"))


def test_bad_pool_sizes_are_reported_by_the_checks():
    for value in (-1, "5", True, {"default": -2}, {"nowhere": 1}):
        with override_settings(TENANTRY_SPARE_SCHEMAS=value):
            assert [error.id for error in check_spare_schemas()] == ["tenantry.E070"], value
    for value in (0, 3, {"default": 2}):
        with override_settings(TENANTRY_SPARE_SCHEMAS=value):
            assert check_spare_schemas() == []


@pytest.fixture
def committed_pool(transactional_db: None) -> Iterator[None]:
    """A pool of two committed spares; tenants and spares are dropped afterwards."""
    with override_settings(TENANTRY_SPARE_SCHEMAS=2):
        refill_spares()
        yield
        wait_for_background_refills()
        terminate_other_sessions_of_this_database()
        for tenant in Tenant.objects.all():
            tenant.delete(force_drop=True)
        drop_spares()


def terminate_other_sessions_of_this_database() -> None:
    from postgres_harness import django_conninfo

    terminate_other_sessions(django_conninfo(connection.settings_dict))
    connection.close()


def test_concurrent_claims_get_different_spares_without_waiting(committed_pool):
    spares = set(spare_names())
    both_claimed = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def wait_for_the_other(**kwargs: object) -> None:
        both_claimed.wait()  # both transactions hold their claim at once

    def create(name: str) -> None:
        try:
            Tenant(schema_name=name).save()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    signals.tenant_created.connect(wait_for_the_other, weak=False)
    try:
        threads = [threading.Thread(target=create, args=(name,)) for name in ("acme", "globex")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        signals.tenant_created.disconnect(wait_for_the_other)

    assert errors == []
    assert spare_names() == []  # both came from the pool, one spare each
    assert schema_exists("acme", "default")
    assert schema_exists("globex", "default")
    assert not spares & {name for name in spares if schema_exists(name, "default")}


def test_the_background_refill_tops_the_pool_up_after_a_claim(committed_pool):
    with override_settings(TENANTRY_SPARE_SCHEMAS=2, TENANTRY_SPARE_REFILL_IN_BACKGROUND=True):
        with transaction.atomic():
            Tenant(schema_name="acme").save()
            assert len(spare_names()) == 1  # nothing starts before the commit
        wait_for_background_refills()
        assert len(spare_names()) == 2
        assert all(spare.current for spare in list_spares("default"))


def test_refills_running_at_once_fill_the_pool_to_its_size_not_beyond(transactional_db):
    # Two processes' refills (say two web workers after a claim each) both list the pool
    # before either has made a spare; each makes only while the pool, counted again under
    # the pool's lock, is short.
    started = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def refill() -> None:
        try:
            started.wait()
            refill_spares(["default"])
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    with override_settings(TENANTRY_SPARE_SCHEMAS=2):
        try:
            threads = [threading.Thread(target=refill) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            assert len(spare_names()) == 2
            assert all(spare.current for spare in list_spares("default"))
        finally:
            drop_spares()


def spares_command(*args: str) -> str:
    import io

    stdout = io.StringIO()
    call_command("spares", *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


@pool
def test_the_spares_command_fills_shows_and_drops_the_pool(db):
    assert spares_command("--fill") == "database 'default': 2 of 2 current (2 created)\n"
    make_stale(spare_names()[0])

    status = spares_command().splitlines()
    assert status[0] == "database 'default': 1 current of 2 asked for, 1 stale"
    assert sorted(line.split()[1] for line in status[1:]) == ["current", "stale"]
    assert spares_command("--drop").splitlines()[0] == "Dropped 2 spare schema(s)."
    assert spare_names() == []


def test_the_spares_command_refuses_an_unknown_database(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--database nowhere: not in DATABASES"):
        spares_command("--fill", "--database", "nowhere")


def test_a_pool_without_dynamic_tenants_is_reported(settings):
    statics_only = {key: value for key, value in settings.TENANTS.items() if key != "default"}
    with override_settings(TENANTS=statics_only, TENANTRY_SPARE_SCHEMAS=2):
        assert [error.id for error in check_spare_schemas()] == ["tenantry.E071"]


@pool
def test_with_a_clone_reference_spares_are_clones_and_older_spares_are_replaced(db):
    from tenantry_django.schemas import create_clone_reference

    refill_spares()
    migrated = set(spare_names())
    reference = create_clone_reference()
    with tenant_context(reference):
        Tag.objects.create(name="from the reference")

    Tenant(schema_name="acme").save()  # spares made by migrating are stale now: cloned
    assert set(spare_names()) == migrated
    (report,) = refill_spares()
    assert sorted(report.dropped) == sorted(migrated)
    assert len(report.created) == 2
    assert all(" source clone sample #" in spare.marker for spare in list_spares("default"))

    globex = Tenant(schema_name="globex")
    globex.save()
    assert len(spare_names()) == 1  # claimed
    with tenant_context(globex):
        assert set(Tag.objects.values_list("name", flat=True)) == {"welcome", "from the reference"}


@pool
def test_spares_cloned_from_a_reference_made_again_are_stale_and_replaced(db):
    # The reference made again may hold other rows: its spares hold the old ones.
    from tenantry_django.schemas import create_clone_reference, drop_schema

    create_clone_reference()
    (filled,) = refill_spares()
    assert len(filled.created) == 2
    drop_schema("sample", "default")
    reference = create_clone_reference()
    with tenant_context(reference):
        Tag.objects.create(name="from the new reference")

    assert not any(spare.current for spare in list_spares("default"))
    acme = Tenant(schema_name="acme")
    acme.save()  # cloned from the new reference, no spare taken
    assert sorted(spare_names()) == sorted(filled.created)
    with tenant_context(acme):
        assert "from the new reference" in set(Tag.objects.values_list("name", flat=True))

    (report,) = refill_spares()
    assert sorted(report.dropped) == sorted(filled.created)
    assert len(report.created) == 2
    globex = Tenant(schema_name="globex")
    globex.save()
    assert len(spare_names()) == 1  # claimed
    with tenant_context(globex):
        assert "from the new reference" in set(Tag.objects.values_list("name", flat=True))


def test_a_flush_of_every_schema_drops_the_spares(committed_pool):
    import io

    assert len(spare_names()) == 2
    call_command("flush", "--all-schemas", interactive=False, stdout=io.StringIO())
    assert spare_names() == []
