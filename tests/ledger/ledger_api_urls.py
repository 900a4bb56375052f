"""A test urlconf mounting the ledger's router on an API of its own, as the main API
mounts it (``/api/v1/bodies/{slug}/ledger/...``)."""

from django.urls import path
from ninja import NinjaAPI

from dualpower.api.errors import install
from dualpower.ledger.api import build_router

api = NinjaAPI(urls_namespace="ledger-test")
install(api)
api.add_router("/v1/bodies", build_router())

urlpatterns = [path("api/", api.urls)]
