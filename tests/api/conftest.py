"""API test helpers: a JSON client per person, authenticated by a personal access token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _api_support import Api

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create


@pytest.fixture
def as_person(db: None) -> Callable[[Person], Api]:
    def make(person: Person) -> Api:
        _, clear = api_token_create(person=person, label="tests")
        return Api(clear)

    return make


@pytest.fixture
def anon(db: None) -> Api:
    return Api()


@pytest.fixture
def as_alice(alice: Person, as_person: Callable[[Person], Api]) -> Api:
    return as_person(alice)


@pytest.fixture
def as_bob(bob: Person, as_person: Callable[[Person], Api]) -> Api:
    return as_person(bob)


@pytest.fixture
def as_carol(carol: Person, as_person: Callable[[Person], Api]) -> Api:
    return as_person(carol)


@pytest.fixture
def as_dave(dave: Person, as_person: Callable[[Person], Api]) -> Api:
    return as_person(dave)
