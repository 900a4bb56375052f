"""Web pages (placeholder; the full set is built on the services)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {})


def my_bodies(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {})
