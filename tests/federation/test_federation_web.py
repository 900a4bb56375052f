from __future__ import annotations

from django.test import Client
from test_delegates import _delegate, _join
from test_federation import _assembly, _decide, _fast

from dualpower.accounts.models import Person
from dualpower.bodies.services import body_found


def _page(person: Person | None, path: str) -> tuple[int, str]:
    client = Client()
    if person is not None:
        client.force_login(person)
    response = client.get(path)
    return response.status_code, response.content.decode()


def test_the_federation_page_shows_member_bodies_progress_and_waiting_ratifications(
    alice: Person, bob: Person, dave: Person
) -> None:
    council = _fast(body_found(founder=alice, name="Council", kind="federation"))
    east = _assembly("East", bob)
    _join(council, alice, east, bob)
    _delegate(east, bob)
    _decide(
        council,
        alice,
        title="Share the tool library",
        actions=[{"name": "resolution", "params": {"text": "x"}}],
    )
    status, html = _page(alice, f"/bodies/{council.slug}/federation/")
    assert status == 200
    assert "East" in html and "Share the tool library" in html and "Not yet decided" in html
    assert "Bob" not in html  # alice may not see East's mandates
    status, html = _page(bob, f"/bodies/{east.slug}/federation/")
    assert "Ratify for Council: Share the tool library" in html
    status, html = _page(dave, f"/bodies/{east.slug}/federation/")
    assert status == 200 and "Ratify for Council" not in html  # outsiders see no decisions


def test_a_hidden_body_has_no_federation_page_for_outsiders(alice: Person, dave: Person) -> None:
    hidden = body_found(founder=alice, name="Quiet", kind="federation", visibility="hidden")
    status, _ = _page(dave, f"/bodies/{hidden.slug}/federation/")
    missing, _ = _page(dave, "/bodies/no-such-body/federation/")
    assert status == missing == 404


def test_a_delegate_votes_for_their_body_on_the_federation_page(
    alice: Person, bob: Person, dave: Person
) -> None:
    from test_delegates import _open

    from dualpower.federation.models import DelegateVote

    council = _fast(body_found(founder=alice, name="Council", kind="federation"), mode="delegates")
    east = _assembly("East", bob)
    _join(council, alice, east, bob)
    _delegate(east, bob)
    proposal = _open(council, alice, [{"name": "resolution", "params": {"text": "x"}}])
    status, html = _page(bob, f"/bodies/{council.slug}/federation/")
    assert status == 200 and "Vote for East" in html
    client = Client()
    client.force_login(bob)
    url = f"/bodies/{council.slug}/federation/proposals/{proposal.number}/delegate-vote/"
    assert client.post(url, {"member": east.slug, "choice": "yes"}).status_code == 302
    assert DelegateVote.objects.get(federation_proposal=proposal).choice == "yes"
    outsider = Client()
    outsider.force_login(dave)
    assert outsider.post(url, {"member": east.slug, "choice": "no"}).status_code == 403
    assert "Vote for East" not in _page(dave, f"/bodies/{council.slug}/federation/")[1]


def test_a_federation_proposal_page_says_who_decides_instead_of_offering_a_ballot(
    alice: Person, bob: Person
) -> None:
    council = _fast(body_found(founder=alice, name="Council", kind="federation"))
    east = _assembly("East", bob)
    _join(council, alice, east, bob)
    proposal = _decide(
        council,
        alice,
        title="Share tools",
        actions=[{"name": "resolution", "params": {"text": "x"}}],
    )
    status, html = _page(alice, f"/bodies/{council.slug}/proposals/{proposal.number}/")
    assert status == 200
    assert "ratification of its member bodies" in html
    assert 'name="choice"' not in html
