from django.urls import path

from . import views

app_name = "listings"
P = "bodies/<slug:slug>/listings/"
urlpatterns = [
    path(P, views.listing_list, name="list"),
    path(f"{P}new/", views.listing_new, name="new"),
    path(f"{P}queue/", views.intake_queue, name="queue"),
    path(f"{P}audit/", views.contact_audit, name="audit"),
    path(f"{P}dashboard/", views.dashboard, name="dashboard"),
    path(f"{P}<int:number>/", views.listing_detail, name="detail"),
    path(f"{P}<int:number>/contact/", views.requester_contact, name="contact"),
    path(f"{P}<int:number>/<slug:step>/", views.listing_step, name="step"),
    path("bodies/<slug:slug>/help/", views.help_form, name="help"),
    path("help/<str:token>/", views.help_follow_up, name="follow_up"),
]
