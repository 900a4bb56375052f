"""Listings through their services: posting, matching, the life of a listing, refusals."""

from __future__ import annotations

import pytest

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body, JournalEntry
from dualpower.core.errors import Conflict, Invalid, NotAllowed, NotFound
from dualpower.decisions.actions import Context, build
from dualpower.ledger.models import Currency
from dualpower.ledger.services import timebank_confirm
from dualpower.listings import selectors, services
from dualpower.listings.models import Listing


def _need(body: Body, by: Person, **kw: object) -> Listing:
    args: dict[str, object] = {
        "kind": "need",
        "title": "Lift to the clinic",
        "category": "Transport",
    }
    args.update(kw)
    return services.listing_create(body=body, by=by, **args)  # type: ignore[arg-type]


def test_a_body_starts_with_the_category_list_of_its_kind(hub: Body, timebank: Body) -> None:
    assert "Groceries" in services.hub_settings(body=hub).categories
    assert "Tutoring" in services.hub_settings(body=timebank).categories


def test_a_listing_goes_open_claimed_in_progress_done(
    hub: Body, bob: Person, carol: Person
) -> None:
    listing = _need(hub, bob)
    assert listing.status == "open" and listing.number == 1
    listing = services.listing_claim(listing=listing, by=carol, contact="07700 900123")
    assert (listing.status, listing.counterpart) == ("claimed", carol)
    listing = services.listing_start(listing=listing, by=bob)
    listing = services.listing_complete(listing=listing, by=carol)
    assert listing.status == "done" and listing.closed_at is not None
    kinds = list(JournalEntry.objects.filter(body=hub).values_list("kind", flat=True))
    assert kinds[-4:] == ["listing.created", "listing.claimed", "listing.started", "listing.done"]


def test_it_refuses_a_category_the_body_does_not_keep(hub: Body, bob: Person) -> None:
    with pytest.raises(Invalid, match="category"):
        _need(hub, bob, category="Bitcoin")
    with pytest.raises(Invalid, match="area"):
        _need(hub, bob, area="Atlantis")


def test_only_members_post_and_claim(hub: Body, bob: Person, dave: Person) -> None:
    with pytest.raises(NotAllowed):
        _need(hub, dave)
    listing = _need(hub, bob, visibility="public")
    with pytest.raises(NotAllowed):
        services.listing_claim(listing=listing, by=dave)
    with pytest.raises(NotAllowed):
        services.listing_claim(listing=listing, by=bob)  # one's own


def test_a_listing_is_claimed_once(hub: Body, bob: Person, carol: Person, alice: Person) -> None:
    listing = _need(hub, bob)
    services.listing_claim(listing=listing, by=carol)
    with pytest.raises(Conflict):
        services.listing_claim(listing=listing, by=alice)


def test_a_members_listing_is_not_found_by_an_outsider(
    hub: Body, bob: Person, dave: Person
) -> None:
    listing = _need(hub, bob, visibility="members")
    with pytest.raises(NotFound):
        selectors.listing_get(body=hub, viewer=dave, number=listing.number)
    with pytest.raises(NotFound):
        services.listing_claim(listing=listing, by=dave)


def test_a_coordinators_listing_is_seen_by_coordinators_and_its_owner_only(
    hub: Body, alice: Person, bob: Person, carol: Person
) -> None:
    listing = _need(hub, bob, visibility="coordinators")
    assert selectors.listing_get(body=hub, viewer=alice, number=1) == listing
    assert selectors.listing_get(body=hub, viewer=bob, number=1) == listing
    with pytest.raises(NotFound):
        selectors.listing_get(body=hub, viewer=carol, number=1)
    assert list(selectors.listing_search(body=hub, viewer=carol)) == []


def test_only_the_owner_withdraws(hub: Body, bob: Person, carol: Person) -> None:
    listing = _need(hub, bob, visibility="public")
    with pytest.raises(NotAllowed):
        services.listing_withdraw(listing=listing, by=carol)
    assert services.listing_withdraw(listing=listing, by=bob).status == "withdrawn"
    with pytest.raises(Conflict):
        services.listing_withdraw(listing=listing, by=bob)


