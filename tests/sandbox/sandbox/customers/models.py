"""Shared app: the dynamic tenants and their domains live in public."""

from __future__ import annotations

from django.db import models

from tenantry_django.models import DomainModel, TenantModel


class Tenant(TenantModel):
    name = models.CharField(max_length=100, blank=True)


class Domain(DomainModel):
    pass
