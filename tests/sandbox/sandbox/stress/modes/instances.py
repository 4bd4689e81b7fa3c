"""The moved mode's instance operations: an instance made in tenant A, used under B.

Origins: the instance ``create()`` returned, one loaded with ``get()``, or one loaded and
pickled in A and unpickled under B (an instance kept in a cache). Some actions make their own
instance: one constructed in A and first saved under B, one loaded in A with its body
deferred and read under B; and two write with a queryset made in A (``update()``,
``delete()``).
"""

from __future__ import annotations

import asyncio
import pickle
import uuid
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError

from sandbox.stress.modes.acting import acting_in, context_problem, notes
from sandbox.stress.probe import CurrentSchema, current_schema, misdirect
from sandbox.stress.tenants import Site
from tenantry import tenant_context

ORIGINS = ("created", "loaded", "unpickled")
CONSTRUCTED = "constructed in A, first save()"
DEFERRED = "deferred field read"
READS_TOKEN = {"refresh_from_db()", DEFERRED}  # A's row holds the token before they act
ROLLED_BACK = "save() rolled back"
QS_UPDATE, QS_DELETE = "qs.update() of a queryset", "qs.delete() of a queryset"


class _RollbackError(Exception):
    """Raised to roll B's transaction back."""


def _save(note: Any, title: str, token: str, home: Site, **options: Any) -> list[str]:
    note.body = token
    try:
        note.save(**options)
    except DatabaseError as error:
        if "did not affect any rows" not in str(error):
            raise
        return ["save(update_fields) found no row to update: it ran elsewhere"]
    return []


def _asave(note: Any, title: str, token: str, home: Site) -> list[str]:
    note.body = token
    asyncio.run(note.asave())
    return []


def _refresh(note: Any, title: str, token: str, home: Site) -> list[str]:
    try:
        note.refresh_from_db()
    except type(note).DoesNotExist:
        return ["refresh_from_db() found no row: it read elsewhere"]
    if (note.title, note.body) != (title, token):
        return [f"refresh_from_db() read {note.title!r}, {note.body!r}"]
    return []


def _deferred(note: Any, title: str, token: str, home: Site) -> list[str]:
    try:
        body = note.body  # loads the deferred field now
    except type(note).DoesNotExist:
        return ["the deferred field found no row: it read elsewhere"]
    return [] if body == token else [f"the deferred field read {body!r}"]


def _delete(note: Any, title: str, token: str, home: Site) -> list[str]:
    note.delete()
    return []


def _tags(note: Any, title: str, token: str, home: Site) -> list[str]:
    from sandbox.notes.models import Tag

    with tenant_context(home.tenant):
        welcome = Tag.objects.get(name="welcome")  # A's own tag, from the data migration
    note.tags.add(welcome)
    tags = list(note.tags.annotate(schema=CurrentSchema()).values_list("name", "schema"))
    return [] if tags == [("welcome", home.schema)] else [f"note.tags read {tags}"]


def _first_save(note: Any, title: str, token: str, home: Site) -> list[str]:
    note.save()
    return []


def _update(queryset: Any, title: str, token: str, home: Site) -> list[str]:
    updated = queryset.update(body=token)
    return [] if updated == 1 else [f"qs.update() updated {updated} rows"]


def _queryset_delete(queryset: Any, title: str, token: str, home: Site) -> list[str]:
    deleted, _ = queryset.delete()
    return [] if deleted == 1 else [f"qs.delete() deleted {deleted} rows"]


Act = Callable[[Any, str, str, Site], list[str]]
# name: (act under B, A's bodies of the note afterwards, given the token)
ACTIONS: dict[str, tuple[Act, Callable[[str], list[str]]]] = {
    "save()": (_save, lambda token: [token]),
    "save(update_fields)": (
        lambda note, title, token, home: _save(note, title, token, home, update_fields=["body"]),
        lambda token: [token],
    ),
    ROLLED_BACK: (_save, lambda token: ["created"]),
    "asave()": (_asave, lambda token: [token]),
    "refresh_from_db()": (_refresh, lambda token: [token]),
    DEFERRED: (_deferred, lambda token: [token]),
    "delete()": (_delete, lambda token: []),
    "tags.add() and tags read": (_tags, lambda token: ["created"]),
    CONSTRUCTED: (_first_save, lambda token: [token]),
    QS_UPDATE: (_update, lambda token: [token]),
    QS_DELETE: (_queryset_delete, lambda token: []),
}


def _made_in_home(action: str, origin: str, title: str, token: str) -> Any:
    """The instance (pickled, for the unpickled origin) made in the active tenant, A."""
    from sandbox.notes.models import Note

    if action == CONSTRUCTED:
        return Note(title=title, body=token)
    note = notes().create(title=title, body="created")
    if action in READS_TOKEN:
        notes().filter(title=title).update(body=token)
    if action == DEFERRED:
        return notes().only("title").get(title=title)
    if action in (QS_UPDATE, QS_DELETE):
        return notes().filter(title=title)  # a queryset made in A, not an instance
    if origin == "created":
        return note
    loaded = notes().get(title=title)
    return pickle.dumps(loaded) if origin == "unpickled" else loaded


def operation(
    action: str, origin: str, home: Site, away: Site | None, atomic: bool, sabotage: str | None
) -> str | None:
    """Make an instance in A, act on it under B, and say what went wrong, if anything."""
    act, after = ACTIONS[action]
    title, token = f"moved {uuid.uuid4().hex}", uuid.uuid4().hex
    with tenant_context(home.tenant):
        made = _made_in_home(action, origin, title, token)
        current_schema()  # the connection now points at A, as far as tenantry knows
    if sabotage:
        misdirect(sabotage)
    problems: list[str] = []
    try:
        with acting_in(away, atomic or action == ROLLED_BACK) as seen:
            note = pickle.loads(made) if isinstance(made, bytes) else made
            problems += act(note, title, token, home)
            if action == ROLLED_BACK:
                seen.append(current_schema())
                raise _RollbackError
    except _RollbackError:
        pass
    problems.append(context_problem(away, seen) or "")
    problems += _check_rows(action, home, away, title, after(token))
    return "; ".join(filter(None, problems)) or None


def _check_rows(
    action: str, home: Site, away: Site | None, title: str, expected: list[str]
) -> list[str]:
    """Compare A's rows with what the action should have left, look for the note in B, and
    remove it everywhere."""
    problems = []
    with tenant_context(home.tenant):
        at_home = list(notes().filter(title=title).values_list("body", flat=True))
        if action == "tags.add() and tags read":
            tagged = notes().filter(title=title, tags__name="welcome").count()
            if tagged != 1:
                problems.append(f"{home.schema}'s note has {tagged} welcome tags, not 1")
        notes().filter(title=title).delete()
    if at_home != expected:
        problems.append(f"{home.schema} holds {at_home}, not {expected}")
    if away is not None:
        with tenant_context(away.tenant):
            if notes().filter(title=title).exists():
                problems.append(f"{away.schema} holds a row of {home.schema}")
                notes().filter(title=title).delete()
    return problems
