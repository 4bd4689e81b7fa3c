"""Abstract models for dynamic tenants and their domains.

Subclass them in an app listed in ``TENANTS["public"]["APPS"]`` and name the subclasses in
``TENANTS["default"]["TENANT_MODEL"]`` and ``["DOMAIN_MODEL"]``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import BaseConstraint

from tenantry import DEFAULT_DATABASE, SchemaDescriptor, SchemaNameError, validate_schema_name
from tenantry_django._domain_model import (
    ONE_PRIMARY_SUFFIX,
    clean_domain,
    is_one_primary,
    tenant_model_reference,
)
from tenantry_django._domains import unicode_host
from tenantry_django._missing_tables import tenant_tables_required
from tenantry_django._setup import require_tenancy_setup
from tenantry_django.conf import get_settings
from tenantry_django.errors import SchemaExistsError
from tenantry_django.migration import migrate_new_schema, migrate_schema
from tenantry_django.schemas import (
    clone_schema,
    create_schema,
    drop_schema,
    refuse_a_tenant_as_clone_reference,
    schema_exists,
)
from tenantry_django.signals import (
    schema_needs_sync,
    schema_pre_drop,
    schema_synced,
    tenant_created,
)
from tenantry_django.spares import SPARE_PREFIX, claim_spare, is_spare_schema_name

__all__ = ["DomainModel", "TenantModel", "validate_tenant_schema_name"]


def validate_tenant_schema_name(value: str) -> None:
    """Field validator: the schema-name rules plus names taken by the configuration."""
    try:
        validate_schema_name(value, reserved=get_settings().tenants.reserved_schema_names)
    except SchemaNameError as error:
        raise ValidationError(str(error), code="invalid_schema_name") from error
    if is_spare_schema_name(value):
        raise ValidationError(
            f"Invalid schema name {value!r}: names starting with {SPARE_PREFIX!r} are "
            "reserved for spare schemas (TENANTRY_SPARE_SCHEMAS). Choose another schema_name.",
            code="invalid_schema_name",
        )


class TenantModel(models.Model):
    """A dynamic tenant: a row in public, a schema named ``schema_name`` in ``database``.

    Saving a new row creates the schema, by cloning ``CLONE_REFERENCE`` when configured and
    present, else by migrating; the row and the schema are created in one transaction, so if
    anything fails (a migration, a ``tenant_created`` receiver) neither remains. Deleting a
    row drops its schema only when ``auto_drop_schema`` is set or ``force_drop=True``.
    """

    _saved_place: tuple[str | None, str | None] | None = None  # as loaded from the database
    auto_create_schema: ClassVar[bool] = True
    auto_drop_schema: ClassVar[bool] = False

    schema_name = models.CharField(
        max_length=63, unique=True, validators=[validate_tenant_schema_name]
    )
    database = models.CharField(max_length=100, default=DEFAULT_DATABASE)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.schema_name

    @property
    def descriptor(self) -> SchemaDescriptor:
        return SchemaDescriptor(self.schema_name, self.database)

    def _check_new_schema_name(self) -> None:
        validate_tenant_schema_name(self.schema_name)
        if self.database not in settings.DATABASES:
            raise ValidationError(
                f"Tenant database {self.database!r} is not in settings.DATABASES.",
                code="unknown_database",
            )

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Any, values: Any, *args: Any, **kwargs: Any
    ) -> Any:
        # Passes on what newer Django adds (6.1: ``fetch_mode``) without naming it.
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        loaded = instance.__dict__
        instance._saved_place = (loaded.get("schema_name"), loaded.get("database"))
        return instance

    def _check_place_unchanged(self) -> None:
        saved = self._saved_place
        if saved is not None and saved != (self.schema_name, self.database):
            raise ValidationError(
                f"Tenant {saved[0]!r} cannot move to {self.schema_name!r} in "
                f"{self.database!r} by saving: schema_name and database of an existing tenant "
                "are fixed (its schema would be left behind). Create a new tenant instead.",
                code="tenant_moved",
            )

    def save(self, *args: Any, clone_from: SchemaDescriptor | None = None, **kwargs: Any) -> None:
        """Save the row; a new tenant's schema comes with it (:meth:`create_schema`)."""
        is_new = self._state.adding
        if not is_new:
            self._check_place_unchanged()
        if not is_new or not self.auto_create_schema:
            with tenant_tables_required():
                super().save(*args, **kwargs)
            return
        self._check_new_schema_name()
        public_database = get_settings().tenants.public_database
        self._require_tenancy_setup(public_database)
        self._check_schema_is_free()
        with (
            tenant_tables_required(),
            transaction.atomic(using=public_database),
            transaction.atomic(using=self.database),
        ):
            super().save(*args, **kwargs)
            if not self._claim_spare(clone_from):
                self.create_schema(sync_schema=True, clone_from=clone_from)
            tenant_created.send(sender=type(self), tenant=self)

    def _claim_spare(self, clone_from: SchemaDescriptor | None) -> bool:
        """Take a spare, fully migrated schema from the pool (:mod:`tenantry_django.spares`)
        instead of creating one; False when the pool is off or has no current spare."""
        if clone_from is not None or not claim_spare(self):
            return False
        schema_synced.send(sender=type(self), tenant=self)
        return True

    def _require_tenancy_setup(self, *databases: str) -> None:
        require_tenancy_setup(f"create tenant {self.schema_name!r}", [*databases, self.database])

    def _check_schema_is_free(self) -> None:
        if schema_exists(self.schema_name, self.database):
            raise SchemaExistsError(
                f"Schema {self.schema_name!r} already exists in database {self.database!r}; "
                "a new tenant never adopts an existing schema. Choose another schema_name."
            )

    def create_schema(
        self,
        *,
        sync_schema: bool = True,
        verbosity: int = 0,
        clone_from: SchemaDescriptor | None = None,
    ) -> None:
        """Create this tenant's schema: a clone of the reference (or of ``clone_from`` when
        given: the test helpers' template), or migrated, or empty."""
        self._require_tenancy_setup()
        self._check_schema_is_free()
        source = clone_from or get_settings().tenants.clone_reference()
        with transaction.atomic(using=self.database):
            if not sync_schema:
                create_schema(self.schema_name, self.database)
                schema_needs_sync.send(sender=type(self), tenant=self)
                return
            if (
                source is not None
                and source.database == self.database
                and schema_exists(source.schema_name, self.database)
            ):
                if clone_from is None:
                    refuse_a_tenant_as_clone_reference()  # its rows would be every clone's
                clone_schema(source.schema_name, self.schema_name, self.database)
                # A clone of an up-to-date reference needs no migration run at all.
                migrate_schema(self, verbosity=verbosity, skip_if_current=True)
            else:
                create_schema(self.schema_name, self.database)
                migrate_new_schema(self, verbosity=verbosity)  # a recipe replayed
            schema_synced.send(sender=type(self), tenant=self)

    def drop_schema(self) -> None:
        schema_pre_drop.send(sender=type(self), tenant=self)
        drop_schema(self.schema_name, self.database)

    def delete(self, *args: Any, force_drop: bool = False, **kwargs: Any) -> Any:
        if not (force_drop or self.auto_drop_schema):
            return super().delete(*args, **kwargs)
        public_database = get_settings().tenants.public_database
        with transaction.atomic(using=public_database), transaction.atomic(using=self.database):
            self.drop_schema()
            return super().delete(*args, **kwargs)


