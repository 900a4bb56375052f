"""Security headers that Django 5.2 does not set by itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


class ContentSecurityPolicyMiddleware:
    """Send ``Content-Security-Policy: default-src 'self'`` on every response.

    Every script and style is served by the app itself (no CDN, no inline code), so the
    strict policy holds on every page, the API docs included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class FormErrorStatusMiddleware:
    """Answer 422 to a POST whose form has errors, where the view left it at 200.

    Our own views set the status themselves; this covers views we do not write, such as
    allauth's sign-up, sign-in and password pages, so that bad input anywhere is a 4xx.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_template_response(
        self, request: HttpRequest, response: TemplateResponse
    ) -> TemplateResponse:
        context = response.context_data or {}
        form = context.get("form") if isinstance(context, dict) else None
        if request.method == "POST" and response.status_code == 200 and _has_errors(form):
            response.status_code = 422
        return response


def _has_errors(form: Any) -> bool:
    return isinstance(form, BaseForm) and form.is_bound and bool(form.errors)
