from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "dualpower.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from dualpower.bodies.services import ON_FOUNDED

        from . import actions  # registers transfer, limit_set, currency_create

        if actions.open_starter_ledger not in ON_FOUNDED:
            ON_FOUNDED.append(actions.open_starter_ledger)
