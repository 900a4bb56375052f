"""Federation from below: bodies join by two decisions, leave by their own, and a
federation decides by the ratification of every member body under its own charter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dualpower import voting
from dualpower.bodies.journal import journal_append
from dualpower.bodies.models import Body, Mandate
from dualpower.bodies.selectors import body_member_count
from dualpower.core.errors import Conflict, Invalid, NotAllowed, NotFound
from dualpower.decisions import services as decisions
from dualpower.decisions.models import Outcome, Proposal

from .models import DelegateInstruction, DelegateVote, FederationMembership, Ratification

FEDERATING_KINDS = ("federation", "council")
Status = FederationMembership.Status


def _ref(body: Body) -> dict[str, Any]:
    return {"slug": body.slug, "name": body.name}


def body_by_slug(slug: str) -> Body:
    body = Body.objects.filter(slug=slug).first()
    if body is None:
        raise NotFound(f"no such body: {slug}")
    return body


def member_bodies(*, federation: Body, at: datetime | None = None) -> list[Body]:
    """The member bodies now, or those ``federation`` had at ``at`` (including those that
    left since, not those that joined since)."""
    memberships = FederationMembership.objects.filter(federation=federation)
    if at is None:
        memberships = memberships.filter(status=Status.MEMBER)
    else:
        memberships = memberships.filter(joined_at__lte=at).filter(
            Q(left_at__isnull=True) | Q(left_at__gt=at)
        )
    ids = memberships.values_list("member_id", flat=True)
    return list(Body.objects.filter(pk__in=ids).order_by("name"))


def federations_of(*, body: Body) -> list[Body]:
    ids = FederationMembership.objects.filter(member=body, status=Status.MEMBER).values_list(
        "federation_id", flat=True
    )
    return list(Body.objects.filter(pk__in=ids).order_by("name"))


def _below(body: Body) -> set[int]:
    """Every body federated, at any depth, under ``body``."""
    seen: set[int] = set()
    frontier = {body.pk}
    while frontier:
        ids = set(
            FederationMembership.objects.filter(federation_id__in=frontier)
            .exclude(status=Status.FORMER)
            .values_list("member_id", flat=True)
        )
        frontier = ids - seen
        seen |= ids
    return seen


def federation_check(*, federation: Body, member: Body) -> FederationMembership | None:
    """Raise unless ``member`` may join ``federation``; return a pending membership."""
    if federation.kind not in FEDERATING_KINDS:
        raise Invalid(f"{federation.name} is not a federation or council of bodies")
    if federation.pk == member.pk or federation.pk in _below(member):
        raise Invalid(f"{member.name} cannot join {federation.name}: federations do not loop")
    live = FederationMembership.objects.filter(federation=federation, member=member).exclude(
        status=Status.FORMER
    )
    current = live.first()
    if current is not None and current.status == Status.MEMBER:
        raise Conflict(f"{member.name} is already a member of {federation.name}")
    return current


def federation_consent(
    *, federation: Body, member: Body, side: str, decision: str
) -> FederationMembership:
    """Record one side's decision; the body becomes a member when both have decided."""
    with transaction.atomic():
        current = federation_check(federation=federation, member=member)
        fm = current or FederationMembership.objects.create(federation=federation, member=member)
        fm = FederationMembership.objects.select_for_update().get(pk=fm.pk)
        field = "body_decision" if side == "body" else "federation_decision"
        if getattr(fm, field):
            raise Conflict("this side has already decided")
        setattr(fm, field, decision)
        fields = [field]
        if fm.body_decision and fm.federation_decision:
            fm.status, fm.joined_at = Status.MEMBER, timezone.now()
            fields += ["status", "joined_at"]
        fm.save(update_fields=fields)
        kind = "federation.joined" if fm.status == Status.MEMBER else "federation.consented"
        payload = {
            "federation": _ref(federation),
            "member": _ref(member),
            "side": side,
            "by": decision,
        }
        journal_append(body=federation, kind=kind, payload=payload)
        journal_append(body=member, kind=kind, payload=payload)
    return fm


