"""The tenant app both peer projects install in every tenant schema."""

from django.db import models


class Note(models.Model):
    title = models.CharField(max_length=100)
