"""Mounted at ``/api/``: the ninja API, then a problem-JSON 404 for every other path."""

from django.urls import URLPattern, path, re_path

from .errors import not_found, problem_405
from .router import api

# (not named ``app_name``: include() would read it as this module's namespace)
_patterns, _ninja_app, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = problem_405(_pattern.callback)

urlpatterns = [
    # ninja's own root view raises a bare Http404 outside its error handlers; answer
    # problem JSON instead (ninja still reverses its root URL for the schema's paths).
    path("", not_found),
    path("", (_patterns, _ninja_app, _namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