class DomainModel(models.Model):
    """A host (and optional subfolder) that serves a tenant; one primary domain per tenant.

    ``domain`` is stored the way browsers send it (lowercase, IDNA ASCII form, no port,
    scheme, path or trailing dot); ``unicode_domain`` and ``str()`` show the Unicode form.
    A row also serves its ``www.`` twin (``example.com`` <-> ``www.example.com``) unless the
    twin has rows of its own.
    """

    tenant = models.ForeignKey(
        tenant_model_reference(), on_delete=models.CASCADE, related_name="domains"
    )
    domain = models.CharField(max_length=253, db_index=True)
    folder = models.SlugField(max_length=100, blank=True, default="", db_index=True)
    is_primary = models.BooleanField(default=True)
    redirect_to_primary = models.BooleanField(default=False)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "folder"], name="%(app_label)s_%(class)s_domain_folder"
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_primary=True),
                name=f"%(app_label)s_%(class)s{ONE_PRIMARY_SUFFIX}",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unicode_domain}/{self.folder}" if self.folder else self.unicode_domain

    @property
    def unicode_domain(self) -> str:
        """The domain as people write it (``bücher.example.com``), for display."""
        return unicode_host(self.domain)

    @property
    def address(self) -> str:
        """``domain`` or ``domain/folder`` in ASCII, as URLs carry it."""
        return f"{self.domain}/{self.folder}" if self.folder else self.domain

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        # Normalised here, where Django assigns cleaned field values, so that uniqueness and
        # constraint checks compare the stored form (bücher.example.com and its xn-- form
        # are one domain). Not a field validator: validators are part of a field's migration
        # state, and every project would need a migration for them.
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "domain" not in errors and (exclude is None or "domain" not in exclude):
            try:
                self.domain = clean_domain(self.domain)
            except ValidationError as error:
                errors["domain"] = error.error_list
        if errors:
            raise ValidationError(errors)

    def get_constraints(self) -> list[tuple[type[models.Model], Sequence[BaseConstraint]]]:
        # One primary per tenant is kept by save(), which demotes the other primary (or
        # promotes a tenant's only domain): a new row with the default is_primary=True is
        # not a mistake, so validation (full_clean, ModelForm, admin) leaves it to save().
        # The database constraint stays, against concurrent saves.
        return [
            (model, [c for c in constraints if not is_one_primary(c)])
            for model, constraints in super().get_constraints()
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        # Never store a domain no request can reach. A save that does not write the domain
        # (promoting a row saved before these rules) leaves it as it is.
        if update_fields is None or "domain" in update_fields:
            try:
                self.domain = clean_domain(self.domain)
            except ValidationError as error:
                raise ValidationError({"domain": error.error_list}) from error
        manager = type(self)._default_manager
        with (
            tenant_tables_required(),
            transaction.atomic(using=self._state.db or get_settings().tenants.public_database),
        ):
            siblings = manager.filter(tenant_id=self.tenant_id).exclude(pk=self.pk)
            if self.is_primary:
                siblings.filter(is_primary=True).update(is_primary=False)
            elif not siblings.filter(is_primary=True).exists():
                self.is_primary = True  # a tenant always has exactly one primary domain
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(using=self._state.db or get_settings().tenants.public_database):
            result = super().delete(*args, **kwargs)
            if self.is_primary:
                successor = (
                    type(self)
                    ._default_manager.filter(tenant_id=self.tenant_id)
                    .order_by("pk")
                    .first()
                )
                if successor is not None:
                    successor.is_primary = True
                    successor.save(update_fields=["is_primary"])
            return result
