from django.apps import AppConfig


class InventoryConfig(AppConfig):
    """A realistic tenant app for the migrate-fleet benchmark (not in the test settings)."""

    name = "sandbox.inventory"
    label = "inventory"
    default_auto_field = "django.db.models.BigAutoField"
