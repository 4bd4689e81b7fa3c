"""The ``tenantry_django.postgresql`` database engine (wraps ``TENANTRY_ORIGINAL_BACKEND``)."""
