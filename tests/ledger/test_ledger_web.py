"""The ledger's pages through the Django test client, denials included."""

from __future__ import annotations

import pytest
from django.test import Client
from ledger_helpers import account, fresh

from dualpower.accounts.models import Person
from dualpower.bodies.services import mandate_grant
from dualpower.ledger import services
from dualpower.ledger.cli import main as ledger_cli
from dualpower.ledger.models import Currency, Transfer


def logged_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def url(currency: Currency, page: str = "") -> str:
    base = f"/bodies/{currency.body.slug}/ledger/{currency.code}/"
    return base + (f"{page}/" if page else "")


def test_a_member_sees_the_overview_and_the_currency_page(hours: Currency, alice: Person) -> None:
    client = logged_in(alice)
    page = client.get(f"/bodies/{hours.body.slug}/ledger/")
    assert page.status_code == 200 and b"Hours" in page.content
    page = client.get(url(hours))
    assert page.status_code == 200
    assert b"Record hours I gave" in page.content and b"Nothing exchanged yet" in page.content


def test_outsiders_get_the_same_404_as_for_a_missing_body(hours: Currency, dave: Person) -> None:
    client = logged_in(dave)
    missing = client.get("/bodies/no-such-body/ledger/")
    for path in (f"/bodies/{hours.body.slug}/ledger/", url(hours), url(hours, "statement")):
        denied = client.get(path)
        assert denied.status_code == 404
        assert denied.content == missing.content


