"""Fixtures of the web tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from web_helpers import signed_in

from dualpower.accounts.models import Person


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # People are created in almost every test; PBKDF2's many rounds would dominate.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def as_alice(client: Client, alice: Person) -> Iterator[Client]:
    yield signed_in(client, alice)
