"""Tenant-aware cache keys for Django's cache framework."""

__all__: list[str] = []
