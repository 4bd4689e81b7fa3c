"""Dynamic tenants' app: every tenant has its own notes and tags."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Note(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    tags = models.ManyToManyField(Tag, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["title", "created_at"], name="note_title_created")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="note_title_not_empty")
        ]