def federation_leave(*, federation: Body, member: Body, decision: str) -> FederationMembership:
    """A body leaves by its own decision alone, at any time."""
    with transaction.atomic():
        fm = (
            FederationMembership.objects.select_for_update()
            .filter(federation=federation, member=member)
            .exclude(status=Status.FORMER)
            .first()
        )
        if fm is None:
            raise Conflict(f"{member.name} is not in {federation.name}")
        fm.status, fm.left_at = Status.FORMER, timezone.now()
        fm.save(update_fields=["status", "left_at"])
        payload = {"federation": _ref(federation), "member": _ref(member), "by": decision}
        journal_append(body=federation, kind="federation.left", payload=payload)
        journal_append(body=member, kind="federation.left", payload=payload)
    return fm


def ratifications_open(fed_proposal: Proposal) -> list[Ratification]:
    """Open a linked ratification proposal in every member body (decided under that
    body's own charter, by the federation's deadline)."""
    federation = fed_proposal.body
    if federation.charter.federation.mode != "ratification":
        return []
    members = member_bodies(federation=federation)
    now = timezone.now()
    opened = []
    for member in members:
        draft = Proposal.objects.create(
            body=member,
            number=decisions.proposal_number_next(body=member),
            author=fed_proposal.author,
            title=f"Ratify for {federation.name}: {fed_proposal.title}"[:200],
            text=f"{federation.name} asks its member bodies to ratify proposal "
            f"{fed_proposal.number}.\n\n{fed_proposal.text}",
            decision_kind="federation",
        )
        rule = decisions.effective_rule(member.charter.rule_for("federation"), draft)
        ratification = Ratification.objects.create(
            federation_proposal=fed_proposal,
            member=member,
            proposal=draft,
            weight=body_member_count(body=member),
        )
        decisions.open_now(draft, rule=rule, now=now, closes_at=fed_proposal.voting_closes_at)
        opened.append(ratification)
    if members:
        journal_append(
            body=federation,
            kind="ratification.opened",
            payload={"proposal": fed_proposal.number, "bodies": [_ref(m) for m in members]},
        )
    return opened


def ratification_record(proposal: Proposal) -> None:
    """When a member body decides a ratification, record its vote in the federation, and
    close the federation's count early once every member body has decided."""
    ratification = (
        Ratification.objects.filter(proposal=proposal).select_related("federation_proposal").first()
    )
    if ratification is None:
        return
    outcome = Outcome.objects.get(proposal=proposal)
    ratification.vote = Ratification.Vote.RATIFIED if outcome.passed else Ratification.Vote.REJECTED
    ratification.decided_at = outcome.decided_at
    ratification.save(update_fields=["vote", "decided_at"])
    fed_proposal = ratification.federation_proposal
    journal_append(
        body=fed_proposal.body,
        kind="ratification.recorded",
        payload={
            "proposal": fed_proposal.number,
            "member": _ref(ratification.member),
            "vote": ratification.vote,
        },
    )
    live = _live_ratifications(fed_proposal)
    if fed_proposal.state == Proposal.State.VOTING and all(
        r.vote != Ratification.Vote.PENDING for r in live
    ):
        # at the time of the decision that completed it (not later: a count is as of then)
        decisions.proposal_close_now(proposal=fed_proposal, now=outcome.decided_at)


def _live_ratifications(fed_proposal: Proposal) -> list[Ratification]:
    """Ratifications of bodies that are still members (a body that left no longer counts)."""
    members = {b.pk for b in member_bodies(federation=fed_proposal.body)}
    return [
        r
        for r in Ratification.objects.filter(federation_proposal=fed_proposal).select_related(
            "member"
        )
        if r.member_id in members
    ]


@dataclass(frozen=True)
class BodyCount:
    """Member bodies' votes counted by the federation charter's rule. It names no body:
    which member bodies a person may see is for the pages to decide."""

    passed: bool
    need: str
    ratified: int
    rejected: int
    pending: int
    members: int

    @property
    def explanation(self) -> str:
        if not self.members:
            return "Fails: no member body took part."
        verdict = "Passes" if self.passed else "Fails"
        return (
            f"{verdict}: needed {self.need}; {self.ratified} for, {self.rejected} against, "
            f"{self.pending} not decided."
        )


