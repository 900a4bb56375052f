"""Who is asking: a personal access token, the session cookie, or nobody.

Reads accept all three (``READ``); writes need a person (``WRITE``). A request that sends
an ``Authorization`` header gets exactly what the header says: a bad, revoked or
malformed token answers 401 and never falls back to the session or to anonymous access.
Session requests with an unsafe method need Django's CSRF token (ninja's ``django_auth``,
asked only once a session is signed in, so that an anonymous POST answers 401, not a CSRF
403); token requests do not, since a browser never attaches a token by itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from dualpower.accounts.models import Person
from dualpower.accounts.services import TOKEN_PREFIX, api_token_authenticate


class BearerToken(HttpBearer):
    """``Authorization: Bearer dp_...``, a personal access token (stored hashed)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if not header:
            return None  # let the session or anonymous access answer
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError()
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Person:
        person = api_token_authenticate(clear=token) if token.startswith(TOKEN_PREFIX) else None
        if person is None:
            raise AuthenticationError()
        return person


class SessionCookie(SessionAuth):
    """Django's session cookie, with its CSRF check for unsafe methods."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


def anonymous(request: HttpRequest) -> AnonymousUser:
    """The last resort of reads: nobody in particular (public data only)."""
    return AnonymousUser()


bearer_token = BearerToken()
session_cookie = SessionCookie()
WRITE: list[Any] = [bearer_token, session_cookie]
READ: list[Any] = [bearer_token, session_cookie, anonymous]
# In the schema, a read also accepts no credentials at all: the empty requirement, which
# ninja appends to the two schemes it lists from ``READ``.
_ANYONE: dict[str, Any] = {"security": [{}]}
READS: dict[str, Any] = {"auth": READ, "openapi_extra": _ANYONE}
WRITES: dict[str, Any] = {"auth": WRITE}


def person_or_none(request: HttpRequest) -> Person | None:
    """The person behind a request that passed ``READ`` or ``WRITE``, or None."""
    who = getattr(request, "auth", None)
    return who if isinstance(who, Person) else None


def person(request: HttpRequest) -> Person:
    """The person behind a request that passed ``WRITE``."""
    who = person_or_none(request)
    if who is None:  # only reachable if an operation forgot auth=WRITE
        raise AuthenticationError()
    return who
