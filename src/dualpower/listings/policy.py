"""Who may see or do what with listings: combinations of ``bodies.policy`` answers only.

==========================  ==================================================================
the hub                     a body whose charter lists the ``listings`` module; seen by
                            whoever may read the body (``body.read``)
see a listing               its owner and counterpart; else ``public``: whoever reads the
                            body; ``members``: members; ``coordinators``: ``aid.triage``
post, claim, answer         members (not one's own listing)
coordinate                  holders of a mandate naming ``aid.triage``
see a requester's contact   coordinators and the volunteer the request was dispatched to
see a listing's contacts    its two sides, once matched
audit contact views         members
==========================  ==================================================================
"""

from __future__ import annotations

from typing import Any

from dualpower.bodies import policy
from dualpower.bodies.models import Body
from dualpower.core.errors import NotFound

from .models import HelpRequest, Listing

TRIAGE = "aid.triage"


def hub_for(person: Any, slug: str) -> Body:
    """The body ``slug`` if it keeps listings and ``person`` may read it; else NotFound."""
    body = policy.body_for(person, slug, "body.read")
    if "listings" not in body.charter.modules:
        raise NotFound("no such body")
    return body


def _is(person: Any, person_id: int | None) -> bool:
    return person_id is not None and getattr(person, "pk", None) == person_id


def is_side(person: Any, listing: Listing) -> bool:
    return _is(person, listing.owner_id) or _is(person, listing.counterpart_id)


def may_coordinate(person: Any, body: Body) -> bool:
    return policy.can(person, TRIAGE, body)


def may_post(person: Any, body: Body) -> bool:
    return policy.is_member(person, body)


def may_see(person: Any, listing: Listing) -> bool:
    body = listing.body
    if is_side(person, listing):
        return True
    if listing.visibility == Listing.Visibility.PUBLIC:
        return policy.can(person, "body.read", body)
    if listing.visibility == Listing.Visibility.MEMBERS:
        return policy.is_member(person, body)
    return may_coordinate(person, body)


def may_claim(person: Any, listing: Listing) -> bool:
    return (
        may_see(person, listing)
        and policy.is_member(person, listing.body)
        and not _is(person, listing.owner_id)
        and listing.visibility != Listing.Visibility.COORDINATORS
    )


def may_see_contacts(person: Any, listing: Listing) -> bool:
    return listing.matched and is_side(person, listing)


def may_see_requester(person: Any, request: HelpRequest) -> bool:
    listing = request.listing
    if may_coordinate(person, request.body):
        return True
    return listing.matched and _is(person, listing.counterpart_id)


def may_audit(person: Any, body: Body) -> bool:
    return policy.is_member(person, body)
