"""An instance keeps the tenant it was loaded, made or first saved in; relating instances of
two tenants is refused; ``bind()`` moves a queryset or an instance explicitly."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from sandbox.notes.models import Note, Tag

from tenantry import tenant_context
from tenantry_django.errors import CrossTenantError
from tenantry_django.pinning import bind, tenant_of


def test_an_instance_loaded_in_one_tenant_is_saved_deleted_and_refreshed_there(two, titles_in):
    a, b = two
    with tenant_context(a):
        note = Note.objects.get(title=f"{a.schema_name}-1")
        other = Note.objects.get(title=f"{a.schema_name}-2")
    with tenant_context(b):
        note.body = "edited in B's context"
        note.save()
        other.delete()
    with tenant_context(a):
        Note.objects.filter(pk=note.pk).update(title="renamed in A")
    with tenant_context(b):
        note.refresh_from_db()
        assert note.title == "renamed in A"
        # B's rows with the same primary keys are untouched.
        assert not Note.objects.filter(body="edited in B's context").exists()
        assert titles_in(b) == [f"{b.schema_name}-1", f"{b.schema_name}-2"]
    assert titles_in(a) == ["renamed in A"]


def test_an_instance_made_in_one_tenant_is_created_there(two, titles_in):
    a, b = two
    with tenant_context(a):
        note = Note(title="made in A")
    with tenant_context(b):
        note.save()
    assert "made in A" in titles_in(a)
    assert "made in A" not in titles_in(b)


def test_an_instance_made_with_no_tenant_belongs_to_where_it_is_first_saved(two, titles_in):
    a, b = two
    note = Note(title="homeless")
    assert tenant_of(note) is None
    with tenant_context(a):
        note.save()
    assert tenant_of(note) is a
    with tenant_context(b):
        note.title = "still A's"
        note.save()
    assert "still A's" in titles_in(a)


def test_instances_bulk_created_through_a_bound_queryset_belong_to_its_tenant(two, titles_in):
    a, b = two
    with tenant_context(a):
        notes = Note.objects.all()
    made_elsewhere = [Note(title="one"), Note(title="two")]
    with tenant_context(b):
        created = notes.bulk_create(made_elsewhere)
        created[0].title = "one, edited"
        created[0].save()
    assert [tenant_of(note) for note in created] == [a, a]
    assert {"one, edited", "two"} <= set(titles_in(a))
    assert not {"one", "one, edited", "two"} & set(titles_in(b))


def test_relating_instances_of_two_tenants_is_refused(two):
    a, b = two
    with tenant_context(a):
        note = Note.objects.get(title=f"{a.schema_name}-1")
    with tenant_context(b):
        tag_of_b = Tag.objects.get(name=b.schema_name)
        # Like Django's own relation errors, raised inside add()'s atomic block: contained.
        with pytest.raises(CrossTenantError, match=b.schema_name), transaction.atomic():
            note.tags.add(tag_of_b)
    with tenant_context(a):
        assert not note.tags.exists()


def test_foreign_keys_to_shared_rows_are_allowed(two):
    a, _ = two
    user = User.objects.create(username="shared")
    with tenant_context(a):
        note = Note.objects.create(title="by user", author=user)
    assert note.author_id == user.pk
    assert tenant_of(user) is None


def test_an_instance_can_be_copied_into_another_tenant_explicitly(two, titles_in):
    a, b = two
    with tenant_context(a):
        note = Note.objects.get(title=f"{a.schema_name}-1")
    note.pk = None
    note._state.adding = True
    bind(note, b)
    note.save()
    assert f"{a.schema_name}-1" in titles_in(b)


def test_bind_gives_a_queryset_of_another_tenant(two, titles_in):
    a, b = two
    with tenant_context(a):
        notes = Note.objects.values_list("title", flat=True)
    assert sorted(bind(notes, b)) == titles_in(b)
    assert sorted(notes) == titles_in(a)  # the original keeps its binding
