from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "dualpower.listings"
    label = "listings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the hub-settings action with the decisions engine.
        from . import actions  # noqa: F401
