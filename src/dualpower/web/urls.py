from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/bodies/", views.my_bodies, name="my_bodies"),
]
