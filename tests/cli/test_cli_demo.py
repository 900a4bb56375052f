"""`dualpower demo` and `dualpower serve`: the seed in-process on the test database, and
the console script in subprocesses on a throwaway SQLite data folder."""

from __future__ import annotations

import os
import selectors
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dualpower import demo
from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import Body, Invitation, Mandate, Membership
from dualpower.decisions.models import Proposal
from dualpower.federation.services import member_bodies
from dualpower.ledger import selectors as ledger_selectors
from dualpower.ledger.models import Account, Transfer
from dualpower.ledger.services import ledger_verify

CONSOLE_SCRIPT = str(Path(sys.executable).with_name("dualpower"))


def test_the_seed_builds_a_believable_neighbourhood(db: None) -> None:
    seeded = demo.seed()
    assert seeded.created
    assert len(seeded.people) == 8
    assert sorted(Body.objects.values_list("kind", flat=True)) == sorted(
        ["assembly", "time_bank", "cooperative", "mutual_aid", "union", "caucus",
         "credit_network", "federation"]
    )  # fmt: skip
    caucus = Body.objects.get(kind="caucus")
    assert not policy.can(AnonymousUser(), "body.view", caucus)
    gus = Membership.objects.get(person__email="gus@example.org", body__kind="assembly")
    assert gus.status == Membership.Status.FORMER
    hana = Membership.objects.get(person__email="hana@example.org", body__kind="cooperative")
    assert hana.status == Membership.Status.APPLICANT
    assert Mandate.objects.filter(recalled_at__isnull=False).count() == 1
    assert Mandate.objects.filter(recalled_at__isnull=True).count() >= 4
    assert Invitation.objects.filter(used_at__isnull=True).count() == 1
    federation = Body.objects.get(kind="federation")
    assert sorted(b.kind for b in member_bodies(federation=federation)) == sorted(
        ["assembly", "time_bank", "cooperative", "mutual_aid", "union"]
    )
    for body in Body.objects.all():
        assert journal_verify(body=body).ok


def test_the_seeded_ledgers_have_something_to_show(db: None) -> None:
    """Hours exchanged (and one waiting for Amara), and the bakery's funds kept by a
    mandated treasurer."""
    demo.seed()
    time_bank = Body.objects.get(kind="time_bank")
    statuses = list(Transfer.objects.filter(body=time_bank).values_list("status", flat=True))
    assert sorted(statuses) == ["applied"] * 3 + ["pending"]
    amara = Person.objects.get(email="amara@example.org")
    assert [t.memo for t in ledger_selectors.pending_for(body=time_bank, person=amara)] == [
        "a lift to the clinic"
    ]
    bakery = Body.objects.get(kind="cooperative")
    bruno = Person.objects.get(email="bruno@example.org")
    assert policy.can(bruno, "ledger.record_external", bakery)
    funds = Account.objects.get(body=bakery, kind=Account.Kind.FUNDS)
    assert funds.balance == 930_00
    exchange = Body.objects.get(kind="credit_network")
    balances = Account.objects.filter(body=exchange, kind=Account.Kind.MEMBER)
    assert sorted(balances.values_list("balance", flat=True)) == [
        -35_00,
        -12_50,
        12_50,
        15_00,
        20_00,
    ]
    for body in (time_bank, bakery, exchange):
        assert ledger_verify(body=body).ok


def test_the_seeded_proposals_tell_their_times_in_order(db: None, client: Client) -> None:
    demo.seed()
    now = timezone.now()
    opened = list(Proposal.objects.exclude(opened_at=None).select_related("body"))
    assert sorted(p.state for p in opened) == ["closed", "deliberation", "voting"]
    for p in opened:
        assert p.opened_at is not None and p.voting_opens_at and p.voting_closes_at
        assert p.created_at <= p.opened_at <= p.voting_opens_at <= p.voting_closes_at
        assert (p.voting_opens_at <= now) == (p.state != Proposal.State.DELIBERATION)
    voting = next(p for p in opened if p.state == Proposal.State.VOTING)
    assert voting.voting_closes_at is not None and voting.voting_closes_at > now
    closed = next(p for p in opened if p.state == Proposal.State.CLOSED)
    assert closed.closed_at is not None and closed.voting_opens_at is not None
    assert closed.voting_opens_at <= closed.closed_at
    client.force_login(voting.author)
    url = reverse("decisions:detail", kwargs={"slug": voting.body.slug, "number": voting.number})
    page = client.get(url).content.decode()
    assert "Voting opened" in page and "Voting opens" not in page


