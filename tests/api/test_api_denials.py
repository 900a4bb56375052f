"""Every denial: a read one may not make answers 404, byte for byte like a missing body;
a write without a person answers 401; a write one may not make answers 403 or 409."""

from __future__ import annotations

import pytest
from _api_support import Api, problem

from dualpower.accounts.models import Person
from dualpower.bodies import services
from dualpower.bodies.models import Body, Membership


def same_as_missing(api: Api, path: str, missing: str) -> None:
    """``path`` answers exactly what ``missing`` (a body that does not exist) answers."""
    denied, absent = api.get(path), api.get(missing)
    problem(denied, 404)
    assert denied.content == absent.content
    assert denied["Content-Type"] == absent["Content-Type"]
    assert dict(denied.headers) == dict(absent.headers)


@pytest.mark.parametrize("tab", ["/members", "/journal"])
def test_a_non_member_cannot_read_a_members_only_list(
    as_dave: Api, anon: Api, assembly: Body, tab: str
) -> None:
    for api in (as_dave, anon):
        same_as_missing(api, f"/bodies/eastside-assembly{tab}", f"/bodies/nowhere{tab}")


@pytest.mark.parametrize("tab", ["/members", "/journal", "/mandates"])
def test_a_non_member_cannot_read_the_union_members(
    as_dave: Api, anon: Api, union: Body, tab: str
) -> None:
    for api in (as_dave, anon):
        same_as_missing(api, f"/bodies/tenants-union{tab}", f"/bodies/nowhere{tab}")


@pytest.mark.parametrize("tab", ["/members", "/journal"])
def test_bob_without_members_view_cannot_read_the_union_members(
    as_bob: Api, union: Body, tab: str
) -> None:
    same_as_missing(as_bob, f"/bodies/tenants-union{tab}", f"/bodies/nowhere{tab}")


def test_bob_with_a_mandate_naming_members_view_reads_them(
    as_bob: Api, bob: Person, union: Body
) -> None:
    services.mandate_grant(
        body=union,
        holder=bob,
        role="Secretary",
        powers=["members.view"],
        term_days=30,
        granted_by="decision 1",
    )
    assert as_bob.get("/bodies/tenants-union/members").status_code == 200


@pytest.mark.parametrize(
    "tab", ["", "/members", "/charter", "/charter/versions", "/mandates", "/journal"]
)
def test_a_hidden_body_does_not_exist_for_outsiders(
    as_dave: Api, anon: Api, caucus: Body, tab: str
) -> None:
    for api in (as_dave, anon):
        same_as_missing(api, f"/bodies/left-caucus{tab}", f"/bodies/nowhere{tab}")


def test_a_hidden_body_is_left_out_of_outsiders_lists(as_dave: Api, caucus: Body) -> None:
    assert as_dave.get("/bodies").json()["count"] == 0


def test_members_of_a_hidden_body_see_it(as_bob: Api, caucus: Body) -> None:
    assert as_bob.get("/bodies/left-caucus/members").status_code == 200


def test_a_members_only_body_hides_its_charter_from_outsiders(as_dave: Api, alice: Person) -> None:
    services.body_found(founder=alice, name="Credit Circle", kind="credit_network")
    assert as_dave.get("/bodies/credit-circle").status_code == 200
    same_as_missing(as_dave, "/bodies/credit-circle/charter", "/bodies/nowhere/charter")
    same_as_missing(as_dave, "/bodies/credit-circle/mandates", "/bodies/nowhere/mandates")


def test_a_former_member_loses_the_member_list(as_bob: Api, bob: Person, assembly: Body) -> None:
    services.membership_leave(body=assembly, person=bob)
    same_as_missing(as_bob, "/bodies/eastside-assembly/members", "/bodies/nowhere/members")


def test_a_missing_charter_version_is_404(anon: Api, assembly: Body) -> None:
    body = problem(anon.get("/bodies/eastside-assembly/charter", version=9), 404)
    assert "version 9" in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/bodies",
        "/bodies/eastside-assembly/join",
        "/bodies/eastside-assembly/leave",
        "/bodies/eastside-assembly/invitations",
        "/bodies/eastside-assembly/journal/verify",
        "/invitations/some-token/accept",
        "/me/tokens",
    ],
)
def test_anonymous_cannot_post(anon: Api, assembly: Body, path: str) -> None:
    before = Membership.objects.count(), Body.objects.count()
    body = problem(anon.post(path, {"name": "X", "kind": "assembly", "label": "x"}), 401)
    assert "Bearer" in body["detail"]
    assert (Membership.objects.count(), Body.objects.count()) == before


@pytest.mark.parametrize("path", ["/me", "/me/tokens"])
def test_anonymous_has_no_me(anon: Api, path: str) -> None:
    response = anon.get(path)
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_non_member_may_not_invite(as_dave: Api, assembly: Body) -> None:
    body = problem(as_dave.post("/bodies/eastside-assembly/invitations"), 403)
    assert "may not invite" in body["detail"]


def test_outsiders_cannot_join_an_invitation_only_body(as_dave: Api, union: Body) -> None:
    body = problem(as_dave.post("/bodies/tenants-union/join"), 403)
    assert "invitation" in body["detail"]


def test_nobody_joins_a_hidden_body_they_cannot_see(as_dave: Api, caucus: Body) -> None:
    same_post = as_dave.post("/bodies/left-caucus/join"), as_dave.post("/bodies/nowhere/join")
    assert problem(same_post[0], 404) == problem(same_post[1], 404)


def test_a_member_cannot_join_twice(as_bob: Api, assembly: Body) -> None:
    problem(as_bob.post("/bodies/eastside-assembly/join"), 409)


def test_a_non_member_cannot_leave(as_dave: Api, assembly: Body) -> None:
    problem(as_dave.post("/bodies/eastside-assembly/leave"), 409)


def test_outsiders_cannot_verify_a_journal_they_may_not_read(as_dave: Api, union: Body) -> None:
    problem(as_dave.post("/bodies/tenants-union/journal/verify"), 404)


def test_charter_version_zero_does_not_exist(anon: Api, assembly: Body) -> None:
    problem(anon.get("/bodies/eastside-assembly/charter", version=0), 404)
