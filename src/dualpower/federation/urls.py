from django.urls import path

from . import views

app_name = "federation"
urlpatterns = [path("bodies/<slug:slug>/federation/", views.federation_page, name="page")]
