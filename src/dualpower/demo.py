"""The demo neighbourhood that ``dualpower demo`` seeds: Eastside.

Eight neighbours and eight bodies (an assembly, a time bank, a bakery co-op, a mutual-aid
hub, a tenants' union, a hidden caucus, a mutual-credit network, and a federation that five
of them have joined),
built only through the same services that the web, the API and the tests call, so every
step is in the journals.
Seeding happens once: a database that already holds the demo is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.accounts.services import person_create
from dualpower.bodies import selectors
from dualpower.bodies.models import Body, Mandate
from dualpower.bodies.services import (
    body_found,
    body_join,
    invitation_accept,
    invitation_create,
    mandate_grant,
    mandate_recall,
    membership_admit,
    membership_leave,
)
from dualpower.decisions.models import Proposal
from dualpower.decisions.services import (
    ballot_cast,
    comment_add,
    proposal_create,
    proposal_open,
    proposal_refresh,
)
from dualpower.federation.services import REPRESENT, federation_consent
from dualpower.ledger import services as ledger
from dualpower.ledger.models import Currency

PASSWORD = "solidarity forever"
EMAIL_DOMAIN = "example.org"

# (first name, full name)
PEOPLE: tuple[tuple[str, str], ...] = (
    ("amara", "Amara Okafor"),
    ("bruno", "Bruno Silva"),
    ("chen", "Chen Wei"),
    ("dolores", "Dolores Ortiz"),
    ("emeka", "Emeka Eze"),
    ("farida", "Farida Haddad"),
    ("gus", "Gus Lindqvist"),
    ("hana", "Hana Kim"),
)

# The seed stands in for decisions the members took before the software held them.
BY_DECISION = "decision of the members (demo seed)"


@dataclass(frozen=True)
class Seeded:
    people: list[Person]
    created: bool


def email_of(first: str) -> str:
    return f"{first}@{EMAIL_DOMAIN}"


def seed() -> Seeded:
    """Seed Eastside unless it is there already; return its people either way."""
    emails = [email_of(first) for first, _ in PEOPLE]
    if Person.objects.filter(email=emails[0]).exists():
        people = list(Person.objects.filter(email__in=emails).order_by("email"))
        return Seeded(people=people, created=False)
    with transaction.atomic():
        p = {
            first: person_create(
                email=email_of(first), password=PASSWORD, display_name=name, verified=True
            )
            for first, name in PEOPLE
        }
        _seed_bodies(p)
    return Seeded(people=[p[first] for first, _ in PEOPLE], created=True)


def _invite(body: Body, inviter: Person, person: Person) -> None:
    _, token = invitation_create(body=body, by=inviter)
    invitation_accept(token=token, person=person)


def _seed_bodies(p: dict[str, Person]) -> None:
    assembly = body_found(
        founder=p["amara"],
        name="Eastside Popular Assembly",
        kind="assembly",
        about="Everyone who lives or works in Eastside. We meet on the first Sunday of "
        "each month in the library hall and decide together what the neighbourhood needs.",
    )
    for first in ("bruno", "chen", "dolores", "emeka", "farida", "gus", "hana"):
        body_join(body=assembly, person=p[first])
    membership_leave(body=assembly, person=p["gus"])  # moved across the river
    mandate_grant(
        body=assembly,
        holder=p["chen"],
        role="Delegate to the federation",
        powers=[REPRESENT],
        term_days=180,
        granted_by=BY_DECISION,
    )
    mandate_grant(
        body=assembly,
        holder=p["farida"],
        role="Facilitator",
        powers=["moderate"],
        term_days=90,
        granted_by=BY_DECISION,
    )

    time_bank = body_found(
        founder=p["chen"],
        name="Eastside Time Bank",
        kind="time_bank",
        about="An hour of help is worth an hour of help: childcare, repairs, lifts, "
        "language lessons. Everyone's hour counts the same.",
    )
    for first in ("amara", "emeka", "gus", "hana"):
        body_join(body=time_bank, person=p[first])

    bakery = body_found(
        founder=p["dolores"],
        name="Riverside Bakery Co-op",
        kind="cooperative",
        about="A worker-owned bakery on Mill Street. One worker, one vote; "
        "surplus is shared by hours worked.",
    )
    _invite(bakery, p["dolores"], p["bruno"])  # applies: this co-op admits by decision
    membership_admit(body=bakery, person=p["bruno"], admitted_by=BY_DECISION)
    _invite(bakery, p["dolores"], p["hana"])  # her application waits for a decision

    aid = body_found(
        founder=p["farida"],
        name="Eastside Mutual Aid",
        kind="mutual_aid",
        about="Groceries, medicine runs and a hand when it is needed. Solidarity, not charity.",
    )
    for first in ("emeka", "hana", "amara"):
        body_join(body=aid, person=p[first])
    mandate_grant(
        body=aid,
        holder=p["emeka"],
        role="Dispatcher",
        powers=["aid.triage"],
        term_days=30,
        granted_by=BY_DECISION,
    )

    union = body_found(
        founder=p["bruno"],
        name="Tenants Union Local 12",
        kind="union",
        about="Tenants of the Harbour Estates, organising for repairs and against "
        "rent rises. Only our elected secretary sees who the members are.",
    )
    for first in ("dolores", "emeka", "gus"):
        _invite(union, p["bruno"], p[first])
    mandate_grant(
        body=union,
        holder=p["dolores"],
        role="Membership secretary",
        powers=["members.view"],
        term_days=365,
        granted_by=BY_DECISION,
    )
    founding = Mandate.objects.get(body=union, holder=p["bruno"], granted_by="founding")
    mandate_recall(mandate=founding, recalled_by=BY_DECISION)
    invitation_create(body=union, by=p["dolores"], note="for the tenant at 4B")

    caucus = body_found(
        founder=p["dolores"],
        name="Renters' Strategy Caucus",
        kind="caucus",
        visibility="hidden",
        about="Where union organisers plan the next campaign. Hidden from everyone else.",
    )
    for first in ("bruno", "emeka"):
        _invite(caucus, p["dolores"], p[first])

    federation = body_found(
        founder=p["amara"],
        name="Eastside Federation of Councils",
        kind="federation",
        about="Eastside's assembly, co-op, union, time bank and mutual-aid hub, deciding "
        "together what none can alone. Each body ratifies under its own charter; "
        "delegates are bound by, and recallable by, the body that sent them.",
    )
    # A body joins a federation when both sides have decided so.
    for member in (assembly, time_bank, bakery, aid, union):
        for side in ("body", "federation"):
            federation_consent(
                federation=federation, member=member, side=side, decision=BY_DECISION
            )
    exchange = body_found(
        founder=p["farida"],
        name="Eastside Exchange",
        kind="credit_network",
        about="Mutual credit among neighbours and small traders: pay in credits you issue "
        "yourself, up to a limit we set together, and earn them back by selling.",
    )
    for first in ("amara", "chen", "emeka", "gus"):
        _invite(exchange, p["farida"], p[first])
        membership_admit(body=exchange, person=p[first], admitted_by=BY_DECISION)
    _seed_ledgers(p, time_bank, bakery, exchange)
    _seed_decisions(p, assembly)


def _seed_ledgers(p: dict[str, Person], time_bank: Body, bakery: Body, exchange: Body) -> None:
    """Hours exchanged in the time bank (one still waits for Amara's confirmation), the
    bakery's funds kept by a treasurer whom the workers mandated to record money coming in
    and going out, and payments in the mutual-credit network."""
    hours = Currency.objects.get(body=time_bank, kind=Currency.Kind.HOURS)
    for giver, receiver, amount, memo, confirmed in (
        ("amara", "chen", 2_00, "fixed Chen's bike", True),
        ("emeka", "gus", 1_50, "Yoruba lesson", True),
        ("chen", "hana", 3_00, "childcare on Saturday", True),
        ("gus", "amara", 1_00, "a lift to the clinic", False),
    ):
        record = ledger.timebank_record(
            body=time_bank, currency=hours, by=p[giver], receiver=p[receiver], amount=amount,
            memo=memo, client_key=f"demo-{giver}-{receiver}",
        )  # fmt: skip
        if confirmed:
            ledger.timebank_confirm(body=time_bank, record=record, by=p[receiver])
    mandate_grant(
        body=bakery,
        holder=p["bruno"],
        role="Treasurer",
        powers=["ledger.record_external"],
        term_days=90,
        granted_by=BY_DECISION,
    )
    funds = Currency.objects.get(body=bakery, kind=Currency.Kind.MONEY)
    for direction, amount, memo in (
        ("in", 1240_00, "bread sales, week 47"),
        ("out", 310_00, "flour from the Millers' Co-op"),
    ):
        ledger.external_record(
            body=bakery, currency=funds, by=p["bruno"], direction=direction, amount=amount,
            memo=memo, client_key=f"demo-funds-{direction}",
        )  # fmt: skip
    credits = Currency.objects.get(body=exchange, kind=Currency.Kind.MUTUAL_CREDIT)
    for payer, payee, amount, memo in (
        ("chen", "farida", 35_00, "vegetables from the allotment"),
        ("amara", "emeka", 12_50, "bike repair"),
        ("farida", "gus", 20_00, "two hours of bookkeeping"),
    ):
        ledger.transfer_create(
            body=exchange, by=p[payer],
            from_account=ledger.account_open(body=exchange, currency=credits, person=p[payer]),
            to_account=ledger.account_open(body=exchange, currency=credits, person=p[payee]),
            amount=amount, memo=memo, client_key=f"demo-{payer}-{payee}",
        )  # fmt: skip


def _seed_decisions(p: dict[str, Person], assembly: Body) -> None:
    """The assembly's proposals: one decided and carried out, one in voting, one in
    deliberation. Two were opened in the past, so the demo shows every stage at once."""
    decided = _in_voting(
        proposal_create(
            body=assembly,
            author=p["amara"],
            title="Open the tool library on Saturdays",
            text="The tool library in the basement of the library hall opens on **Saturdays**, "
            "10:00 to 14:00, kept by volunteers on a rota.",
            actions=[
                {"name": "resolution", "params": {"text": "The tool library opens on Saturdays."}}
            ],
        )
    )
    for first, choice in (("amara", "yes"), ("bruno", "yes"), ("chen", "yes"), ("dolores", "no"),
                          ("emeka", "yes"), ("farida", "abstain"), ("hana", "yes")):  # fmt: skip
        ballot_cast(proposal=decided, voter=p[first], content={"choice": choice})

    voting = _in_voting(
        proposal_create(
            body=assembly,
            author=p["farida"],
            title="Plant twelve trees on Elm Street",
            text="Elm Street has no shade. We ask the council for twelve street trees and "
            "water them ourselves through the first two summers.",
        )
    )
    comment_add(proposal=voting, author=p["chen"], text="Lindens, please: they feed the bees.")
    for first in ("farida", "chen", "hana"):
        ballot_cast(proposal=voting, voter=p[first], content={"choice": "yes"})

    deliberating = proposal_open(
        proposal=proposal_create(
            body=assembly,
            author=p["emeka"],
            title="Repaint the library hall",
            text="The hall needs paint before winter. Volunteers on two weekends in March.",
        ),
        by=p["emeka"],
    )
    comment_add(
        proposal=deliberating, author=p["dolores"], text="Which colour? Let us ask the children."
    )


def _in_voting(draft: Proposal) -> Proposal:
    """Open ``draft`` as if it had been written and opened its deliberation time ago, so
    that voting opened an hour ago: its page then tells a story in the past tense (written,
    opened, voting opened) instead of "voting opens" on a date to come."""
    rule = draft.body.charter.rule_for(draft.decision_kind)
    now = timezone.now()
    opened = now - timedelta(days=rule.deliberation_days, hours=1)
    # The seed stands in for a draft written back then; created_at is set on insert.
    Proposal.objects.filter(pk=draft.pk).update(created_at=opened)
    proposal = proposal_open(proposal=draft, by=draft.author, now=opened)
    return proposal_refresh(proposal=proposal, now=now)


def describe(seeded: Seeded, *, url: str) -> str:
    """The text the demo prints: what happened and who can sign in."""
    state = "seeded Eastside" if seeded.created else "Eastside was already seeded"
    lines = [
        f"dualpower demo: {state}.",
        f"Sign in at {url} as any of these neighbours, password: {PASSWORD}",
        "",
    ]
    width = max(len(person.email) for person in seeded.people)
    for person in seeded.people:
        bodies = ", ".join(
            m.body.name + (" (applicant)" if m.status == "applicant" else "")
            for m in selectors.person_bodies(person=person)
        )
        lines.append(f"  {person.email:<{width}}  {person.name:<14} {bodies or '(no bodies)'}")
    return "\n".join(lines)
