"""``/api/v1/me``: who you are, your bodies, and your personal access tokens."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from dualpower.accounts import services as accounts
from dualpower.bodies import selectors

from . import schemas as s
from .auth import WRITE, person

router = Router(tags=["me"], auth=WRITE)
PROBLEMS: dict[int, type[s.Problem]] = {c: s.Problem for c in (400, 401, 403, 404, 422)}


@router.get("", response={200: s.MeOut, **PROBLEMS})
def me(request: HttpRequest) -> s.MeOut:
    """You, and the bodies you are in (as a member or an applicant)."""
    me = person(request)
    return s.me_out(me, list(selectors.person_bodies(person=me)))


@router.get("/tokens", response={200: list[s.TokenOut], **PROBLEMS})
def token_list(request: HttpRequest) -> list[s.TokenOut]:
    """Your live tokens (never the tokens themselves: only their prefix)."""
    tokens = person(request).api_tokens.filter(revoked_at__isnull=True).order_by("-created_at")
    return [s.token_out(t) for t in tokens]


@router.post("/tokens", response={201: s.TokenCreatedOut, **PROBLEMS})
def token_create(request: HttpRequest, payload: s.TokenIn) -> Status[s.TokenCreatedOut]:
    """A new token. The answer holds it this once; only its SHA-256 is stored."""
    token, clear = accounts.api_token_create(person=person(request), label=payload.label)
    return Status(201, s.TokenCreatedOut(**s.token_out(token).model_dump(), token=clear))


@router.delete("/tokens/{token_id}", response={204: None, **PROBLEMS})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke a token at once (404 if it is not yours or already revoked)."""
    accounts.api_token_revoke(person=person(request), token_id=token_id)
    return Status(204, None)
