"""``migrate`` over many schemas: the migration engine's fleet plan run through an executor.

The engine (:class:`tenantry_django.migration.FleetMigration`) sorts the schemas by state and
migrates each; here one representative per state migrates in this thread (if it fails, the
next schema of its state tries), then every other schema follows through the executor, while
progress, the outcome log and the outcomes are kept. Each schema is keyed by its ``Place``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import IO, Any

from tenantry import Tenant
from tenantry_cli._outcome_log import OutcomeLog
from tenantry_cli._progress import RunProgress
from tenantry_cli._runner import Outcome, drain, executor_spec, guarded, in_order
from tenantry_django.migration import FleetMigration, Place, SchemaMigrated

__all__ = ["migrate_fleet"]


def _plural(count: int) -> str:
    return f"{count} migration{'s' if count != 1 else ''}"


def describe_migrated(result: SchemaMigrated) -> str:
    """The outcome's detail: ``2 migrations applied (replayed)``, ``schema created; ...``;
    migrations only recorded (their apps are not in this schema) are counted apart."""
    if result.migrations is None:
        done = "migrated"
    else:
        done = f"{_plural(result.migrations)} applied"
        if result.replay_failure:
            done += f" one by one (replay failed: {result.replay_failure})"
        elif result.replayed:
            done += " (replayed)"
        if result.recorded:
            done += f", {result.recorded} recorded only (apps not in this schema)"
    return f"schema created; {done}" if result.created else done


def _detailed(migrate: Callable[[Tenant], SchemaMigrated]) -> Callable[[Tenant], str]:
    # One text per distinct result: the outcomes of 10,000 schemas that migrated alike share
    # it instead of holding a copy each for the whole run.
    texts: dict[SchemaMigrated, str] = {}

    def detailed(tenant: Tenant) -> str:
        result = migrate(tenant)
        text = texts.get(result)
        if text is None:
            text = texts.setdefault(result, describe_migrated(result))
        return text

    return detailed


def _migrate_representatives(fleet: FleetMigration, finish: Callable[[Outcome], bool]) -> bool:
    """One representative per state, migrated for real in this thread; if it fails (a real
    failure in that schema), the next member of its state tries. False when the run stopped."""
    for group in fleet.groups:
        members = list(group)
        while members:
            representative = members.pop(0)
            migrate = functools.partial(fleet.migrate_representative, members=members)
            outcome = guarded(_detailed(migrate))(representative)
            if finish(outcome):
                return False
            if outcome.ok:
                break
    return True


def migrate_fleet(
    tenants: Sequence[Tenant],
    *,
    executor: str,
    create_schemas: bool = True,
    progress_stream: IO[str] | Any = None,
) -> list[Outcome]:
    """Bring every tenant's schema up to date; every tenant's outcome, in order."""
    fleet = FleetMigration(tenants, create_schemas=create_schemas)
    log = OutcomeLog()
    stop_on_failure = executor_spec(executor).stops_on_failure
    outcomes: dict[Place, Outcome] = {}

    with RunProgress(progress_stream, len(fleet.tenants)) as progress:

        def finish(outcome: Outcome) -> bool:
            """Note an outcome; True when the run must stop."""
            outcomes[outcome.key] = outcome
            log.add(outcome)
            progress.advance(outcome.schema, outcome.ok, outcome.detail)
            return not outcome.ok and stop_on_failure

        for tenant in fleet.up_to_date:
            finish(Outcome.of(tenant, "ok", "up to date"))
        members = fleet.members() if _migrate_representatives(fleet, finish) else []
        if members:  # everyone else: replayed through the executor
            drain(executor, members, guarded(_detailed(fleet.migrate_member)), finish)
    log.flush()
    return in_order(fleet.tenants, outcomes)
