from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "dualpower.ledger"
    label = "ledger"
    verbose_name = "Ledger"
