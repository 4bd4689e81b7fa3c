"""pre_migrate and post_migrate around a schema's migration, as Django's migrate sends them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal

from tenantry_django.migration._plan import Steps

__all__ = ["migrate_signals"]


@contextmanager
def migrate_signals(alias: str, steps: Steps, *, verbosity: int = 0) -> Iterator[None]:
    """pre_migrate before the body, post_migrate after it (not when it raises).

    Both are sent with the current app registry, as for a project at its latest state.
    """
    emit_pre_migrate_signal(verbosity, False, alias, plan=steps)
    yield
    emit_post_migrate_signal(verbosity, False, alias, plan=steps)
