from __future__ import annotations

import pytest

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import invitation_accept, invitation_create


@pytest.fixture
def trio(assembly: Body, alice: Person, carol: Person) -> Body:
    """The assembly with alice, bob and carol."""
    _, token = invitation_create(body=assembly, by=alice)
    invitation_accept(token=token, person=carol)
    return assembly
