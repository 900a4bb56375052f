"""The interactive docs at ``/api/docs``: ninja's Swagger UI from its bundled static files.

ninja's ``ninja/swagger.html`` loads ``swagger-ui-bundle.js`` and ``swagger-ui-init.js``
from ``/static/ninja/`` and passes its settings in a ``<script type="application/json">``
data block, which the browser never executes: so the page holds under the
Content-Security-Policy ``default-src 'self'``. This subclass always renders that local
template (ninja falls back to a CDN template when it is not an installed app) and always
hands the page the CSRF token, since session requests need it for unsafe methods.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": json.dumps(settings), "api": api, "add_csrf": True}
        return render(request, self.template, context)