def _count_bodies(
    fed_proposal: Proposal, votes: dict[int, str], weights: dict[int, int]
) -> BodyCount:
    """Count member bodies' votes ('for', 'against', or absent: not decided) by the
    federation charter's rule; ``weights`` holds every member body taking part."""
    rules = fed_proposal.body.charter.federation
    total = len(weights)
    ratified = [pk for pk in weights if votes.get(pk) == "for"]
    rejected = [pk for pk in weights if votes.get(pk) == "against"]
    if rules.count == "weighted":
        weight_for, weight_all = sum(weights[pk] for pk in ratified), sum(weights.values())
        passed = 2 * weight_for > weight_all
        need = f"more than half of {weight_all} members, weighted by body ({weight_for} for)"
    elif rules.count == "supermajority":
        passed = total > 0 and len(ratified) >= rules.threshold * total
        need = f"at least {rules.threshold:.0%} of {total} member bodies"
    elif rules.count == "consensus":
        passed = bool(ratified) and not rejected
        need = "no member body rejecting, at least one ratifying"
    else:
        passed = 2 * len(ratified) > total
        need = f"more than half of {total} member bodies"
    return BodyCount(
        passed=passed,
        need=need,
        ratified=len(ratified),
        rejected=len(rejected),
        pending=total - len(ratified) - len(rejected),
        members=total,
    )


def _as_result(fed_proposal: Proposal, count: BodyCount) -> voting.Result:
    # The stored outcome names no member body: anyone who may see the federation's
    # decisions reads it, and some member bodies may be hidden from them.
    rules = fed_proposal.body.charter.federation
    counts = {
        "ratified": float(count.ratified),
        "rejected": float(count.rejected),
        "not decided": float(count.pending),
    }
    return voting.Result(
        method=f"{rules.mode} ({rules.count})",
        winners=(),
        rounds=(voting.Round(number=1, counts=counts, note=count.explanation),),
        passed=count.passed,
        explanation=count.explanation,
    )


def body_count(*, fed_proposal: Proposal) -> BodyCount | None:
    """The count so far of a federation proposal decided by its member bodies (by their
    ratifications or their delegates), or None if its own members vote on it."""
    if Ratification.objects.filter(federation_proposal=fed_proposal).exists():
        live = _live_ratifications(fed_proposal)
        as_vote = {Ratification.Vote.RATIFIED: "for", Ratification.Vote.REJECTED: "against"}
        votes = {r.member_id: as_vote[r.vote] for r in live if r.vote in as_vote}  # type: ignore[index]
        return _count_bodies(fed_proposal, votes, {r.member_id: r.weight for r in live})
    if _decided_by_delegates(fed_proposal):
        return _delegate_count(fed_proposal)
    return None


def ratification_tally(fed_proposal: Proposal, members: int) -> voting.Result | None:
    """The federation's count of its member bodies' decisions, by its charter's rule."""
    count = body_count(fed_proposal=fed_proposal)
    return None if count is None else _as_result(fed_proposal, count)


def _decided_by_delegates(fed_proposal: Proposal) -> bool:
    federation = fed_proposal.body
    return federation.charter.federation.mode == "delegates" and bool(
        member_bodies(federation=federation)
    )


def ratification_guard(proposal: Proposal, voter: Any) -> None:
    if Ratification.objects.filter(federation_proposal=proposal).exists():
        raise Conflict(
            "this federation decides by the ratification of its member bodies: vote in your own body"
        )
    if _decided_by_delegates(proposal):
        raise Conflict("in this federation the member bodies' delegates vote, each for their body")


def ratification_progress(*, fed_proposal: Proposal) -> list[Ratification]:
    """For the federation's page: each member body's decision, live."""
    return _live_ratifications(fed_proposal)


def pending_ratifications(*, body: Body, now: datetime | None = None) -> list[Ratification]:
    """Ratifications waiting for a member body's decision."""
    return list(
        Ratification.objects.filter(member=body, vote=Ratification.Vote.PENDING)
        .select_related("federation_proposal__body", "proposal")
        .order_by("proposal__voting_closes_at")
    )


