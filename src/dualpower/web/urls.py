from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/bodies/", views.my_bodies, name="my_bodies"),
    path("me/tokens/", views.api_tokens, name="api_tokens"),
    path("me/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("found/", views.body_found, name="body_found"),
    path("bodies/<slug:slug>/", views.body_about, name="body"),
    path("bodies/<slug:slug>/members/", views.body_members, name="body_members"),
    path("bodies/<slug:slug>/charter/", views.body_charter, name="body_charter"),
    path("bodies/<slug:slug>/mandates/", views.body_mandates, name="body_mandates"),
    path("bodies/<slug:slug>/journal/", views.body_journal, name="body_journal"),
    path("bodies/<slug:slug>/journal/verify/", views.journal_verify_view, name="journal_verify"),
    path("bodies/<slug:slug>/invite/", views.body_invite, name="body_invite"),
    path("bodies/<slug:slug>/join/", views.body_join, name="body_join"),
    path("bodies/<slug:slug>/leave/", views.body_leave, name="body_leave"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
