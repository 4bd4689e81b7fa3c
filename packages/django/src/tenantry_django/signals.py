"""Signals of a tenant's life. Receivers get ``tenant`` (and ``previous`` for activation).

``tenant_created`` and ``schema_synced`` are sent inside the creating transaction: a receiver
that raises undoes the whole creation, row and schema.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

import tenantry

__all__ = [
    "schema_activated",
    "schema_needs_sync",
    "schema_pre_drop",
    "schema_synced",
    "tenant_created",
]

tenant_created = Signal()  # row saved and schema created (and synced unless deferred)
schema_synced = Signal()  # a schema's migrations were applied (by migrating or cloning)
schema_needs_sync = Signal()  # a schema was created empty; something must migrate it
schema_pre_drop = Signal()  # a schema is about to be dropped


class _ActivationSignal(Signal):
    """A signal that tells tenantry when receivers come and go: activating a tenant (every
    request) calls nothing while it has none."""

    def connect(self, *args: Any, **kwargs: Any) -> None:
        super().connect(*args, **kwargs)
        tenantry.activation_listeners_changed()

    def disconnect(self, *args: Any, **kwargs: Any) -> bool:
        disconnected = super().disconnect(*args, **kwargs)
        tenantry.activation_listeners_changed()
        return disconnected


schema_activated = _ActivationSignal()  # a tenant became current here (``previous`` too)
