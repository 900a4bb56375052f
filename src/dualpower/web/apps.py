from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dualpower.web"
    label = "web"
