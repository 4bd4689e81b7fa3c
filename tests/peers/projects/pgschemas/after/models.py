"""customers/models.py after the guide's step 4: tenantry's abstract models."""

from django.db import models

from tenantry_django.models import DomainModel, TenantModel


class Tenant(TenantModel):
    name = models.CharField(max_length=100)


class Domain(DomainModel):
    pass