def test_search_filters_by_category_area_urgency_status_and_words(
    hub: Body, bob: Person, carol: Person
) -> None:
    _need(hub, bob, category="Groceries", area="Riverside", urgency="urgent", title="Milk")
    _need(hub, bob, category="Medicine", area="Old Town", title="Inhaler")
    done = _need(hub, bob, category="Groceries", title="Bread")
    services.listing_withdraw(listing=done, by=bob)

    def titles(**kw: str) -> list[str]:
        return [x.title for x in selectors.listing_search(body=hub, viewer=carol, **kw)]

    assert titles(category="Groceries") == ["Milk"]
    assert titles(area="Old Town") == ["Inhaler"]
    assert titles(urgency="urgent") == ["Milk"]
    assert titles(status="withdrawn") == ["Bread"]
    assert titles(status="all", category="Groceries") == ["Bread", "Milk"]
    assert titles(text="inha") == ["Inhaler"]


def test_a_finished_time_bank_exchange_settles_in_the_ledger(
    timebank: Body, hours: Currency, bob: Person, carol: Person
) -> None:
    offer = services.listing_create(
        body=timebank, by=bob, kind="offer", title="Fix a bike", category="Repairs", hours=150
    )
    services.listing_claim(listing=offer, by=carol)
    with pytest.raises(NotAllowed, match="Bob gave the hours"):
        services.listing_complete(listing=offer, by=carol)
    done = services.listing_complete(listing=offer, by=bob)
    assert done.settlement is not None
    record = done.settlement
    assert (record.amount, record.status, record.to_account.person) == (150, "pending", bob)
    assert "Listing #1" in record.memo
    assert timebank_confirm(body=timebank, record=record, by=carol).status == "applied"


def test_the_hub_settings_change_by_a_decision_action(hub: Body) -> None:
    action = build(
        {"name": "listings_settings", "params": {"categories": ["Food"], "retention_days": 7}}
    )
    action.apply(Context(body=hub, decision="decision #4"))
    hub_settings = services.hub_settings(body=hub)
    assert (hub_settings.categories, hub_settings.retention_days) == (["Food"], 7)
    with pytest.raises(Invalid):
        build({"name": "listings_settings", "params": {"retention_days": -1}})


def test_volunteers_are_ranked_by_category_area_and_load(
    hub: Body, alice: Person, bob: Person, carol: Person
) -> None:
    services.listing_create(
        body=hub, by=carol, kind="offer", title="Shopping runs", category="Groceries",
        area="Riverside", when="weekends",
    )  # fmt: skip
    need = _need(hub, bob, category="Groceries", area="Riverside")
    ranked = selectors.volunteers_ranked(listing=need)
    assert ranked[0].person == carol and ranked[0].score == 6
    assert bob not in [c.person for c in ranked]


def test_the_settings_action_is_checked_before_the_vote(hub: Body, assembly: Body) -> None:
    action = build({"name": "listings_settings", "params": {"intake_fields": ["shoe size"]}})
    with pytest.raises(Invalid, match="unknown intake fields"):
        action.check(Context(body=hub, decision="draft"))
    with pytest.raises(Invalid, match="keeps no listings"):
        build({"name": "listings_settings", "params": {}}).check(
            Context(body=assembly, decision="draft")
        )


def test_the_listings_tab_shows_where_the_charter_keeps_listings(
    hub: Body, assembly: Body, dave: Person
) -> None:
    from django.template import Context as TemplateContext
    from django.template import Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = dave
    tab = Template("{% load listings_web %}{% listings_tab %}")
    assert "Offers and needs" in tab.render(TemplateContext({"body": hub, "request": request}))
    assert tab.render(TemplateContext({"body": assembly, "request": request})).strip() == ""