def test_anonymous_visitors_are_sent_to_sign_in(hours: Currency) -> None:
    response = Client().get(url(hours))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pay_a_member_and_a_double_submit_pays_once(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    client = logged_in(alice)
    form = client.get(url(acorns, "pay"))
    assert form.status_code == 200 and b"bob@example.org" in form.content
    key = form.context["form"].initial["client_key"]
    data = {"to": "bob@example.org", "amount": "12.50", "memo": "bread", "client_key": key}
    first = client.post(url(acorns, "pay"), data)
    assert first.status_code == 302
    assert client.post(url(acorns, "pay"), data).status_code == 302
    assert fresh(account(acorns, bob)).balance == 12_50
    assert Transfer.objects.count() == 1
    page = client.get(first["Location"])
    assert b"12.50 acorn: done." in page.content


def test_a_payment_over_the_limit_is_shown_on_the_form(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    data = {"to": "bob@example.org", "amount": "100.01", "memo": "", "client_key": "k"}
    response = logged_in(alice).post(url(acorns, "pay"), data)
    assert response.status_code == 422
    assert b"Refused: over the limit" in response.content
    assert fresh(account(acorns, alice)).balance == 0


def test_a_refused_payment_corrected_on_its_form_is_a_new_request(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    """The refusal comes back on the form with a new client key: the member lowers the
    amount and sends it, and it is paid (not a 409 for reusing the refused key), while a
    retry of the refused request itself still answers the refusal."""
    client = logged_in(alice)
    refused = {"to": "bob@example.org", "amount": "100.01", "memo": "", "client_key": "k"}
    response = client.post(url(acorns, "pay"), refused)
    assert response.status_code == 422
    form = response.context["form"]
    assert form["amount"].value() == "100.01"  # what the member typed, to correct
    new = form["client_key"].value()
    assert new and new != "k"
    assert f'value="{new}"'.encode() in response.content
    corrected = {**refused, "amount": "40", "client_key": new}
    assert client.post(url(acorns, "pay"), corrected).status_code == 302
    assert fresh(account(acorns, bob)).balance == 40_00
    again = client.post(url(acorns, "pay"), refused)
    assert again.status_code == 422 and b"Refused: over the limit" in again.content
    assert Transfer.objects.filter(status=Transfer.Status.REFUSED).count() == 1


def test_no_member_is_chosen_before_the_member_chooses(acorns: Currency, alice: Person) -> None:
    client = logged_in(alice)
    form = client.get(url(acorns, "pay")).context["form"]
    assert form["to"].value() is None
    assert form.fields["to"].choices[0] == ("", "Choose a member")
    response = client.post(url(acorns, "pay"), {"to": "", "amount": "1", "client_key": "k"})
    assert response.status_code == 422 and not Transfer.objects.exists()


def test_bad_input_is_a_422_not_a_500(acorns: Currency, alice: Person) -> None:
    client = logged_in(alice)
    data = {"to": "bob@example.org", "amount": "lots", "client_key": "k"}
    response = client.post(url(acorns, "pay"), data)
    assert response.status_code == 422 and b"not an amount" in response.content.lower()
    data = {"to": "dave@example.org", "amount": "1", "client_key": "k"}
    assert client.post(url(acorns, "pay"), data).status_code == 422  # not a choice


def test_a_reused_key_with_other_content_is_a_409_page(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    client = logged_in(alice)
    client.post(url(acorns, "pay"), {"to": "bob@example.org", "amount": "1", "client_key": "k"})
    response = client.post(
        url(acorns, "pay"), {"to": "bob@example.org", "amount": "2", "client_key": "k"}
    )
    assert response.status_code == 409 and b"different request" in response.content


def test_record_hours_then_the_receiver_confirms(
    hours: Currency, alice: Person, bob: Person
) -> None:
    data = {"receiver": "bob@example.org", "amount": "1.5", "memo": "moving", "client_key": "k"}
    assert logged_in(alice).post(url(hours, "hours"), data).status_code == 302
    record = Transfer.objects.get()
    assert record.status == "pending"
    bob_client = logged_in(bob)
    page = bob_client.get(f"/bodies/{hours.body.slug}/ledger/")
    assert b"Alice gave you 1.50 h" in page.content
    confirm = f"/bodies/{hours.body.slug}/ledger/records/{record.pk}/confirm/"
    # alice cannot confirm her own record
    assert logged_in(alice).post(confirm).status_code == 403
    assert bob_client.post(confirm).status_code == 302
    assert fresh(account(hours, alice)).balance == 1_50
    assert fresh(account(hours, bob)).balance == -1_50
    assert bob_client.get(confirm).status_code == 405


def test_the_receiver_may_decline(hours: Currency, alice: Person, bob: Person) -> None:
    record = services.timebank_record(
        body=hours.body, currency=hours, by=alice, receiver=bob, amount=100, client_key="k"
    )
    decline = f"/bodies/{hours.body.slug}/ledger/records/{record.pk}/decline/"
    assert logged_in(bob).post(decline).status_code == 302
    assert Transfer.objects.get(pk=record.pk).status == "declined"


def test_statements_and_csv(acorns: Currency, alice: Person, bob: Person, carol: Person) -> None:
    services.transfer_create(
        body=acorns.body, by=alice, from_account=account(acorns, alice),
        to_account=account(acorns, bob), amount=3_00, memo="=cmd()", client_key="k",
    )  # fmt: skip
    bob_client = logged_in(bob)
    page = bob_client.get(url(acorns, "statement"))
    assert page.status_code == 200 and b"Alice" in page.content and b"3.00" in page.content
    csv = bob_client.get(f"/bodies/{acorns.body.slug}/ledger/acorn/statement.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "date,transfer,kind,counterpart,memo,amount,balance,reverses"
    assert lines[1].endswith(",payment,Alice,'=cmd(),3.00,3.00,")
    # carol may not read bob's statement: the same 404 as for no account
    others = f"/bodies/{acorns.body.slug}/ledger/acorn/statement/{bob.pk}/"
    nobody = f"/bodies/{acorns.body.slug}/ledger/acorn/statement/999999/"
    carol_client = logged_in(carol)
    assert carol_client.get(others).status_code == 404
    assert carol_client.get(others).content == carol_client.get(nobody).content
    assert carol_client.get(others.rstrip("/") + ".csv").status_code == 404


def test_a_give_back_names_what_it_undoes_on_the_page_the_csv_and_the_cli(
    acorns: Currency, alice: Person, bob: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    paid = services.transfer_create(
        body=acorns.body, by=alice, from_account=account(acorns, alice),
        to_account=account(acorns, bob), amount=3_00, memo="jam", client_key="k",
    )  # fmt: skip
    back = services.transfer_reverse(
        body=acorns.body, transfer=paid, by=bob, client_key="back", memo="wrong jar"
    )
    day = paid.created_at.date().isoformat()
    page = logged_in(bob).get(url(acorns, "statement")).content.decode()
    assert f'wrong jar <span class="muted">(gives back the transfer of {day})</span>' in page
    rows = logged_in(bob).get(url(acorns, "statement").rstrip("/") + ".csv").content.decode()
    assert rows.splitlines()[2].startswith(f"{back.created_at.isoformat()},{back.pk},")
    assert rows.splitlines()[2].endswith(f",{paid.pk}")
    assert ledger_cli(["statement", acorns.body.slug, bob.email]) == 0
    assert f"wrong jar (gives back the transfer of {day})" in capsys.readouterr().out


def test_a_holder_of_view_all_reads_every_statement(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    account(acorns, bob)
    mandate_grant(
        body=acorns.body, holder=alice, role="Auditor", powers=["ledger.view_all"],
        term_days=30, granted_by="decision test",
    )  # fmt: skip
    others = f"/bodies/{acorns.body.slug}/ledger/acorn/statement/{bob.pk}/"
    client = logged_in(alice)
    assert client.get(others).status_code == 200
    assert others.encode() in client.get(url(acorns)).content
    assert others.encode() not in logged_in(bob).get(url(acorns)).content


def test_the_chart_shows_months_as_svg_without_inline_style(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    services.transfer_create(
        body=acorns.body, by=alice, from_account=account(acorns, alice),
        to_account=account(acorns, bob), amount=7_00, client_key="k",
    )  # fmt: skip
    page = logged_in(alice).get(url(acorns)).content.decode()
    assert "<svg" in page and "<rect" in page and "7.00" in page
    assert "style=" not in page and "<script>" not in page


def test_money_in_and_out_needs_the_mandate(euros: Currency, alice: Person, bob: Person) -> None:
    assert logged_in(bob).get(url(euros, "external")).status_code == 403
    data = {"direction": "in", "amount": "20", "memo": "donation", "client_key": "k"}
    assert logged_in(bob).post(url(euros, "external"), data).status_code == 403
    assert logged_in(alice).post(url(euros, "external"), data).status_code == 302
    page = logged_in(alice).get(url(euros))
    assert b"Funds account" in page.content and b"20.00" in page.content