def test_the_seeded_people_can_sign_in_with_the_printed_password(db: None, client: Client) -> None:
    demo.seed()
    response = client.post(
        "/accounts/login/", {"login": "amara@example.org", "password": demo.PASSWORD}
    )
    assert response.status_code == 302


def test_seeding_twice_changes_nothing(db: None) -> None:
    demo.seed()
    counts = (Body.objects.count(), Membership.objects.count(), Mandate.objects.count())
    again = demo.seed()
    assert not again.created
    assert [p.email for p in again.people] == [f"{first}@example.org" for first, _ in demo.PEOPLE]
    assert (Body.objects.count(), Membership.objects.count(), Mandate.objects.count()) == counts


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUALPOWER_")}
    env.pop("DATABASE_URL", None)  # the demo runs on its own SQLite file
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by tests/conftest.py for Playwright
    env["DUALPOWER_DATA_DIR"] = str(data_dir)
    return env


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CONSOLE_SCRIPT, *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder in which `dualpower demo --no-serve` ran twice."""
    data_dir = tmp_path_factory.mktemp("demo")
    first = _run(data_dir, "demo", "--no-serve")
    second = _run(data_dir, "demo", "--no-serve")
    (data_dir / "first.out").write_text(first.stdout + first.stderr)
    (data_dir / "second.out").write_text(second.stdout + second.stderr)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    yield data_dir


def test_the_demo_seeds_its_own_sqlite_file_once(demo_dir: Path) -> None:
    first = (demo_dir / "first.out").read_text()
    second = (demo_dir / "second.out").read_text()
    assert "seeded Eastside" in first
    assert "already seeded" in second
    for out in (first, second):
        assert f"password: {demo.PASSWORD}" in out
        assert "amara@example.org" in out
    with sqlite3.connect(demo_dir / "dualpower.sqlite3") as db:
        assert db.execute("select count(*) from accounts_person").fetchone() == (8,)
        assert db.execute("select count(*) from bodies_body").fetchone() == (8,)


def test_every_seeded_journal_verifies_through_the_console_script(demo_dir: Path) -> None:
    result = _run(demo_dir, "journal", "verify")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 8
    assert all(line.endswith("chain holds") for line in lines)


def test_the_console_script_reports_bad_arguments_in_one_line(demo_dir: Path) -> None:
    result = _run(demo_dir, "journal", "verify", "atlantis")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "dualpower: error: no such body: atlantis\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(proc: subprocess.Popen[str], text: str, timeout: float) -> None:
    """Read the server's log until ``text`` appears (gunicorn logs it once bound)."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    seen = []
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=deadline - time.monotonic()):
                break
            line = proc.stderr.readline()
            if not line:
                break
            seen.append(line)
            if text in line:
                return
    raise AssertionError(f"server never said {text!r}:\n{''.join(seen)}")


def _static_path() -> str:
    """htmx if the web app ships it (it should), else any static file."""
    found = finders.find("dualpower/htmx.min.js")
    return "dualpower/htmx.min.js" if found else "ninja/favicon.svg"


def test_serve_runs_gunicorn_and_serves_pages_and_static_files(demo_dir: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [CONSOLE_SCRIPT, "serve", "--port", str(port), "--workers", "1"],
        env=_env(demo_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(proc, f"Listening at: http://127.0.0.1:{port}", timeout=60)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/", timeout=30) as page:
            assert page.status == 200
            assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
        with urllib.request.urlopen(f"{base}/static/{_static_path()}", timeout=30) as asset:
            assert asset.status == 200
            assert len(asset.read()) > 100
    finally:
        proc.terminate()
        proc.wait(timeout=30)
