"""tenantry for Django. Add ``"tenantry_django"`` to ``INSTALLED_APPS``.

Nothing is exported from the package itself: each public module states its API in
``__all__``, and every ``_module`` is private to tenantry_django.

Settings (``settings.py`` of the project):

- ``postgresql``: the database backend, ``DATABASES[...]["ENGINE"]`` (wraps
  ``TENANTRY_ORIGINAL_BACKEND``; the search path follows the active tenant).
- ``routers``: ``TenantRouter``, for ``DATABASE_ROUTERS``.
- ``middleware``: ``TenantMiddleware``, for ``MIDDLEWARE``.
- ``conf``: ``get_settings()``, every ``TENANTS``/``TENANTRY_*`` setting, read lazily.

Code:

- ``tenants``: ``get_tenant()``/``activate()``, any tenant by static key or schema name.
- ``models``: the abstract ``TenantModel`` and ``DomainModel``.
- ``routing``: the resolver chain that finds a request's tenant (also for websockets).
- ``schemas``: create, clone and drop schemas; the clone reference.
- ``migration``: the one migration engine (tenant creation, the clone reference,
  ``migrate`` and ``runschema ... migrate``), a schema known by its ``Place``.
- ``pinning``: ``bind()``/``tenant_of()``, the tenant a queryset or an instance is bound to.
- ``urlconfs``: which URLconf (and websocket URLconf) serves a tenant.
- ``signals``: a tenant's life (created, synced, activated, dropped).
- ``errors``: the exceptions raised, each saying what to do.
- ``checks``: the system checks, with their ids.

Tests: ``testing`` (test cases, a tenant-aware client, ready tenants) and ``pytest_plugin``
(the fixtures ``tenant``, ``tenant_factory``, ``tenant_client``; loaded by pytest itself).

``apps`` holds the app config that connects it all when Django is ready.
"""

__all__: list[str] = []
