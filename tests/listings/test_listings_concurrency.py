"""Listings posted at one instant in one body each get a number of their own (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.listings import services
from dualpower.listings.models import Listing

THREADS = 4
EACH = 3

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers itself; the race is PostgreSQL's",
    ),
]


def test_listings_posted_at_once_in_one_body_all_succeed_with_distinct_numbers(
    hub: Body, bob: Person, carol: Person
) -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def post(n: int) -> None:
        try:
            barrier.wait()
            for i in range(EACH):
                if n % 2:
                    services.help_request_create(
                        body=hub, client_address=f"10.0.0.{n}", description=f"Meals {n}-{i}",
                        category="Meals", contact={"name": "Yara", "phone": "555 0101"},
                    )  # fmt: skip
                else:
                    services.listing_create(
                        body=hub, by=bob if n % 4 else carol, kind="offer",
                        title=f"Soup {n}-{i}", category="Meals",
                    )  # fmt: skip
        except BaseException as e:  # anything at all fails the test, reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Listing.objects.filter(body=hub).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS * EACH + 1))
