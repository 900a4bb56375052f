"""Every error the API answers is problem JSON (RFC 9457), mapped here once.

::

    DomainError (core/errors.py)   -> its own status: 404, 403, 422, 409, 410
    ninja ValidationError          -> 422, naming each field that failed
    ninja HttpError                -> its status (400 for a body that is not JSON,
                                      401 for a missing or bad token, 403 for CSRF)
    Http404                        -> 404
    anything else (a bug)          -> 500, logged, without a traceback

A problem is ``{"type", "title", "status", "detail"}`` with the media type
``application/problem+json``. It depends only on the error, never on what was asked for,
so a hidden body and a missing one answer byte for byte the same.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dualpower.core.errors import DomainError

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "urn:dualpower:problem:"
MEDIA_TYPE = "application/problem+json"

# The slug in each problem's ``type``: stable, documented in docs/api.md.
_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "not-allowed",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    410: "gone",
    422: "invalid",
    429: "throttled",
    500: "server-error",
}
_TITLES = {
    400: "Bad request",
    401: "Unauthenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    422: "Invalid",
    429: "Too many requests",
    500: "Server error",
}


def problem(status: int, detail: str, *, title: str | None = None, **extra: Any) -> HttpResponse:
    """A problem JSON response with ``status`` and a human-readable ``detail``."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + _SLUGS.get(status, "error"),
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="dualpower"'
    return response


def _where(loc: Any) -> str:
    # ninja prefixes each location with its source and, for a JSON body or a query
    # schema, the parameter's name: ("body", "payload", "name") when the person sent
    # only ``name``. Keep what the person sent: "name", "query.limit", "body".
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"]:
        return ".".join(parts[2:]) or "body"
    if parts[:1] == ["query"] and len(parts) > 2:
        parts = [parts[0], *parts[2:]]
    return ".".join(parts) or "request"


def validation_problem(errors: list[dict[str, Any]]) -> HttpResponse:
    """422 naming every field that failed, in one readable line and as a list."""
    items = [{"field": _where(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in errors]
    detail = "; ".join(f"{i['field']}: {i['message']}" for i in items) or "invalid request"
    return problem(422, detail, errors=items)


def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(exc.status, exc.message, title=exc.title)


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return validation_problem(exc.errors)


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return problem(401, "sign in, or send a valid token as 'Authorization: Bearer dp_...'")
    detail = str(exc)
    if exc.status_code == 400 and detail == "Cannot parse request body":
        detail = "the request body is not valid JSON"
    elif exc.status_code == 403 and "CSRF" in detail:
        detail = "CSRF check failed: send the X-CSRFToken header with the session cookie"
    return problem(exc.status_code, detail)


def _on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "no such resource")


def _on_bug(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return problem(500, "something went wrong on the server; it has been logged")


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api`` (replacing ninja's defaults)."""
    # (the decorator form, since ninja types a handler's argument as "error or class")
    api.exception_handler(DomainError)(_on_domain_error)
    api.exception_handler(ValidationError)(_on_validation_error)
    api.exception_handler(HttpError)(_on_http_error)
    api.exception_handler(Http404)(_on_404)
    api.exception_handler(Exception)(_on_bug)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Catch-all view for any path under /api that names nothing."""
    return problem(404, "no such resource")


def problem_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja path view so that a method it lacks answers problem JSON (ninja's
    own 405 is a plain-text page), keeping the ``Allow`` header."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response["Content-Type"] != MEDIA_TYPE:
            allowed = response.get("Allow", "")
            response = problem(405, f"{request.method} is not allowed here; use {allowed}")
            response["Allow"] = allowed
        return response

    return wrapper
