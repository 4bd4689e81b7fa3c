"""tenantry for Django Channels: tenant-aware websocket routing."""

__all__: list[str] = []
