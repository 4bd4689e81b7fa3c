"""Tenant lifecycle and isolation, against the real server."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.utils import IntegrityError, ProgrammingError
from sandbox.customers.models import Domain, Tenant
from sandbox.notes.models import Note, Tag

from tenantry import tenant_context
from tenantry_django import signals
from tenantry_django.errors import NoActiveTenantError, SchemaExistsError
from tenantry_django.schemas import create_schema, schema_exists


def schema_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace")
        return cursor.fetchone()[0]


def tables_in(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {name for (name,) in cursor.fetchall()}


def test_creating_a_tenant_creates_and_migrates_its_schema(make_tenant):
    tenant = make_tenant("acme")
    assert schema_exists("acme", "default")
    assert {"notes_note", "notes_tag", "notes_note_tags", "django_migrations"} <= tables_in("acme")
    assert not {"auth_user", "customers_tenant", "blog_post"} & tables_in("acme")
    assert not {"notes_note", "notes_tag"} & tables_in("public")
    with tenant_context(tenant):
        assert list(Tag.objects.values_list("name", flat=True)) == ["welcome"]  # data migration


def test_a_tenants_rows_are_invisible_to_other_tenants_and_public(make_tenant):
    acme, globex = make_tenant("acme"), make_tenant("globex")
    with tenant_context(acme):
        Note.objects.create(title="acme plan")
    with tenant_context(globex):
        assert not Note.objects.exists()
        Note.objects.create(title="globex plan")
    with tenant_context(acme):
        assert list(Note.objects.values_list("title", flat=True)) == ["acme plan"]
    with pytest.raises(NoActiveTenantError, match="no tenant is active"):
        Note.objects.count()
    with connection.cursor() as cursor, pytest.raises(ProgrammingError, match="notes_note"):
        cursor.execute("SELECT count(*) FROM notes_note")  # public has no such table


def test_shared_tables_are_visible_from_tenants_and_foreign_keys_to_them_work(make_tenant):
    author = User.objects.create(username="ann")
    tenant = make_tenant()
    with tenant_context(tenant):
        assert User.objects.get(username="ann") == author
        note = Note.objects.create(title="hello", author=author)
        assert Note.objects.get(author__username="ann") == note
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM auth_user")
            assert cursor.fetchone() == (1,)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with pytest.raises(IntegrityError, match="foreign key"):
                cursor.execute(
                    "INSERT INTO notes_note (title, body, created_at, author_id) "
                    "VALUES ('x', '', now(), 999999)"
                )


@pytest.mark.parametrize(
    ("schema_name", "message"),
    [
        ("Acme", "must be lowercase (did you mean 'acme'?)"),
        ("acme-corp", "character '-' at position 4 is not allowed"),
        ("1acme", "must start with a lowercase letter"),
        ("pg_acme", "reserved by PostgreSQL"),
        ("public", "holds the shared apps"),
        ("www", "already taken"),  # a static tenant's key
        ("sample", "already taken"),  # the clone reference
        ("x" * 64, "PostgreSQL identifiers are at most 63"),
    ],
)
def test_invalid_and_clashing_names_are_rejected_and_create_nothing(db, schema_name, message):
    schemas_before = schema_count()
    with pytest.raises(ValidationError, match=re.escape(message)):
        Tenant(schema_name=schema_name).save()
    assert not Tenant.objects.exists()
    assert schema_count() == schemas_before


def test_a_new_tenant_never_adopts_an_existing_schema(make_tenant):
    create_schema("orphan", "default")
    with pytest.raises(SchemaExistsError, match="'orphan' already exists in database 'default'"):
        Tenant(schema_name="orphan").save()
    assert not Tenant.objects.filter(schema_name="orphan").exists()
    make_tenant("taken")
    with pytest.raises(SchemaExistsError):
        Tenant(schema_name="taken").save()
    assert Tenant.objects.filter(schema_name="taken").count() == 1


@pytest.mark.parametrize("signal", [signals.tenant_created, signals.schema_synced])
def test_a_failing_post_create_step_leaves_no_row_and_no_schema(db, signal):
    def fail(sender, tenant, **kwargs):
        raise RuntimeError(f"post-create step failed for {tenant.schema_name}")

    signal.connect(fail)
    try:
        with pytest.raises(RuntimeError, match="post-create step failed for doomed"):
            Tenant(schema_name="doomed").save()
    finally:
        signal.disconnect(fail)
    assert not Tenant.objects.filter(schema_name="doomed").exists()
    assert not schema_exists("doomed", "default")
    Tenant(schema_name="doomed").save()  # a rerun converges
    assert schema_exists("doomed", "default")


def test_deleting_keeps_the_schema_unless_asked(make_tenant):
    dropped = []

    def record(sender, tenant, **kwargs):
        dropped.append(tenant.schema_name)

    signals.schema_pre_drop.connect(record)
    try:
        kept = make_tenant("kept")
        kept.delete()
        assert schema_exists("kept", "default")
        gone = make_tenant("gone")
        gone.delete(force_drop=True)
        assert not schema_exists("gone", "default")
    finally:
        signals.schema_pre_drop.disconnect(record)
    assert dropped == ["gone"]
    assert not Tenant.objects.filter(schema_name__in=["kept", "gone"]).exists()


def test_creation_signals_are_sent_once_each(db):
    received = []

    def recorder(name):
        def record(sender, tenant, **kwargs):
            received.append((name, tenant.pk))

        return record

    receivers = {name: recorder(name) for name in ("tenant_created", "schema_synced")}
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver)
    try:
        tenant = Tenant(schema_name="signalled")
        tenant.save()
    finally:
        for name, receiver in receivers.items():
            getattr(signals, name).disconnect(receiver)
    assert received == [("schema_synced", tenant.pk), ("tenant_created", tenant.pk)]


def test_a_schema_created_without_sync_needs_sync(db):
    needs = []

    def record(sender, tenant, **kwargs):
        needs.append(tenant.schema_name)

    class LazyTenant(Tenant):
        auto_create_schema = False

        class Meta:
            proxy = True
            app_label = "customers"

    signals.schema_needs_sync.connect(record)
    try:
        tenant = LazyTenant(schema_name="lazy")
        tenant.save()
        assert not schema_exists("lazy", "default")
        tenant.create_schema(sync_schema=False)
    finally:
        signals.schema_needs_sync.disconnect(record)
    assert needs == ["lazy"]
    assert schema_exists("lazy", "default")
    assert tables_in("lazy") == set()


def test_activation_sends_schema_activated(make_tenant):
    tenant = make_tenant()
    seen = []

    def record(sender, tenant, previous, **kwargs):
        seen.append((tenant.schema_name, previous))

    signals.schema_activated.connect(record)
    try:
        with tenant_context(tenant):
            pass
    finally:
        signals.schema_activated.disconnect(record)
    assert seen == [(tenant.schema_name, None)]


def test_a_tenant_has_exactly_one_primary_domain(make_tenant):
    tenant = make_tenant()
    first = Domain.objects.create(tenant=tenant, domain="First.Example.com", is_primary=False)
    assert first.is_primary  # the only domain is the primary one
    assert first.domain == "first.example.com"
    second = Domain.objects.create(tenant=tenant, domain="second.example.com")
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    second.delete()
    first.refresh_from_db()
    assert first.is_primary
    assert Domain.objects.filter(tenant=tenant, is_primary=True).count() == 1


def test_content_types_are_shared_and_not_flushed_on_every_switch(make_tenant):
    from django.contrib.contenttypes.models import ContentType
    from django.test.utils import CaptureQueriesContext

    first, second = make_tenant(), make_tenant()
    ContentType.objects.clear_cache()
    with tenant_context(first):
        note_type = ContentType.objects.get_for_model(Note)
    with CaptureQueriesContext(connection) as queries:
        for tenant in (second, first, second):
            with tenant_context(tenant):
                assert ContentType.objects.get_for_model(Note) == note_type
    assert len(queries) == 0  # served from the cache, which no switch flushed
    assert note_type.model_class() is Note


def test_an_existing_tenant_cannot_be_moved_by_saving(make_tenant):
    tenant = Tenant.objects.get(pk=make_tenant("settled").pk)
    tenant.name = "renamed is fine"
    tenant.save()
    tenant.schema_name = "elsewhere"
    with pytest.raises(ValidationError, match="'settled' cannot move to 'elsewhere'"):
        tenant.save()
    assert Tenant.objects.get(pk=tenant.pk).schema_name == "settled"
    assert not schema_exists("elsewhere", "default")
