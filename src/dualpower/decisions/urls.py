from django.urls import path

from . import views

app_name = "decisions"
P = "bodies/<slug:slug>/proposals/<int:number>/"
urlpatterns = [
    path("bodies/<slug:slug>/proposals/", views.proposal_list, name="list"),
    path("bodies/<slug:slug>/proposals/new/", views.proposal_new, name="new"),
    path(P, views.proposal_detail, name="detail"),
    path(P + "result/", views.proposal_result, name="result"),
    path(P + "ballots.blt", views.ballots_blt, name="blt"),
    path(P + "cosign/", views.proposal_cosign, name="cosign"),
    path(P + "open/", views.proposal_open, name="open"),
    path(P + "withdraw/", views.proposal_withdraw, name="withdraw"),
    path(P + "stand/", views.candidacy_stand, name="stand"),
    path(P + "comments/", views.comment_post, name="comment"),
    path(P + "amendments/", views.amendment_post, name="amend"),
    path(P + "amendments/<int:pk>/decide/", views.amendment_decide, name="amendment_decide"),
    path(P + "ballot/", views.ballot_post, name="ballot"),
]
