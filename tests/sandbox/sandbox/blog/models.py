"""Static tenants' app: the main site's posts."""

from __future__ import annotations

from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=200)
    published = models.BooleanField(default=False)
