"""List pages run a bounded number of queries, however long the list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from web_helpers import signed_in

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create, person_create
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, body_join

pytestmark = pytest.mark.django_db


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(n: int, founder: Person) -> None:
    start = Body.objects.count()
    for i in range(start, start + n):
        body = body_found(founder=founder, name=f"Assembly {i}", kind="assembly")
        body_join(body=body, person=person_create(email=f"p{i}@example.org", password="x"))


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_the_home_page_does_not_query_per_body(client: Client, alice: Person, who: str) -> None:
    if who == "member":
        signed_in(client, alice)
    _grow(2, alice)
    few = _count(client, "/")
    _grow(10, alice)
    assert _count(client, "/") == few


def test_my_bodies_does_not_query_per_body(client: Client, alice: Person) -> None:
    signed_in(client, alice)
    _grow(2, alice)
    few = _count(client, "/me/bodies/")
    _grow(10, alice)
    assert _count(client, "/me/bodies/") == few


@pytest.mark.parametrize("tab", ["members/", "journal/", "mandates/", "charter/"])
def test_the_body_tabs_do_not_query_per_row(
    client: Client, alice: Person, assembly: Body, tab: str
) -> None:
    signed_in(client, alice)
    few = _count(client, f"/bodies/{assembly.slug}/{tab}")
    for i in range(10):
        body_join(body=assembly, person=person_create(email=f"m{i}@example.org", password="x"))
    assert _count(client, f"/bodies/{assembly.slug}/{tab}") == few


def test_the_token_list_does_not_query_per_token(client: Client, alice: Person) -> None:
    signed_in(client, alice)
    api_token_create(person=alice, label="one")
    few = _count(client, "/me/tokens/")
    for i in range(10):
        api_token_create(person=alice, label=f"t{i}")
    assert _count(client, "/me/tokens/") == few


@pytest.mark.parametrize("url", ["/", "/me/bodies/"])
def test_list_pages_stay_within_a_small_budget(
    client: Client,
    alice: Person,
    assembly: Body,
    union: Body,
    caucus: Body,
    django_assert_max_num_queries: Callable[[int], object],
    url: str,
) -> None:
    signed_in(client, alice)
    with django_assert_max_num_queries(12):  # type: ignore[attr-defined]
        assert client.get(url).status_code == 200
