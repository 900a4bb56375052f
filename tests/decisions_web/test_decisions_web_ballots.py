"""Ballot forms for every method, posted as a browser without JavaScript would, and
every bad ballot answered with its status and the problem named."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.decisions.models import Ballot, Participation, Proposal

pytestmark = pytest.mark.django_db
Page = Callable[[Client, str], str]
HTMX = {"HTTP_HX_REQUEST": "true"}


def _vote(client: Client, proposal: Proposal, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(proposal.path + "ballot/", data, **extra)


def _text(response: Any) -> str:
    return str(response.content.decode()).lower()


def test_a_yes_no_vote_is_cast_and_open_ballots_show_who_voted_what(
    client: Client, trio: Body, alice: Person, bob: Person, voting: Any, page: Page
) -> None:
    proposal = voting(trio, alice)
    client.force_login(bob)
    html = page(client, proposal.path)
    for word in ("Yes", "No", "Abstain"):
        assert f'<label for="choice_{word.lower()}">{word}</label>' in html
    response = _vote(client, proposal, {"choice": "no"})
    assert response.status_code == 302
    assert Ballot.objects.get(proposal=proposal, voter=bob).content == {"choice": "no"}
    html = page(client, proposal.path)
    assert "<td>Bob</td><td>No</td>" in html
    assert 'id="choice_no" name="choice" value="no" checked' in html
    assert _vote(client, proposal, {"choice": "yes"}).status_code == 302
    assert Ballot.objects.get(proposal=proposal, voter=bob).content == {"choice": "yes"}


def test_a_secret_ballot_shows_the_receipt_and_asks_for_it_to_change_the_ballot(
    client: Client, trio: Body, alice: Person, bob: Person, voting: Any, set_rule: Any, page: Page
) -> None:
    set_rule(trio, "general", ballot="secret")
    proposal = voting(trio, alice)
    client.force_login(bob)
    response = _vote(client, proposal, {"choice": "no"}, **HTMX)
    assert response.status_code == 201
    receipt = Ballot.objects.get(proposal=proposal).receipt
    partial = response.content.decode()
    assert "<html" not in partial and f'<code class="receipt">{receipt}</code>' in partial
    html = page(client, proposal.path)
    assert (
        'id="receipt"' in html
        and "Who voted what" not in html
        and "Bob" not in html.split("Vote</h3>")[1]
    )
    response = _vote(client, proposal, {"choice": "yes"}, **HTMX)
    assert response.status_code == 409 and "receipt code" in _text(response)
    assert "<html" not in response.content.decode()
    assert _vote(client, proposal, {"choice": "yes", "receipt": receipt}).status_code == 302
    assert Ballot.objects.get(proposal=proposal).content == {"choice": "yes"}
    assert Ballot.objects.get(proposal=proposal).voter is None


@pytest.mark.parametrize(
    ("method", "bad", "problem", "good"),
    [
        ("consent", {"choice": "object"}, "an objection needs a reason",
         {"choice": "object", "reason": "Too costly"}),
        ("consensus", {"choice": "block", "reason": " "}, "a block needs a reason",
         {"choice": "stand_aside"}),
        ("motion", {"choice": "maybe"}, "choose one of yes, no, abstain", {"choice": "abstain"}),
    ],
)  # fmt: skip
def test_reasons_and_choices_are_checked(
    client: Client, trio: Body, alice: Person, voting: Any, set_rule: Any, page: Page,
    method: str, bad: dict[str, str], problem: str, good: dict[str, str],
) -> None:  # fmt: skip
    set_rule(trio, "general", method=method)
    proposal = voting(trio, alice)
    client.force_login(alice)
    if method != "motion":
        assert '<textarea id="reason"' in page(client, proposal.path)
    response = _vote(client, proposal, bad)
    assert response.status_code == 422 and problem in _text(response)
    assert "your ballot was not counted" in _text(response)
    assert not Ballot.objects.exists()
    assert _vote(client, proposal, good).status_code == 302


def test_an_approval_ballot(
    client: Client, trio: Body, alice: Person, voting: Any, set_rule: Any, page: Page
) -> None:
    set_rule(trio, "general", method="approval")
    proposal = voting(trio, alice, options=["Library", "Park", "Cafe"])
    client.force_login(alice)
    html = page(client, proposal.path)
    assert 'type="checkbox" id="approve_1" name="approve" value="Park"' in html
    assert _vote(client, proposal, {"approve": ["Park", "Cafe"]}).status_code == 302
    assert Ballot.objects.get().content == {"approve": ["Park", "Cafe"]}
    response = _vote(client, proposal, {"approve": ["Moon"]})
    assert response.status_code == 422 and "unknown option &#x27;moon&#x27;" in _text(response)


def test_a_score_ballot(
    client: Client, trio: Body, alice: Person, voting: Any, set_rule: Any, page: Page
) -> None:
    set_rule(trio, "general", method="score", score_max=3)
    proposal = voting(trio, alice, options=["Park", "Pool"])
    client.force_login(alice)
    html = page(client, proposal.path)
    assert '<option value="3">3</option>' in html and '<option value="4">' not in html
    assert _vote(client, proposal, {"o0": "3", "o1": "0"}).status_code == 302
    assert Ballot.objects.get().content == {"scores": {"Park": 3, "Pool": 0}}
    assert '<option value="3" selected>3</option>' in page(client, proposal.path)
    response = _vote(client, proposal, {"o0": "9"})
    assert response.status_code == 422 and "scores run from 0 to 3" in _text(response)


def test_a_quadratic_ballot_shows_its_cost_and_refuses_one_over_budget(
    client: Client, trio: Body, alice: Person, voting: Any, set_rule: Any, page: Page
) -> None:
    set_rule(trio, "general", method="quadratic", credits=10)
    proposal = voting(trio, alice, options=["Park", "Pool"])
    client.force_login(alice)
    assert "n votes on an option cost n² credits" in page(client, proposal.path)
    response = _vote(client, proposal, {"o0": "3", "o1": "2"})
    assert response.status_code == 422
    assert "this ballot costs 13 credits, over the budget of 10" in _text(response)
    assert _vote(client, proposal, {"o0": "lots"}).status_code == 422
    assert _vote(client, proposal, {"o0": "3", "o1": "-1"}).status_code == 302
    html = page(client, proposal.path)
    assert '<output data-quadratic-cost aria-live="polite">10</output>' in html


def test_a_ranked_ballot_from_numbered_selects(
    client: Client, trio: Body, alice: Person, voting: Any, set_rule: Any, page: Page
) -> None:
    set_rule(trio, "general", method="irv")
    proposal = voting(trio, alice, options=["Ann", "Bo", "Cy"])
    client.force_login(alice)
    html = page(client, proposal.path)
    assert '<select id="rank_2" name="rank_2">' in html and "data-ranking" in html
    assert _vote(client, proposal, {"rank_0": "2", "rank_1": "", "rank_2": "1"}).status_code == 302
    assert Ballot.objects.get().content == {"ranking": ["Cy", "Ann"]}
    html = page(client, proposal.path)
    # the form comes back in the order chosen, the unranked option last
    assert html.index('id="rank_2"') < html.index('id="rank_0"') < html.index('id="rank_1"')


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            {"rank_0": "1", "rank_1": "1"},
            "two options have rank 1: &#x27;ann&#x27; and &#x27;bo&#x27;",
        ),
        ({"rank_0": "4"}, "ranks run from 1 to 3"),
        ({"rank_0": "first"}, "must be a whole number"),
    ],
)
def test_a_bad_ranking_is_refused_with_422(
    client: Client, trio: Body, alice: Person, voting: Any, set_rule: Any,
    data: dict[str, str], problem: str,
) -> None:  # fmt: skip
    set_rule(trio, "general", method="schulze")
    proposal = voting(trio, alice, options=["Ann", "Bo", "Cy"])
    client.force_login(alice)
    response = _vote(client, proposal, data)
    assert response.status_code == 422 and problem in _text(response)
    response = _vote(client, proposal, data, **HTMX)
    assert response.status_code == 422 and "<html" not in response.content.decode()
    assert not Ballot.objects.exists()


def test_voting_after_the_close_is_409(
    client: Client, trio: Body, alice: Person, voting: Any, close: Any
) -> None:
    proposal = close(voting(trio, alice))
    client.force_login(alice)
    response = _vote(client, proposal, {"choice": "yes"})
    assert response.status_code == 409 and "voting is closed" in _text(response)


def test_voting_before_it_opens_is_409(client: Client, trio: Body, alice: Person) -> None:
    from dualpower.decisions.services import proposal_create, proposal_open

    proposal = proposal_open(proposal=proposal_create(body=trio, author=alice, title="T"), by=alice)
    client.force_login(alice)
    response = _vote(client, proposal, {"choice": "yes"})
    assert response.status_code == 409 and "voting is not open" in _text(response)


def test_the_last_vote_closes_early_and_leads_to_the_result(
    client: Client, trio: Body, alice: Person, bob: Person, carol: Person, voting: Any
) -> None:
    proposal = voting(trio, alice)
    for person in (alice, bob):
        client.force_login(person)
        _vote(client, proposal, {"choice": "yes"})
    client.force_login(carol)
    response = _vote(client, proposal, {"choice": "yes"}, **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == proposal.path + "result/"
    assert Participation.objects.filter(proposal=proposal).count() == 3


def test_dave_may_read_a_public_body_s_decisions_but_not_vote(
    client: Client, trio: Body, alice: Person, dave: Person, voting: Any, page: Page
) -> None:
    from dualpower.bodies.services import charter_adopt

    charter_adopt(
        body=trio, rules=trio.charter.model_dump(mode="json") | {"member_list": "public"},
        adopted_by="test",
    )  # fmt: skip
    trio.__dict__.pop("_charter_cache", None)
    proposal = voting(trio, alice)
    client.force_login(dave)
    html = page(client, proposal.path)
    assert "Only members vote." in html and "Cast my ballot" not in html
    response = _vote(client, proposal, {"choice": "yes"})
    assert response.status_code == 403 and "only members vote" in _text(response)
    assert client.post(proposal.path + "comments/", {"text": "Let me in"}).status_code == 403
    assert client.get(f"/bodies/{trio.slug}/proposals/new/").status_code == 403
    assert not Ballot.objects.exists()
