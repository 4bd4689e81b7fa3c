"""tenantry for Django. Add ``"tenantry_django"`` to ``INSTALLED_APPS``.

The backend, router, middleware and models arrive in their own modules; this package's
public API is what those modules and ``__all__`` export.
"""

__all__: list[str] = []
