"""The API: ``/api/v1/...``, OpenAPI schema at ``/api/openapi.json``, docs at ``/api/docs``.

The docs page is ninja's Swagger UI, served from ninja's own static files (see
``docs.py``), so it works under the Content-Security-Policy ``default-src 'self'``.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from . import bodies, errors, me
from .docs import LocalSwagger
from .errors import MEDIA_TYPE

DESCRIPTION = """\
The dualpower API. Authenticate with a personal access token
(`Authorization: Bearer dp_...`, created at `POST /api/v1/me/tokens` or on the web page
*API tokens*) or with the session cookie of a signed-in browser (then unsafe methods need
the `X-CSRFToken` header). Public reads need no authentication.

Every error is problem JSON (RFC 9457): `type`, `title`, `status`, `detail`. A body you
may not see answers 404 exactly like a body that does not exist.
"""


class DualpowerAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short, stable ids (``body_list``, ``token_create``) for generated clients.
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Errors are sent as application/problem+json (see errors.py); say so.
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation["responses"].items():
                    if int(status) >= 400 and "application/json" in response.get("content", {}):
                        response["content"] = {MEDIA_TYPE: response["content"]["application/json"]}
        return schema


api = DualpowerAPI(
    title="dualpower",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=LocalSwagger(),
)
errors.install(api)
api.add_router("/v1/bodies", bodies.router)
api.add_router("/v1/invitations", bodies.invitations)
api.add_router("/v1/me", me.router)

# Routers of the other apps, each thin over its own services (mounted by the lead).
from dualpower.decisions.api import router as decisions_router  # noqa: E402
from dualpower.notifications.api import router as notifications_router  # noqa: E402

api.add_router("/v1/bodies", decisions_router)
api.add_router("/v1/me/notifications", notifications_router)
from dualpower.federation.api import router as federation_router  # noqa: E402

api.add_router("/v1/bodies", federation_router)
from dualpower.listings.api import router as listings_router  # noqa: E402

api.add_router("/v1/bodies", listings_router)
from dualpower.ledger.api import router as ledger_router  # noqa: E402

api.add_router("/v1/bodies", ledger_router)
