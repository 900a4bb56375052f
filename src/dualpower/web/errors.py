"""How the web shows a DomainError: a message on the page, with the error's status.

Views raise (or let services raise) errors from ``core/errors.py``; ``domain_errors``
turns each into the error page, or into the ``_error.html`` partial for htmx requests, so
no view repeats the mapping and no bad request becomes a 500.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dualpower.core.errors import DomainError

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def is_htmx(request: HttpRequest) -> bool:
    """True for a request made by htmx (django-htmx sets ``request.htmx``)."""
    return bool(getattr(request, "htmx", False))


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    # The page depends only on the error, never on what was asked for, so a hidden body
    # and a missing one answer byte for byte the same.
    template = "web/_error.html" if is_htmx(request) else "web/error.html"
    context = {"title": error.title, "message": error.message, "status": error.status}
    return render(request, template, context, status=error.status)


def domain_errors(view: View[P]) -> View[P]:
    """Decorate a view so that any DomainError it raises becomes a clear 4xx page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return error_response(request, error)

    return wrapper
