"""Top-level URLs: the web pages, allauth's account pages and the API."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("api/", include("dualpower.api.urls")),
    path("", include("dualpower.ledger.urls")),
    path("", include("dualpower.notifications.urls")),
    path("", include("dualpower.decisions.urls")),
    path("", include("dualpower.federation.urls")),
    path("", include("dualpower.listings.urls")),
    path("", include("dualpower.web.urls")),
]
