from django.urls import path

from . import views

app_name = "federation"
urlpatterns = [
    path("bodies/<slug:slug>/federation/", views.federation_page, name="page"),
    path(
        "bodies/<slug:slug>/federation/proposals/<int:number>/delegate-vote/",
        views.delegate_vote,
        name="delegate_vote",
    ),
]
