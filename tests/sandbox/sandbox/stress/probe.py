"""What every operation reads: the row that names its tenant and the server's current_schema().

Each tenant's notes table holds one marker row, titled with the tenant's own schema name. A
probe reads ``SELECT current_schema()`` through a cursor, then the marker rows through the ORM
with ``current_schema()`` computed in the same statement. In the right schema that is
``(tenant, [(tenant, tenant)])``; anything else ran somewhere else, which is a leak.

``misdirect`` is the self-test: it points the connection at another schema behind tenantry's
back (on the driver connection, between the probe's two statements), so the engine can show
that it notices a statement running in the wrong schema.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Func

from tenantry import get_current_tenant, quote_identifier

MARKER = "tenantry stress marker"
SECOND_MARKER = "tenantry stress marker, second"  # for reads that need two rows


class CurrentSchema(Func):
    """``current_schema()``, evaluated by the server inside the ORM's own statement."""

    function = "current_schema"
    template = "%(function)s()"
    output_field = CharField()


@dataclass(frozen=True)
class Observation:
    schema: str  # SELECT current_schema()
    rows: list[tuple[str, str]]  # (marker title, current_schema()) from the ORM read

    def leak(self, expected: str) -> str | None:
        """None when both statements ran in ``expected``'s schema, else what was seen."""
        if self.schema == expected and self.rows == [(expected, expected)]:
            return None
        return f"current_schema() {self.schema}, marker rows {self.rows}"

    def as_json(self) -> dict[str, Any]:
        return {"schema": self.schema, "rows": [list(row) for row in self.rows]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Observation:
        return cls(data["schema"], [(str(a), str(b)) for a, b in data["rows"]])


def name(tenant: Any) -> str | None:
    return None if tenant is None else str(tenant.schema_name)


def current_schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])


def markers(*bodies: str) -> Any:
    """The marker rows (the first marker unless told), each with the schema the statement
    ran in: a lazy queryset of ``(title, schema)``."""
    from sandbox.notes.models import Note

    rows = Note.objects.filter(body__in=bodies or [MARKER]).order_by("body")
    return rows.annotate(schema=CurrentSchema()).values_list("title", "schema")


def misdirect(schema: str) -> None:
    """Set this thread's connection's search path to ``schema`` without telling tenantry."""
    connection.ensure_connection()
    scope = "SET LOCAL" if connection.in_atomic_block else "SET"
    statement = f"{scope} search_path = {quote_identifier(schema)}"
    with connection.connection.cursor() as cursor:
        cursor.execute(statement)


def probe(sabotage: str | None = None, atomic: bool = False) -> Observation:
    """Read the active tenant's schema and marker rows (in one transaction if ``atomic``);
    ``sabotage`` names a schema to misdirect the connection to between the two reads."""
    with transaction.atomic() if atomic else nullcontext():
        schema = current_schema()
        if sabotage:
            misdirect(sabotage)
        rows = list(markers())
    return Observation(schema, rows)


def report(tenant: Any, observation: Observation) -> dict[str, Any]:
    """What an endpoint answers: the tenant it was given, the one active, what it read."""
    return {"tenant": name(tenant), "active": name(get_current_tenant()), **observation.as_json()}


def answer_leak(expected: str, answer: dict[str, Any]) -> str | None:
    """None when an endpoint's answer is all ``expected``'s, else what was wrong."""
    seen = Observation.from_json(answer)
    problems = []
    if answer.get("tenant") != expected or answer.get("active") != expected:
        problems.append(f"tenant {answer.get('tenant')}, active {answer.get('active')}")
    leak = seen.leak(expected)
    if leak:
        problems.append(leak)
    return "; ".join(problems) or None
