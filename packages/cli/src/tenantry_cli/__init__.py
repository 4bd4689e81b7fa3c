"""tenantry management commands. Add ``"tenantry_cli"`` to ``INSTALLED_APPS``."""

__all__: list[str] = []
