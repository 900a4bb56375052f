from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dualpower.api"
    label = "api"
