"""Writes about people: sign-up helpers and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from dualpower.core.errors import Invalid, NotFound

from .models import ApiToken, Person

TOKEN_PREFIX = "dp_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def person_create(
    *, email: str, password: str, display_name: str = "", verified: bool = False
) -> Person:
    """Create a person (used by the demo, the CLI and tests; the web goes through allauth)."""
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    if not email or "@" not in email:
        raise Invalid("an e-mail address is needed")
    if Person.objects.filter(email=email).exists():
        raise Invalid(f"{email} already has an account")
    person = Person.objects.create_user(email, password, display_name=display_name)
    EmailAddress.objects.create(user=person, email=email, primary=True, verified=verified)
    return person


def api_token_create(*, person: Person, label: str) -> tuple[ApiToken, str]:
    """Create a token; return it with the clear text, which is never stored."""
    label = label.strip()
    if not label or len(label) > 100:
        raise Invalid("a token needs a label of 1 to 100 characters")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        person=person, label=label, prefix=clear[:10], digest=token_digest(clear)
    )
    return token, clear


def api_token_revoke(*, person: Person, token_id: int) -> None:
    updated = ApiToken.objects.filter(person=person, pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound("no such token")


def api_token_authenticate(*, clear: str) -> Person | None:
    token = (
        ApiToken.objects.select_related("person")
        .filter(digest=token_digest(clear), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.person.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.person
