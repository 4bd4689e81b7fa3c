"""django-tenants' tenant and domain models, for the comparison only."""

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Client(TenantMixin):
    name = models.CharField(max_length=100, blank=True)


class Domain(DomainMixin):
    pass
