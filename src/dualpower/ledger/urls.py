from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("bodies/<slug:slug>/ledger/", views.overview, name="overview"),
    path(
        "bodies/<slug:slug>/ledger/records/<int:pk>/confirm/",
        views.record_answer,
        {"answer": "confirm"},
        name="record_confirm",
    ),
    path(
        "bodies/<slug:slug>/ledger/records/<int:pk>/decline/",
        views.record_answer,
        {"answer": "decline"},
        name="record_decline",
    ),
    path(
        "bodies/<slug:slug>/ledger/records/<int:pk>/withdraw/",
        views.record_withdraw,
        name="record_withdraw",
    ),
    path("bodies/<slug:slug>/ledger/<slug:code>/", views.currency_page, name="currency"),
    path("bodies/<slug:slug>/ledger/<slug:code>/pay/", views.pay, name="pay"),
    path("bodies/<slug:slug>/ledger/<slug:code>/hours/", views.hours, name="hours"),
    path("bodies/<slug:slug>/ledger/<slug:code>/external/", views.external, name="external"),
    path(
        "bodies/<slug:slug>/ledger/<slug:code>/transfers/<int:pk>/dispute/",
        views.dispute,
        name="dispute",
    ),
    path("bodies/<slug:slug>/ledger/<slug:code>/statement/", views.statement, name="statement"),
    path(
        "bodies/<slug:slug>/ledger/<slug:code>/statement.csv",
        views.statement,
        {"csv": True},
        name="statement_csv",
    ),
    path(
        "bodies/<slug:slug>/ledger/<slug:code>/statement/<int:person_id>/",
        views.statement,
        name="statement_of",
    ),
    path(
        "bodies/<slug:slug>/ledger/<slug:code>/statement/<int:person_id>.csv",
        views.statement,
        {"csv": True},
        name="statement_of_csv",
    ),
]
