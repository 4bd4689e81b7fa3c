"""A queryset keeps the tenant it was made in: evaluated, refined or written through under
another tenant (or none, or in another thread), it runs in its own; one query never mixes two
tenants."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.db import connection, connections
from django.db.models import Count, Exists, OuterRef
from sandbox.blog.models import Post
from sandbox.notes.models import Note, Tag

from tenantry import get_current_tenant, tenant_context
from tenantry_django.errors import CrossTenantError, NoActiveTenantError
from tenantry_django.pinning import tenant_of


def current_schema(alias: str = "default") -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])


# --- lazy querysets -------------------------------------------------------------------------


def test_a_queryset_evaluated_in_another_tenant_returns_its_own_tenants_rows(two):
    a, b = two
    with tenant_context(a):
        notes = Note.objects.order_by("title")
        titles = Note.objects.values_list("title", flat=True).order_by("title")
        counted = Note.objects.filter(title__endswith="-1")
    with tenant_context(b):
        assert [note.title for note in notes] == [f"{a.schema_name}-1", f"{a.schema_name}-2"]
        assert list(titles) == [f"{a.schema_name}-1", f"{a.schema_name}-2"]
        assert counted.count() == 1
        assert counted.exists()
        assert counted.get().title == f"{a.schema_name}-1"
        assert notes.first().title == f"{a.schema_name}-1"
        assert notes.aggregate(n=Count("id")) == {"n": 2}
        assert [n.title for n in notes.iterator(chunk_size=1)] == list(titles)
        # ... and the tenant is B again as soon as the queryset is done.
        assert get_current_tenant() is b
        assert current_schema() == b.schema_name


def test_a_clone_made_in_another_tenant_keeps_the_original_binding(two):
    a, b = two
    with tenant_context(a):
        notes = Note.objects.all()
    with tenant_context(b):
        refined = notes.filter(title__endswith="-2").values_list("title", flat=True)
        assert list(refined) == [f"{a.schema_name}-2"]
    assert tenant_of(refined) is a


def test_a_bound_queryset_runs_in_its_tenant_with_no_tenant_active(two):
    a, _ = two
    with tenant_context(a):
        notes = Note.objects.values_list("title", flat=True)
    assert get_current_tenant() is None
    assert sorted(notes) == [f"{a.schema_name}-1", f"{a.schema_name}-2"]


def test_a_queryset_made_with_no_tenant_follows_the_active_one(two, titles_in):
    """Class attributes of views and forms (``queryset = Note.objects.all()``) keep working."""
    a, b = two
    notes = Note.objects.values_list("title", flat=True)
    assert tenant_of(notes) is None
    for tenant in (a, b):
        with tenant_context(tenant):
            assert sorted(notes.all()) == titles_in(tenant)
    with pytest.raises(NoActiveTenantError):
        list(notes)


def test_writes_through_a_bound_queryset_stay_in_its_tenant(two, titles_in):
    a, b = two
    with tenant_context(a):
        notes = Note.objects.all()
        first = Note.objects.filter(title__endswith="-1")
    with tenant_context(b):
        assert notes.filter(title__endswith="-2").update(body="changed") == 1
        notes.create(title=f"{a.schema_name}-3")
        notes.bulk_create([Note(title=f"{a.schema_name}-4")])
        assert first.delete()[0] == 1
        assert notes.get_or_create(title=f"{a.schema_name}-5")[1] is True
    assert titles_in(a) == [f"{a.schema_name}-{n}" for n in (2, 3, 4, 5)]
    assert titles_in(b) == [f"{b.schema_name}-1", f"{b.schema_name}-2"]
    with tenant_context(b):
        assert not Note.objects.filter(body="changed").exists()


def test_a_bound_queryset_evaluated_in_a_thread_with_no_tenant(committed_tenants):
    first, second = committed_tenants[:2]
    with tenant_context(first):
        notes = Note.objects.values_list("title", flat=True)
    results: list[Any] = []

    def run() -> None:
        try:
            with tenant_context(second):
                results.append((list(notes), current_schema()))
            results.append(list(notes))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert results == [([first.schema_name], second.schema_name), [first.schema_name]]


def test_aiterator_runs_each_step_in_the_queryset_tenant(two, titles_in):
    a, b = two
    with tenant_context(a):
        notes = Note.objects.values_list("title", flat=True).order_by("title")

    async def collect() -> list[str]:
        with tenant_context(b):
            seen = [title async for title in notes.aiterator(chunk_size=1)]
            assert get_current_tenant() is b
            return seen

    assert async_to_sync(collect)() == titles_in(a)


def test_prefetching_and_related_managers_read_the_instances_tenant(two):
    a, b = two
    with tenant_context(a):
        tag = Tag.objects.get(name=a.schema_name)
        note = Note.objects.get(title=f"{a.schema_name}-1")
        note.tags.add(tag)
        notes = Note.objects.prefetch_related("tags").order_by("title")
    with tenant_context(b):
        assert [[t.name for t in n.tags.all()] for n in notes] == [[a.schema_name], []]
        assert [t.name for t in note.tags.all()] == [a.schema_name]
        assert [n.title for n in tag.note_set.all()] == [f"{a.schema_name}-1"]
        note.tags.remove(tag)
    with tenant_context(a):
        assert not note.tags.exists()


def test_raw_querysets_are_bound_too(two, titles_in):
    a, b = two
    with tenant_context(a):
        raw = Note.objects.raw("SELECT id, title FROM notes_note ORDER BY title")
    with tenant_context(b):
        assert [note.title for note in raw] == titles_in(a)


@pytest.mark.django_db(databases=["default", "other"])
def test_querysets_of_a_static_tenant_in_another_database_go_there(static_schema, make_tenant):
    archive = static_schema("archive")
    www = static_schema("www")
    with tenant_context(archive):
        Post.objects.create(title="archived")
        posts = Post.objects.values_list("title", flat=True)
    with tenant_context(www):
        Post.objects.create(title="current")
        assert list(posts) == ["archived"]
        assert posts.db == "other"


# --- mixing tenants in one query ------------------------------------------------------------


def test_combining_querysets_of_two_tenants_is_refused(two):
    a, b = two
    with tenant_context(a):
        of_a = Note.objects.filter(title__endswith="-1")
    with tenant_context(b):
        of_b = Note.objects.filter(title__endswith="-2")
        with pytest.raises(CrossTenantError):
            list(of_a | of_b)
        with pytest.raises(CrossTenantError):
            list(of_a.union(of_b))
        with pytest.raises(CrossTenantError):
            list(of_b.filter(pk__in=of_a.values("pk")))
        with pytest.raises(CrossTenantError):
            list(of_b.filter(Exists(of_a.filter(pk=OuterRef("pk")))))


def test_a_shared_query_with_a_tenant_subquery_runs_in_the_subquerys_tenant(two):
    a, b = two
    author = User.objects.create(username="writer")
    with tenant_context(a):
        Note.objects.create(title="by writer", author=author)
        writers = User.objects.filter(pk__in=Note.objects.values("author_id"))
    with tenant_context(b):
        assert list(writers) == [author]


def test_the_compiler_refuses_a_bound_query_run_in_another_tenant(two):
    """The safety net for paths the ORM wrappers do not cover: raise, never run elsewhere."""
    a, b = two
    with tenant_context(a):
        notes = Note.objects.all()
    with tenant_context(b), pytest.raises(CrossTenantError, match=a.schema_name):
        notes.query.get_compiler(using="default").execute_sql()