REPRESENT = "federation.represent"


def _live_delegate_mandate(*, person: Any, member: Body) -> Mandate | None:
    now = timezone.now()
    live = Mandate.objects.filter(
        body=member, holder=person, recalled_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    )
    return next((m for m in live if REPRESENT in m.powers), None)


def delegate_instruct(
    *, mandate: Mandate, fed_proposal: Proposal, vote: str, decided_by: str
) -> DelegateInstruction:
    """Bind a delegate's vote on a federation proposal (a decision of the delegate's body)."""
    if REPRESENT not in mandate.powers:
        raise Invalid("this mandate does not represent the body in a federation")
    if vote not in DelegateInstruction.Vote.values:
        raise Invalid("an instruction is yes, no or abstain")
    with transaction.atomic():
        instruction, _ = DelegateInstruction.objects.update_or_create(
            mandate=mandate,
            federation_proposal=fed_proposal,
            defaults={"vote": vote, "decided_by": decided_by},
        )
        journal_append(
            body=mandate.body,
            kind="delegate.instructed",
            payload={
                "mandate": mandate.pk,
                "federation": _ref(fed_proposal.body),
                "proposal": fed_proposal.number,
                "vote": vote,
                "by": decided_by,
            },
        )
    return instruction


def delegate_vote(
    *, fed_proposal: Proposal, delegate: Any, member: Body, choice: str
) -> DelegateVote:
    """A delegate votes for their body; a vote against the body's instruction is refused."""
    if not _decided_by_delegates(fed_proposal):
        raise Conflict("this federation does not decide by delegates")
    if member not in member_bodies(federation=fed_proposal.body):
        raise NotAllowed(f"{member.name} is not a member body of {fed_proposal.body.name}")
    mandate = _live_delegate_mandate(person=delegate, member=member)
    if mandate is None:
        raise NotAllowed(f"you hold no live mandate to represent {member.name}")
    if choice not in DelegateInstruction.Vote.values:
        raise Invalid("a delegate votes yes, no or abstain")
    fed_proposal = decisions.proposal_refresh(proposal=fed_proposal)
    instruction = DelegateInstruction.objects.filter(
        mandate=mandate, federation_proposal=fed_proposal
    ).first()
    if instruction is not None and instruction.vote != choice:
        raise NotAllowed(
            f"{member.name} instructed you to vote {instruction.vote} on this proposal"
        )
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=fed_proposal.pk)
        if locked.state != Proposal.State.VOTING:
            raise Conflict(
                "voting is closed"
                if locked.state == Proposal.State.CLOSED
                else "voting is not open"
            )
        vote, _ = DelegateVote.objects.update_or_create(
            federation_proposal=locked,
            member=member,
            defaults={"mandate": mandate, "choice": choice, "cast_at": timezone.now()},
        )
        journal_append(
            body=locked.body,
            kind="delegate.voted",
            payload={"proposal": locked.number, "member": _ref(member), "choice": choice},
        )
    return vote


def delegate_tally(fed_proposal: Proposal) -> voting.Result:
    """Count the delegates' votes; a vote whose mandate was recalled or ended does not count."""
    return _as_result(fed_proposal, _delegate_count(fed_proposal))


def _delegate_count(fed_proposal: Proposal) -> BodyCount:
    members = member_bodies(federation=fed_proposal.body)
    now = timezone.now()
    votes: dict[int, str] = {}
    for v in DelegateVote.objects.filter(federation_proposal=fed_proposal).select_related(
        "mandate"
    ):
        live = v.mandate.recalled_at is None and v.mandate.ends_at > now
        if live and v.choice in ("yes", "no"):
            votes[v.member_id] = "for" if v.choice == "yes" else "against"
    return _count_bodies(fed_proposal, votes, {b.pk: body_member_count(body=b) for b in members})


def delegate_may_comment(person: Any, power: str, body: Body) -> bool:
    """Policy grant: a member body's delegate takes part in the federation's deliberation."""
    if power != "comment" or not getattr(person, "is_authenticated", False):
        return False
    return any(
        _live_delegate_mandate(person=person, member=m) for m in member_bodies(federation=body)
    )
