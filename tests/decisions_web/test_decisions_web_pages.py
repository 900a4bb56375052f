"""The proposal pages: list, new proposal with its action builders, the proposal page
with its co-signing, opening, withdrawing, comments and amendments."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, body_join, mandate_grant
from dualpower.decisions.models import Amendment, Comment, Cosignature, Proposal
from dualpower.decisions.services import comment_add, proposal_create, proposal_open

pytestmark = pytest.mark.django_db
Page = Callable[[Client, str], str]


def _new(client: Client, body: Body, **fields: Any) -> Any:
    data = {"title": "Rename us", "text": "", "decision_kind": "general", "action": ""}
    return client.post(f"/bodies/{body.slug}/proposals/new/", data | fields)


def test_the_list_shows_the_proposals_and_filters_open_and_closed(
    client: Client, trio: Body, alice: Person, page: Page, voting: Any, close: Any
) -> None:
    proposal_create(body=trio, author=alice, title="A draft idea")
    close(voting(trio, alice, title="An old question"))
    client.force_login(alice)
    html = page(client, f"/bodies/{trio.slug}/proposals/")
    assert "A draft idea" in html and "An old question" in html
    assert 'aria-current="page">Proposals</a>' in html
    assert "Did not pass" in html
    assert "An old question" not in page(client, f"/bodies/{trio.slug}/proposals/?show=open")
    closed = page(client, f"/bodies/{trio.slug}/proposals/?show=closed")
    assert "An old question" in closed and "A draft idea" not in closed


def test_the_body_tabs_link_to_the_proposals_for_members_only(
    client: Client, trio: Body, alice: Person, dave: Person
) -> None:
    client.force_login(alice)
    assert (
        f'href="/bodies/{trio.slug}/proposals/"'
        in client.get(f"/bodies/{trio.slug}/").content.decode()
    )
    client.force_login(dave)
    assert "/proposals/" not in client.get(f"/bodies/{trio.slug}/").content.decode()


def test_the_list_page_takes_a_bounded_number_of_queries(
    client: Client, trio: Body, alice: Person, django_assert_max_num_queries: Any
) -> None:
    client.force_login(alice)
    for n in range(3):
        proposal_create(body=trio, author=alice, title=f"Idea {n}")
    client.get(f"/bodies/{trio.slug}/proposals/")  # warm caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/bodies/{trio.slug}/proposals/")
    for n in range(20):
        proposal_create(body=trio, author=alice, title=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/bodies/{trio.slug}/proposals/").status_code == 200
    assert len(many) == len(few) <= 15


def test_a_member_writes_a_proposal_that_renames_the_body(
    client: Client, trio: Body, alice: Person, page: Page
) -> None:
    client.force_login(alice)
    html = page(client, f"/bodies/{trio.slug}/proposals/new/")
    assert "Change the body&#x27;s profile" in html or "Change the body's profile" in html
    response = _new(
        client, trio, action="change_profile", profile_name="Eastside Popular Assembly",
        text="We are *more* than a meeting.",
    )  # fmt: skip
    proposal = Proposal.objects.get(body=trio)
    assert response.status_code == 302 and response["Location"] == proposal.path
    assert proposal.actions[0]["name"] == "change_profile"
    assert proposal.actions[0]["params"]["name"] == "Eastside Popular Assembly"
    html = page(client, proposal.path)
    assert "Rename the body to “Eastside Popular Assembly”" in html
    assert "<em>more</em>" in html
    assert "Open the proposal" in html and "Withdraw" in html


def test_a_bad_proposal_is_refused_with_422_naming_the_problem(
    client: Client, trio: Body, alice: Person
) -> None:
    client.force_login(alice)
    response = _new(client, trio, title="")
    assert response.status_code == 422
    response = _new(client, trio, action="amend_charter", charter_rules="{not json")
    assert response.status_code == 422 and "Not valid JSON" in response.content.decode()
    response = _new(client, trio, action="amend_charter", charter_rules='{"visibility": "secret"}')
    assert response.status_code == 422
    response = _new(client, trio, action="admit_member")
    assert response.status_code == 422 and "Choose the applicant" in response.content.decode()
    response = _new(client, trio, options="Only one")
    assert response.status_code == 422 and "takes no options" in response.content.decode()
    assert not Proposal.objects.exists()


def test_the_charter_builder_is_prefilled_and_the_page_shows_a_diff(
    client: Client, trio: Body, alice: Person, page: Page
) -> None:
    client.force_login(alice)
    html = page(client, f"/bodies/{trio.slug}/proposals/new/")
    assert "&quot;admission&quot;: &quot;open&quot;" in html
    rules = trio.charter.model_dump(mode="json") | {"admission": "invitation"}
    _new(client, trio, action="amend_charter", charter_rules=json.dumps(rules))
    proposal = Proposal.objects.get(body=trio)
    assert proposal.decision_kind == "amend_charter"
    html = page(client, proposal.path)
    assert '<span class="diff__del">-  &quot;admission&quot;: &quot;open&quot;,</span>' in html
    assert (
        '<span class="diff__add">+  &quot;admission&quot;: &quot;invitation&quot;,</span>' in html
    )


def test_the_builders_for_members_applicants_and_mandates(
    client: Client, alice: Person, bob: Person, carol: Person, page: Page
) -> None:
    coop = body_found(founder=alice, name="Bakery", kind="cooperative")
    body_join(body=coop, person=carol)  # an applicant: admission by decision
    mandate = mandate_grant(
        body=coop, holder=alice, role="Treasurer", powers=["moderate"], term_days=30, granted_by="x"
    )
    client.force_login(alice)
    html = page(client, f"/bodies/{coop.slug}/proposals/new/")
    assert f'<option value="{carol.pk}">Carol</option>' in html
    assert f'<option value="{mandate.pk}">Treasurer: Alice</option>' in html
    assert _new(client, coop, action="admit_member", admit_person=carol.pk).status_code == 302
    admit = Proposal.objects.get(body=coop, number=1)
    assert admit.decision_kind == "admit_member"
    assert "Admit Carol as a member." in page(client, admit.path)
    assert _new(client, coop, action="recall_mandate", recall_mandate=mandate.pk).status_code == 302
    assert "Recall the mandate “Treasurer” held by Alice." in page(
        client, Proposal.objects.get(body=coop, number=2).path
    )
    response = _new(
        client, coop, action="fill_mandate", mandate_role="Delegate",
        mandate_powers="federation.represent, moderate", mandate_term_days="90",
    )  # fmt: skip
    assert response.status_code == 302
    html = page(client, Proposal.objects.get(body=coop, number=3).path)
    assert "Create the mandate “Delegate” (federation.represent, moderate; 90 days)" in html


def test_an_election_page_lets_members_stand(
    client: Client, trio: Body, alice: Person, bob: Person, page: Page
) -> None:
    client.force_login(alice)
    response = _new(
        client, trio, action="fill_mandate", mandate_role="Delegate",
        mandate_powers="federation.represent", mandate_term_days="90",
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    proposal = Proposal.objects.get(body=trio)
    assert proposal.actions[0]["params"]["holder"] is None
    client.force_login(bob)
    html = page(client, proposal.path)
    assert "filled by election among those who stand" in html and "Stand as a candidate" in html
    response = client.post(proposal.path + "stand/", {"statement": "I will report back."})
    assert response.status_code == 302
    html = page(client, proposal.path)
    assert "I will report back." in html and "Stand as a candidate" not in html
    assert client.post(proposal.path + "stand/").status_code == 409


def test_co_signing_opening_and_withdrawing(
    client: Client, trio: Body, alice: Person, bob: Person, set_rule: Any, page: Page
) -> None:
    set_rule(trio, "general", cosigners=1)
    proposal = proposal_create(body=trio, author=alice, title="Needs support")
    client.force_login(alice)
    response = client.post(proposal.path + "open/")
    assert response.status_code == 409 and "1 co-signers" in response.content.decode()
    client.force_login(bob)
    assert "Open the proposal" not in page(client, proposal.path)
    assert client.post(proposal.path + "cosign/").status_code == 302
    assert Cosignature.objects.filter(proposal=proposal, person=bob).exists()
    assert client.post(proposal.path + "cosign/").status_code == 409
    assert client.post(proposal.path + "open/").status_code == 403
    client.force_login(alice)
    assert client.post(proposal.path + "open/").status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "deliberation"
    assert client.post(proposal.path + "withdraw/").status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "withdrawn"
    assert "Withdrawn" in page(client, proposal.path)


def test_comments_and_replies_are_threaded_and_sanitised(
    client: Client, trio: Body, alice: Person, bob: Person, page: Page
) -> None:
    proposal = proposal_open(proposal=proposal_create(body=trio, author=alice, title="T"), by=alice)
    client.force_login(bob)
    response = client.post(
        proposal.path + "comments/", {"text": "Why **now**? <script>x()</script>"}
    )
    assert response.status_code == 302
    first = Comment.objects.get()
    response = client.post(
        proposal.path + "comments/",
        {"text": "Because.", "parent": first.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 201
    partial = response.content.decode()
    assert "<html" not in partial and 'class="thread thread--replies"' in partial
    assert "<strong>now</strong>" in partial and "<script>" not in partial
    assert Comment.objects.get(text="Because.").parent == first
    response = client.post(proposal.path + "comments/", {"text": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "a comment needs" in response.content.decode().lower()
    assert (
        client.post(proposal.path + "comments/", {"text": "x", "parent": 999999}).status_code == 404
    )
    assert "Reply to Alice" not in page(client, proposal.path)


def test_a_comment_on_a_draft_is_a_conflict(client: Client, trio: Body, alice: Person) -> None:
    proposal = proposal_create(body=trio, author=alice, title="T")
    client.force_login(alice)
    response = client.post(proposal.path + "comments/", {"text": "hi"})
    assert response.status_code == 409
    assert "comments are open during" in response.content.decode().lower()


def test_an_amendment_is_proposed_and_accepted_by_the_author(
    client: Client, trio: Body, alice: Person, bob: Person, page: Page
) -> None:
    proposal = proposal_open(
        proposal=proposal_create(body=trio, author=alice, title="T", text="Plant 10 trees."),
        by=alice,
    )
    client.force_login(bob)
    assert "Propose an amendment" in page(client, proposal.path)
    response = client.post(
        proposal.path + "amendments/", {"text": "Plant 20 trees.", "reason": "Shade"}
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert (
        client.post(
            proposal.path + f"amendments/{amendment.pk}/decide/", {"decision": "accept"}
        ).status_code
        == 403
    )
    same = client.post(proposal.path + "amendments/", {"text": "Plant 10 trees."})
    assert same.status_code == 422 and "the same as the proposal" in same.content.decode()
    client.force_login(alice)
    html = page(client, proposal.path)
    assert "Accept" in html and "Shade" in html
    response = client.post(
        proposal.path + f"amendments/{amendment.pk}/decide/", {"decision": "accept"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.text == "Plant 20 trees."
    again = client.post(
        proposal.path + f"amendments/{amendment.pk}/decide/", {"decision": "reject"}
    )
    assert again.status_code == 409


def test_comment_add_service_and_page_agree(
    client: Client, trio: Body, alice: Person, bob: Person, page: Page
) -> None:
    proposal = proposal_open(proposal=proposal_create(body=trio, author=alice, title="T"), by=alice)
    comment_add(proposal=proposal, author=bob, text="Seen on the page")
    client.force_login(alice)
    assert "Seen on the page" in page(client, proposal.path)


@pytest.mark.parametrize(
    ("source", "kept", "dropped"),
    [
        ("**bold** and [a link](https://example.org)", "<strong>bold</strong>", "javascript"),
        ("<script>alert(1)</script>", "&lt;script&gt;", "<script>"),
        ("[x](javascript:alert(1))", "x", 'href="javascript'),
        ('<img src=x onerror="alert(1)">', "&lt;img", "<img"),
    ],
)
def test_the_markdown_filter_keeps_formatting_and_drops_code(
    source: str, kept: str, dropped: str
) -> None:
    from dualpower.decisions.templatetags.decisions_web import markdown

    html = str(markdown(source))
    assert kept in html and dropped not in html
