from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("me/notifications/", views.notification_page, name="list"),
    path("me/notifications/read/", views.notification_mark_read, name="mark_read"),
    path("me/notifications/<slug:slug>/", views.notification_preference, name="preference"),
]
