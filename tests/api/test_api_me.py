"""/api/v1/me and personal access tokens."""

from __future__ import annotations

from _api_support import Api, problem
from django.db import connection

from dualpower.accounts.models import ApiToken, Person
from dualpower.accounts.services import token_digest
from dualpower.bodies.models import Body


def test_me_lists_my_bodies(as_bob: Api, assembly: Body, caucus: Body) -> None:
    me = as_bob.get("/me").json()
    assert me["email"] == "bob@example.org"
    assert me["name"] == "Bob"
    assert [(b["slug"], b["status"]) for b in me["bodies"]] == [
        ("eastside-assembly", "member"),
        ("left-caucus", "member"),
    ]


def test_a_token_is_created_shown_once_and_listed_by_prefix(as_carol: Api, carol: Person) -> None:
    response = as_carol.post("/me/tokens", {"label": "phone"})
    assert response.status_code == 201
    created = response.json()
    assert created["token"].startswith("dp_")
    assert created["token"].startswith(created["prefix"])
    listed = as_carol.get("/me/tokens").json()
    assert {t["label"] for t in listed} == {"tests", "phone"}
    assert all("token" not in t for t in listed)
    assert created["token"] not in as_carol.get("/me/tokens").content.decode()


def test_tokens_are_stored_hashed(as_carol: Api, carol: Person) -> None:
    clear = as_carol.post("/me/tokens", {"label": "phone"}).json()["token"]
    stored = ApiToken.objects.get(person=carol, label="phone")
    assert stored.digest == token_digest(clear)
    table = ApiToken._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        rows = cursor.fetchall()
    assert rows and not any(clear in str(value) for row in rows for value in row)


def test_a_token_works_and_records_its_use(as_carol: Api, carol: Person) -> None:
    created = as_carol.post("/me/tokens", {"label": "phone"}).json()
    assert Api(created["token"]).get("/me").json()["id"] == carol.pk
    assert ApiToken.objects.get(pk=created["id"]).last_used_at is not None


def test_a_revoked_token_leaves_the_list(as_carol: Api) -> None:
    created = as_carol.post("/me/tokens", {"label": "phone"}).json()
    assert as_carol.delete(f"/me/tokens/{created['id']}").status_code == 204
    assert [t["label"] for t in as_carol.get("/me/tokens").json()] == ["tests"]
    problem(as_carol.delete(f"/me/tokens/{created['id']}"), 404)


def test_nobody_revokes_another_persons_token(as_carol: Api, as_dave: Api) -> None:
    created = as_carol.post("/me/tokens", {"label": "phone"}).json()
    problem(as_dave.delete(f"/me/tokens/{created['id']}"), 404)
    assert Api(created["token"]).get("/me").status_code == 200


def test_a_token_needs_a_label(as_carol: Api) -> None:
    assert "label" in problem(as_carol.post("/me/tokens", {"label": "  "}), 422)["detail"]
    assert "label" in problem(as_carol.post("/me/tokens", {}), 422)["detail"]
