"""Base classes for tenant-aware management commands.

Subclass, override ``handle_tenant(self, tenant, *args, **options)``, and the command gets
``-s``, ``--executor``, ``--no-create-schemas`` and ``--noinput``: it runs once per selected
tenant, with that tenant active, output lines prefixed with its schema, and a summary at the
end. The exit status is non-zero when any tenant failed.

The public schema is not a tenant (tenant apps' tables are not there): wildcards such as
``-s :all:`` leave it out, and only ``-s public`` runs a command there (or a command class
with ``include_public = True``). Without ``-s`` the command asks on a terminal; elsewhere it
fails without running anything. Called while a tenant is active (``runschema -s ... yours``,
or inside ``tenant_context``), without ``-s``, it runs for that tenant only and asks nothing.
"""

from __future__ import annotations

import argparse
from contextvars import ContextVar
from typing import IO, Any, ClassVar, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from tenantry import Tenant, TenantKind, describe, get_current_tenant, tenant_context
from tenantry_cli._output import PrefixedStream
from tenantry_cli._runner import (
    DEFAULT_EXECUTOR,
    fail_if_any_failed,
    print_summary,
    run_for_tenants,
)
from tenantry_cli._selection import add_selection_arguments, kind_of, select
from tenantry_django.schemas import create_schema, schema_exists

__all__ = ["DynamicTenantCommand", "StaticTenantCommand", "TenantCommand"]

# The stream the running tenant's output goes to; unset outside a tenant's run.
_tenant_output: ContextVar[tuple[PrefixedStream, PrefixedStream] | None] = ContextVar(
    "tenantry_cli_tenant_output", default=None
)


class _TenantAwareStream:
    """Writes to the running tenant's prefixed stream, or straight through outside one.

    One command instance serves every tenant (threads and forked workers included); the
    stream is looked up per write, so each tenant's lines carry its own prefix.
    """

    def __init__(self, target: IO[str] | Any, error: bool) -> None:
        self._target = target
        self._error = error

    def write(self, text: str) -> int:
        streams = _tenant_output.get()
        if streams is None:
            return int(self._target.write(text) or 0)
        return streams[1 if self._error else 0].write(text)

    def flush(self) -> None:
        streams = _tenant_output.get()
        if streams is not None:
            streams[1 if self._error else 0].flush()
        self._target.flush()

    def isatty(self) -> bool:
        return _tenant_output.get() is None and bool(self._target.isatty())


def ensure_schema(tenant: Tenant, *, create: bool) -> bool:
    """Create the tenant's schema when missing (unless told not to). True if created."""
    if schema_exists(tenant.schema_name, tenant.database):
        return False
    if not create:
        raise CommandError(
            f"Schema {tenant.schema_name!r} does not exist in database {tenant.database!r} "
            "(not created: --no-create-schemas)."
        )
    create_schema(tenant.schema_name, tenant.database)
    return True


class TenantCommand(BaseCommand):
    """Runs ``handle_tenant`` for every selected tenant, static and dynamic."""

    tenant_kinds: ClassVar[frozenset[TenantKind]] = frozenset(TenantKind)
    default_executor: ClassVar[str] = DEFAULT_EXECUTOR
    #: Whether wildcards (``:all:``, ``:static:``) select the public schema too.
    include_public: ClassVar[bool] = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_selection_arguments(parser, default_executor=self.default_executor)
        self.add_tenant_arguments(parser)

    def add_tenant_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Your command's own arguments (``add_arguments`` adds the shared ones)."""

    def handle(self, *args: Any, **options: Any) -> None:
        active = get_current_tenant()
        if active is not None and not options.get("schemas"):
            self._handle_active(active, args, options)
            return
        entries = select(
            options, kinds=self.tenant_kinds, public_unless_named=self.public_unless_named()
        )
        tenants = [entry.tenant for entry in entries]
        stdout, stderr = self.stdout, self.stderr
        self._raw_streams = (stdout._out, stderr._out)
        # Duck-typed streams: OutputWrapper needs only write, flush and isatty.
        self.stdout = OutputWrapper(cast(TextIO, _TenantAwareStream(stdout._out, error=False)))
        self.stderr = OutputWrapper(cast(TextIO, _TenantAwareStream(stderr._out, error=True)))
        self.stderr.style_func = stderr.style_func
        try:
            outcomes = run_for_tenants(
                tenants,
                lambda tenant: self._run_tenant(tenant, args, options),
                executor=options["executor"],
                progress_stream=stderr._out,
            )
        finally:
            self.stdout, self.stderr = stdout, stderr
        print_summary(outcomes, stdout._out)
        fail_if_any_failed(outcomes)

    def public_unless_named(self) -> bool:
        """Whether wildcards leave the public schema out (only ``-s public`` selects it)."""
        return not self.include_public

    def _handle_active(
        self, tenant: Tenant, args: tuple[Any, ...], options: dict[str, Any]
    ) -> None:
        """Run for the tenant already active (the caller reports outcomes and prefixes)."""
        if kind_of(tenant) not in self.tenant_kinds:
            allowed = " or ".join(kind.value for kind in self.tenant_kinds)
            raise CommandError(
                f"The active tenant {describe(tenant)} is not a {allowed} tenant; this "
                f"command runs on {allowed} tenants only."
            )
        self.handle_tenant(tenant, *args, **options)

    def _run_tenant(self, tenant: Tenant, args: tuple[Any, ...], options: dict[str, Any]) -> Any:
        label = describe(tenant)
        streams = (
            PrefixedStream(self._raw_streams[0], label),
            PrefixedStream(self._raw_streams[1], label),
        )
        token = _tenant_output.set(streams)
        try:
            created = ensure_schema(tenant, create=options.get("create_schemas", True))
            with tenant_context(tenant):
                detail = self.handle_tenant(tenant, *args, **options)
            if created:
                return f"schema created; {detail}" if detail else "schema created"
            return detail
        finally:
            for stream in streams:
                stream.flush()
            _tenant_output.reset(token)

    def handle_tenant(self, tenant: Any, *args: Any, **options: Any) -> str | None:
        """Do the work for one tenant (active while this runs). Return a short detail."""
        raise NotImplementedError(
            f"{type(self).__module__}.{type(self).__name__} must define handle_tenant()"
        )


class StaticTenantCommand(TenantCommand):
    """Runs on static tenants only (public too when named: ``-s public``)."""

    tenant_kinds = frozenset({TenantKind.STATIC})


class DynamicTenantCommand(TenantCommand):
    """Runs on dynamic tenants (tenant model rows) only."""

    tenant_kinds = frozenset({TenantKind.DYNAMIC})
