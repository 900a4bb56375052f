from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "dualpower.federation"
    label = "federation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Federation plugs into the decisions engine through its hooks; the engine does
        # not know about federations.
        from . import hooks

        hooks.install()
