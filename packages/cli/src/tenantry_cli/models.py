"""What the last migrate run did to each schema, kept in the public schema for operators."""

from __future__ import annotations

from django.db import models

__all__ = ["SchemaMigrationOutcome"]


class SchemaMigrationOutcome(models.Model):
    """One row per (database, schema): the latest fleet-migrate outcome there."""

    database = models.CharField(max_length=100)
    schema_name = models.CharField(max_length=63)
    status = models.CharField(max_length=10)  # ok, failed, skipped
    detail = models.TextField(blank=True)
    error = models.TextField(blank=True)
    seconds = models.FloatField(default=0.0)
    finished_at = models.DateTimeField()

    class Meta:
        db_table = "tenantry_schema_migration_outcome"
        constraints = [
            models.UniqueConstraint(
                fields=["database", "schema_name"], name="tenantry_outcome_one_per_schema"
            )
        ]

    def __str__(self) -> str:
        return f"{self.database}:{self.schema_name} {self.status}"
