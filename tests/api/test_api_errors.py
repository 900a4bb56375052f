"""Bad input answers a 4xx problem JSON that names the problem; never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _api_support import Api, problem
from django.test import Client
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body, Invitation
from dualpower.bodies.services import invitation_create


def test_an_unknown_kind_is_named(as_alice: Api) -> None:
    body = problem(as_alice.post("/bodies", {"name": "X", "kind": "guild"}), 422)
    assert "unknown kind 'guild'" in body["detail"]
    assert "assembly" in body["detail"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_body_needs_a_name(as_alice: Api, name: str) -> None:
    body = problem(as_alice.post("/bodies", {"name": name, "kind": "assembly"}), 422)
    assert "name of 1 to 120 characters" in body["detail"]
    assert not Body.objects.exists()


def test_a_bad_visibility_is_named(as_alice: Api) -> None:
    payload = {"name": "X", "kind": "assembly", "visibility": "secret"}
    assert "visibility" in problem(as_alice.post("/bodies", payload), 422)["detail"]


def test_missing_and_mistyped_fields_are_each_named(as_alice: Api) -> None:
    body = problem(as_alice.post("/bodies", {"about": 5}), 422)
    assert "name: Field required" in body["detail"]
    assert "kind: Field required" in body["detail"]
    assert "about: Input should be a valid string" in body["detail"]
    assert {e["field"] for e in body["errors"]} == {"name", "kind", "about"}


def test_an_unknown_field_is_named_not_dropped(as_alice: Api) -> None:
    payload = {"name": "X", "kind": "assembly", "visiblity": "hidden"}
    body = problem(as_alice.post("/bodies", payload), 422)
    assert body["detail"] == "visiblity: Extra inputs are not permitted"
    assert not Body.objects.exists()


def test_an_empty_body_is_named(as_alice: Api) -> None:
    assert problem(as_alice.post("/bodies", raw=""), 422)["detail"] == "body: Field required"


def test_malformed_json_is_400(as_alice: Api) -> None:
    body = problem(as_alice.post("/bodies", raw='{"name": "X", "kind": '), 400)
    assert body["detail"] == "the request body is not valid JSON"


def test_a_bad_query_parameter_is_named(as_alice: Api, assembly: Body) -> None:
    body = problem(as_alice.get("/bodies/eastside-assembly/journal", limit=0), 422)
    assert body["detail"].startswith("query.limit:")
    body = problem(as_alice.get("/bodies/eastside-assembly/charter", version="latest"), 422)
    assert body["detail"].startswith("query.version:")


def test_an_expired_invitation_is_gone(as_alice: Api, as_carol: Api, assembly: Body) -> None:
    token = as_alice.post("/bodies/eastside-assembly/invitations").json()["token"]
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = problem(as_carol.post(f"/invitations/{token}/accept"), 410)
    assert "expired" in body["detail"]


def test_a_used_invitation_is_gone(
    as_carol: Api, as_dave: Api, alice: Person, assembly: Body
) -> None:
    _, token = invitation_create(body=assembly, by=alice)
    assert as_carol.post(f"/invitations/{token}/accept").status_code == 201
    body = problem(as_dave.post(f"/invitations/{token}/accept"), 410)
    assert "already been used" in body["detail"]


def test_an_unknown_invitation_is_404(as_carol: Api, db: None) -> None:
    problem(as_carol.post("/invitations/not-a-token/accept"), 404)


@pytest.mark.parametrize(
    "path", ["/api/", "/api/v1/", "/api/v1/nothing", "/api/v2/bodies", "/api/v1/bodies/a/b/c"]
)
def test_unknown_paths_under_api_are_problem_404(anon: Api, path: str) -> None:
    assert problem(anon.get(path), 404)["detail"] == "no such resource"
    assert problem(anon.post(path), 404)["detail"] == "no such resource"


@pytest.mark.parametrize(
    "header",
    ["Bearer dp_not-a-real-token", "Bearer nonsense", "Bearer ", "Basic YTpi", "Token dp_x"],
)
def test_a_bad_token_is_401_even_for_public_reads(assembly: Body, header: str) -> None:
    response = Client().get("/api/v1/bodies", headers={"Authorization": header})
    problem(response, 401)


def test_a_revoked_token_is_401(as_alice: Api, assembly: Body) -> None:
    created = as_alice.post("/me/tokens", {"label": "laptop"}).json()
    fresh = Api(created["token"])
    assert fresh.get("/me").status_code == 200
    assert as_alice.delete(f"/me/tokens/{created['id']}").status_code == 204
    problem(fresh.get("/me"), 401)
    problem(fresh.get("/bodies"), 401)


def test_a_session_write_needs_the_csrf_token(alice: Person) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    payload = {"name": "Porch", "kind": "assembly"}
    body = problem(browser.post("/api/v1/bodies", payload, content_type="application/json"), 403)
    assert "CSRF" in body["detail"]
    assert not Body.objects.exists()
    browser.get("/api/docs")  # the docs page sets the CSRF cookie, as a browser gets it
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/bodies", payload, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.content


def test_a_session_reads_without_csrf(alice: Person, assembly: Body) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get("/api/v1/me").json()["email"] == "alice@example.org"


def test_a_wrong_method_is_a_problem_405(as_alice: Api, assembly: Body) -> None:
    response = as_alice.delete("/bodies/eastside-assembly")
    body = problem(response, 405)
    assert body["detail"] == "DELETE is not allowed here; use GET"
    assert response["Allow"] == "GET"


def test_a_bug_is_a_logged_500_problem_without_a_traceback(
    anon: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("dualpower.bodies.policy.bodies_where", broken)
    response = anon.get("/bodies")
    body = problem(response, 500)
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in body["detail"]
    assert "secret internals" in caplog.text
