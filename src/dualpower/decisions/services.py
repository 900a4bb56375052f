"""The life of a proposal: draft → deliberation → voting → outcome → execution.

Timing, quorum, threshold, method and ballot secrecy come from the charter's rule for the
proposal's kind of decision, frozen when the proposal opens. Deadlines are kept by the
worker (``tasks.proposals_advance``) and also on first access (``proposal_refresh``), so
nothing hangs while the worker is down.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from dualpower import voting
from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.charter import DECISION_KINDS, DecisionRule
from dualpower.bodies.journal import journal_append, journal_head, person_ref
from dualpower.bodies.models import Body
from dualpower.bodies.selectors import body_member_count
from dualpower.core.errors import Conflict, DomainError, Invalid, NotAllowed
from dualpower.notifications.services import notify_members

from . import actions as registry
from .counting import CHOICE_METHODS, ballot_validate, count, quorum_met
from .models import (
    Amendment,
    Ballot,
    Candidacy,
    Comment,
    Cosignature,
    Outcome,
    Participation,
    Proposal,
)

State = Proposal.State


def _decision_kind(requested: str | None, built: list[registry.Action]) -> str:
    kinds = {a.decision_kind for a in built if a.decision_kind != "general"}
    if len(kinds) > 1:
        raise Invalid("one proposal takes one kind of decision: split these actions")
    inferred = kinds.pop() if kinds else "general"
    if requested in (None, "", "general"):
        return inferred
    if requested not in DECISION_KINDS:
        raise Invalid(f"unknown kind of decision {requested!r}")
    if inferred != "general" and requested != inferred:
        raise Invalid(f"these actions need a {inferred} decision, not {requested}")
    return requested


def _clean_options(labels: list[str]) -> list[dict[str, Any]]:
    cleaned = [label.strip() for label in labels if label.strip()]
    if len(set(cleaned)) != len(cleaned):
        raise Invalid("two options have the same name")
    if any(len(label) > 200 for label in cleaned):
        raise Invalid("an option is longer than 200 characters")
    return [{"key": label, "label": label, "person": None} for label in cleaned]


def is_election(actions: list[dict[str, Any]]) -> bool:
    return any(
        a.get("name") == "fill_mandate" and not (a.get("params") or {}).get("holder")
        for a in actions
    )


def proposal_create(
    *,
    body: Any,
    author: Person,
    title: str,
    text: str = "",
    decision_kind: str | None = None,
    actions: list[dict[str, Any]] | None = None,
    options: list[str] | None = None,
) -> Proposal:
    """Write a draft. Its actions are validated and checked now, and again at execution."""
    title = title.strip()
    if not title or len(title) > 200:
        raise Invalid("a proposal needs a title of 1 to 200 characters")
    if len(text) > 50000:
        raise Invalid("the text is longer than 50,000 characters")
    specs = list(actions or [])
    if len(specs) > 20:
        raise Invalid("a proposal carries at most 20 actions")
    built = [registry.build(spec) for spec in specs]
    kind = _decision_kind(decision_kind, built)
    if not policy.may_propose(author, body, kind):
        if not policy.can(author, "decisions.view", body):
            raise NotAllowed("only members may write proposals here")
        raise NotAllowed(f"the charter does not let you propose {kind.replace('_', ' ')} decisions")
    ctx = registry.Context(body=body, decision="draft")
    for action in built:
        action.check(ctx)
    rule = body.charter.rule_for(kind)
    election = is_election(specs)
    opts = _clean_options(options or [])
    if rule.method in CHOICE_METHODS and not election and len(opts) == 1:
        raise Invalid(
            f"a {rule.method} vote needs at least two options (or none, for a yes/no vote)"
        )
    if rule.method not in CHOICE_METHODS and (opts or election):
        raise Invalid(
            f"a {rule.method} vote takes no options: change the charter's method for {kind} decisions"
        )
    with transaction.atomic():
        return Proposal.objects.create(
            body=body,
            number=proposal_number_next(body=body),
            author=author,
            title=title,
            text=text,
            decision_kind=kind,
            actions=[{"name": a.name, "params": a.params.model_dump(mode="json")} for a in built],
            options=opts,
        )


def proposal_number_next(*, body: Any) -> int:
    """The next proposal number of ``body``. Call inside a transaction: the body's row is
    locked so that two proposals written at once do not take the same number."""
    Body.objects.select_for_update().filter(pk=body.pk).values_list("pk").get()
    return (Proposal.objects.filter(body=body).aggregate(n=Max("number"))["n"] or 0) + 1


def effective_rule(rule: DecisionRule, proposal: Proposal) -> DecisionRule:
    """The charter's rule as it applies to this proposal: a question with no options
    under a choice method (say, a mandate offered to one named person where elections
    use STV) is put as a yes/no motion with the same quorum, threshold and secrecy."""
    if rule.method in CHOICE_METHODS and not proposal.options and not is_election(proposal.actions):
        return rule.model_copy(update={"method": "motion"})
    return rule


def proposal_cosign(*, proposal: Proposal, person: Person) -> Cosignature:
    if not policy.can(person, "cosign", proposal.body):
        raise NotAllowed("only members may co-sign")
    if proposal.state != State.DRAFT:
        raise Conflict("only a draft gathers co-signers")
    if person.pk == proposal.author_id:
        raise Conflict("the author does not co-sign their own proposal")
    try:
        with transaction.atomic():
            return Cosignature.objects.create(proposal=proposal, person=person)
    except IntegrityError:
        raise Conflict("you have already co-signed") from None


def _enqueue_advance(when: datetime) -> None:
    from .tasks import proposals_advance

    transaction.on_commit(lambda: proposals_advance.using(run_after=when).enqueue())


def proposal_open(*, proposal: Proposal, by: Person, now: datetime | None = None) -> Proposal:
    """Open a draft for deliberation (or straight to voting when the charter allows no
    deliberation), freezing the charter's rule for it."""
    if by.pk != proposal.author_id:
        raise NotAllowed("only the author opens a proposal")
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state != State.DRAFT:
            raise Conflict("this proposal is already open")
        rule = effective_rule(locked.body.charter.rule_for(locked.decision_kind), locked)
        have = locked.cosignatures.count()
        if have < rule.cosigners:
            raise Conflict(
                f"the charter asks for {rule.cosigners} co-signers; this proposal has {have}"
            )
        return open_now(locked, rule=rule, now=now or timezone.now())


def open_now(
    locked: Proposal, *, rule: DecisionRule, now: datetime, closes_at: datetime | None = None
) -> Proposal:
    """Open a locked draft under ``rule``. Also used by modules that open proposals on a
    body's behalf (a federation opening ratifications), with their own deadline."""
    locked.rule = rule.model_dump(mode="json")
    locked.opened_at = now
    locked.voting_opens_at = now + timedelta(days=rule.deliberation_days)
    locked.voting_closes_at = closes_at or locked.voting_opens_at + timedelta(days=rule.voting_days)
    if locked.voting_opens_at > locked.voting_closes_at:
        locked.voting_opens_at = now
    locked.state = State.VOTING if locked.voting_opens_at <= now else State.DELIBERATION
    locked.save(update_fields=["rule", "opened_at", "voting_opens_at", "voting_closes_at", "state"])
    journal_append(
        body=locked.body,
        kind="proposal.opened",
        payload={
            "proposal": locked.number,
            "title": locked.title,
            "author": person_ref(locked.author),
            "decision_kind": locked.decision_kind,
            "actions": locked.actions,
            "rule": locked.rule,
            "voting_opens_at": locked.voting_opens_at.isoformat(),
            "voting_closes_at": locked.voting_closes_at.isoformat(),
        },
    )
    _enqueue_advance(locked.voting_opens_at)
    _enqueue_advance(locked.voting_closes_at - timedelta(hours=24))
    _enqueue_advance(locked.voting_closes_at)
    if locked.state == State.VOTING:
        _tell(locked, "voting.opened", f"Voting is open: {locked.title}")
        _run_hooks(VOTING_OPENED, locked)
    else:
        _tell(locked, "proposal.opened", f"New proposal: {locked.title}")
    return locked


# Extension points for modules built on the engine (federation): each is a list of
# callables, appended to by an app's ``ready()``.
VOTING_OPENED: list[Callable[[Proposal], None]] = []
"""Called inside the transaction when a proposal's voting opens."""
CLOSED: list[Callable[[Proposal], None]] = []
"""Called inside the transaction right after a proposal is decided."""
TALLY: list[Callable[[Proposal, int], voting.Result | None]] = []
"""Asked at the close (with the member count) for a count that replaces the ballots'."""
BALLOT_GUARD: list[Callable[[Proposal, Person], None]] = []
"""Asked before a ballot is cast; may raise a DomainError to refuse it."""


def ballot_refusal(*, proposal: Proposal, voter: Any) -> str | None:
    """Why a module refuses this voter's ballot here (a federation decided by its member
    bodies), or None: so that pages show the reason instead of a ballot form."""
    for guard in BALLOT_GUARD:
        try:
            guard(proposal, voter)
        except DomainError as e:
            return e.message
    return None


def _run_hooks(hooks: list[Callable[[Proposal], None]], proposal: Proposal) -> None:
    for hook in hooks:
        hook(proposal)


def _tell(proposal: Proposal, event: str, subject: str) -> None:
    when = ""
    if proposal.voting_opens_at and proposal.voting_closes_at:
        when = (
            f"\nVoting opens {proposal.voting_opens_at:%Y-%m-%d %H:%M} UTC and closes "
            f"{proposal.voting_closes_at:%Y-%m-%d %H:%M} UTC."
        )
    notify_members(
        body=proposal.body,
        event=event,
        subject=subject,
        text=f"{proposal.body.name}, proposal {proposal.number}: {proposal.title}{when}",
        url=proposal.path,
    )


def proposal_withdraw(*, proposal: Proposal, by: Person) -> Proposal:
    if by.pk != proposal.author_id:
        raise NotAllowed("only the author withdraws a proposal")
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state not in (State.DRAFT, State.DELIBERATION):
            raise Conflict("a proposal can be withdrawn only before voting opens")
        was_open = locked.state == State.DELIBERATION
        locked.state = State.WITHDRAWN
        locked.closed_at = timezone.now()
        locked.save(update_fields=["state", "closed_at"])
        if was_open:
            journal_append(
                body=locked.body, kind="proposal.withdrawn", payload={"proposal": locked.number}
            )
    return locked


def comment_add(
    *, proposal: Proposal, author: Person, text: str, parent: Comment | None = None
) -> Comment:
    if not policy.can(author, "comment", proposal.body):
        raise NotAllowed("only members may comment")
    if proposal.state not in (State.DELIBERATION, State.VOTING):
        raise Conflict("comments are open during deliberation and voting")
    text = text.strip()
    if not text or len(text) > 10000:
        raise Invalid("a comment needs 1 to 10,000 characters")
    if parent is not None and parent.proposal_id != proposal.pk:
        raise Invalid("a reply must answer a comment on the same proposal")
    return Comment.objects.create(proposal=proposal, author=author, text=text, parent=parent)


def amendment_propose(
    *, proposal: Proposal, author: Person, text: str, reason: str = ""
) -> Amendment:
    if not policy.can(author, "amend", proposal.body):
        raise NotAllowed("only members may propose amendments")
    if proposal.state != State.DELIBERATION:
        raise Conflict("amendments are proposed during deliberation")
    if not text.strip() or len(text) > 50000:
        raise Invalid("an amendment needs the amended text (1 to 50,000 characters)")
    if text.strip() == proposal.text.strip():
        raise Invalid("the amended text is the same as the proposal's")
    with transaction.atomic():
        amendment = Amendment.objects.create(
            proposal=proposal, author=author, text=text, reason=reason.strip()[:5000]
        )
        if proposal.decision_rule.amendments == "vote":
            # The charter puts amendments to a vote of their own: a linked draft that the
            # amendment's author opens like any proposal.
            proposal_create(
                body=proposal.body,
                author=author,
                title=f"Amend proposal {proposal.number}: {proposal.title}"[:200],
                text=reason,
                actions=[{"name": "accept_amendment", "params": {"amendment": amendment.pk}}],
            )
    return amendment


def amendment_decide(*, amendment: Amendment, by: Person, accept: bool) -> Amendment:
    """The author accepts or rejects an amendment (where the charter leaves it to them)."""
    proposal = amendment.proposal
    if by.pk != proposal.author_id:
        raise NotAllowed("only the proposal's author decides on amendments")
    if proposal.decision_rule.amendments != "author":
        raise Conflict("the charter puts amendments to a vote of their own")
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state != State.DELIBERATION:
            raise Conflict("amendments are decided during deliberation")
        am = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if am.state != Amendment.State.PROPOSED:
            raise Conflict("this amendment was already decided")
        am.state = Amendment.State.ACCEPTED if accept else Amendment.State.REJECTED
        am.decided_at = timezone.now()
        am.save(update_fields=["state", "decided_at"])
        if accept:
            locked.text = am.text
            locked.save(update_fields=["text"])
            journal_append(
                body=locked.body,
                kind="proposal.amended",
                payload={
                    "proposal": locked.number,
                    "amendment": am.pk,
                    "author": person_ref(am.author),
                },
            )
    return am


def candidacy_stand(*, proposal: Proposal, person: Person, statement: str = "") -> Candidacy:
    """Stand for a mandate that the proposal fills by election."""
    if not policy.can(person, "stand", proposal.body):
        raise NotAllowed("only members may stand")
    if not is_election(proposal.actions):
        raise Conflict("this proposal does not hold an election")
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state not in (State.DRAFT, State.DELIBERATION):
            raise Conflict("candidacies close when voting opens")
        try:
            with transaction.atomic():
                candidacy = Candidacy.objects.create(
                    proposal=locked, person=person, statement=statement.strip()[:5000]
                )
        except IntegrityError:
            raise Conflict("you are already standing") from None
        locked.options = [
            *locked.options,
            {"key": f"p{person.pk}", "label": person.name, "person": person.pk},
        ]
        locked.save(update_fields=["options"])
    return candidacy


def proposal_refresh(*, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """Move a proposal on if its deadlines have passed: open voting, remind members a day
    before the close, and close and count it when voting is over."""
    now = now or timezone.now()
    opens, closes = proposal.voting_opens_at, proposal.voting_closes_at
    live = proposal.state in (State.DELIBERATION, State.VOTING)
    due_voting = proposal.state == State.DELIBERATION and opens is not None and opens <= now
    due_close = live and closes is not None and closes <= now
    due_reminder = (
        proposal.state == State.VOTING
        and proposal.reminded_at is None
        and closes is not None
        and closes - timedelta(hours=24) <= now
    )
    if not (due_voting or due_close or due_reminder):
        return proposal
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("body").get(pk=proposal.pk)
        opens, closes = locked.voting_opens_at, locked.voting_closes_at
        if locked.state == State.DELIBERATION and opens is not None and opens <= now:
            locked.state = State.VOTING
            locked.save(update_fields=["state"])
            journal_append(
                body=locked.body, kind="proposal.voting_opened", payload={"proposal": locked.number}
            )
            _tell(locked, "voting.opened", f"Voting is open: {locked.title}")
            _run_hooks(VOTING_OPENED, locked)
        if locked.state == State.VOTING and closes is not None and closes <= now:
            _close(locked, now=now)
        elif (
            locked.state == State.VOTING
            and locked.reminded_at is None
            and closes is not None
            and closes - timedelta(hours=24) <= now
        ):
            locked.reminded_at = now
            locked.save(update_fields=["reminded_at"])
            _tell(locked, "voting.closing", f"Voting closes within 24 hours: {locked.title}")
    return locked


def _new_receipt() -> str:
    return secrets.token_hex(8)


def ballot_cast(
    *, proposal: Proposal, voter: Person, content: Any, receipt: str | None = None
) -> str:
    """Cast or change a ballot; return its receipt code. The last ballot before the close
    counts. A secret ballot is changed only by presenting its receipt code."""
    if not policy.can(voter, "vote", proposal.body):
        raise NotAllowed("only members vote")
    proposal = proposal_refresh(proposal=proposal)
    with transaction.atomic():
        # One lock per proposal: two ballots from one member at one instant are applied
        # one after the other, and the second replaces the first.
        locked = Proposal.objects.select_for_update().select_related("body").get(pk=proposal.pk)
        if locked.state != State.VOTING:
            raise Conflict(
                "voting is closed" if locked.state == State.CLOSED else "voting is not open"
            )
        for guard in BALLOT_GUARD:
            guard(locked, voter)
        rule = locked.decision_rule
        clean = ballot_validate(rule, locked.option_keys(), content)
        now = timezone.now()
        voted_before = Participation.objects.filter(proposal=locked, person=voter).exists()
        if rule.ballot == "open":
            ballot = Ballot.objects.filter(proposal=locked, voter=voter).first()
            if ballot is None:
                ballot = Ballot.objects.create(
                    proposal=locked, voter=voter, receipt=_new_receipt(), content=clean, cast_at=now
                )
            else:
                ballot.content, ballot.cast_at = clean, now
                ballot.save(update_fields=["content", "cast_at"])
        elif voted_before:
            ballot = Ballot.objects.filter(
                proposal=locked, voter__isnull=True, receipt=(receipt or "").strip()
            ).first()
            if ballot is None:
                raise Conflict(
                    "you have already voted; give your receipt code to change your secret ballot"
                )
            ballot.content, ballot.cast_at = clean, now
            ballot.save(update_fields=["content", "cast_at"])
        else:
            ballot = Ballot.objects.create(
                proposal=locked, voter=None, receipt=_new_receipt(), content=clean, cast_at=now
            )
        if not voted_before:
            Participation.objects.create(proposal=locked, person=voter)
        if Participation.objects.filter(proposal=locked).count() >= body_member_count(
            body=locked.body
        ):
            _close(locked, now=now, early=True)
    return ballot.receipt


def _close(proposal: Proposal, *, now: datetime, early: bool = False) -> Outcome:
    """Count and decide; if passed, carry out the actions all together or not at all."""
    body = proposal.body
    rule: DecisionRule = proposal.decision_rule
    members = body_member_count(body=body)
    participants = Participation.objects.filter(proposal=proposal).count()
    ballots = list(
        Ballot.objects.filter(proposal=proposal)
        .order_by("receipt")
        .values_list("content", flat=True)
    )
    seed = journal_head(body=body)
    override = next((r for r in (hook(proposal, members) for hook in TALLY) if r is not None), None)
    result = override or count(
        rule=rule,
        options=proposal.option_keys(),
        ballots=ballots,
        members=members,
        seed=seed,
        second_round=proposal.second_round_of_id is not None,
    )
    passed = bool(result.passed)
    explanation = result.explanation
    if (
        override is None
        and passed
        and rule.method in CHOICE_METHODS
        and not quorum_met(rule, participants, members)
    ):
        passed, explanation = (
            False,
            f"Fails: no quorum ({participants} of {members} members took part).",
        )
    execution, error = Outcome.Execution.NOTHING, ""
    if passed and proposal.actions:
        ctx = registry.Context(
            body=body,
            decision=proposal.ref,
            winners=tuple(result.winners),
            options=tuple(proposal.options),
        )
        try:
            with transaction.atomic():
                for spec in proposal.actions:
                    action = registry.build(spec)
                    action.check(ctx)
                    action.apply(ctx)
            execution = Outcome.Execution.CARRIED_OUT
        except DomainError as e:
            execution, error = Outcome.Execution.NOT_CARRIED_OUT, e.message
    result_json = result.to_json() | {"passed": passed, "explanation": explanation}
    outcome = Outcome.objects.create(
        proposal=proposal,
        passed=passed,
        result=result_json,
        members=members,
        participants=participants,
        seed=seed,
        execution=execution,
        execution_error=error,
        decided_at=now,
    )
    proposal.state = State.CLOSED
    proposal.closed_at = now
    proposal.save(update_fields=["state", "closed_at"])
    journal_append(
        body=body,
        kind="proposal.decided",
        payload={
            "proposal": proposal.number,
            "passed": passed,
            "winners": list(result.winners),
            "members": members,
            "participants": participants,
            "seed": seed,
            "early": early,
            "execution": execution,
            "execution_error": error,
            "counts": result.rounds[-1].counts if result.rounds else {},
        },
    )
    verdict = "passed" if passed else "did not pass"
    if execution == Outcome.Execution.NOT_CARRIED_OUT:
        verdict = "passed, not carried out"
    _tell(proposal, "proposal.decided", f"Decided ({verdict}): {proposal.title}")
    _run_hooks(CLOSED, proposal)
    return outcome


def proposal_second_round(*, proposal: Proposal, by: Person) -> Proposal:
    """Put a blocked consensus proposal again, as a draft decided by the charter's
    fallback supermajority (where the charter sets one)."""
    if by.pk != proposal.author_id:
        raise NotAllowed("only the author puts a proposal to a second round")
    outcome = Outcome.objects.filter(proposal=proposal).first()
    rule = proposal.decision_rule
    if outcome is None or outcome.passed or rule.method != "consensus":
        raise Conflict("only a consensus proposal that failed can go to a second round")
    if rule.consensus_fallback is None:
        raise Conflict("the charter sets no fallback for a blocked consensus")
    if proposal.second_round_of_id is not None:
        raise Conflict("this proposal was already a second round")
    with transaction.atomic():
        draft = proposal_create(
            body=proposal.body,
            author=by,
            title=f"{proposal.title} (second round)"[:200],
            text=proposal.text,
            decision_kind=proposal.decision_kind,
            actions=proposal.actions,
        )
        draft.second_round_of = proposal
        draft.save(update_fields=["second_round_of"])
    return draft


def proposal_close_now(*, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """Close and count a proposal in voting at once (every voter has decided)."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().select_related("body").get(pk=proposal.pk)
        if locked.state == State.VOTING:
            _close(locked, now=now or timezone.now(), early=True)
    return locked


def proposals_advance_due(*, now: datetime | None = None) -> int:
    """Advance every proposal whose deadline has passed; return how many moved."""
    now = now or timezone.now()
    due = Proposal.objects.filter(state__in=[State.DELIBERATION, State.VOTING]).filter(
        voting_opens_at__lte=now
    )
    moved = 0
    # By deadline, and at one deadline the newest first: a proposal that others decide
    # (a federation's, ratified by its member bodies' votes, opened after it and closing
    # with it) is counted after them, not before with them still "not decided".
    order = (F("voting_closes_at").asc(nulls_last=True), "-pk")
    for proposal in due.select_related("body").order_by(*order):
        before = proposal.state
        after = proposal_refresh(proposal=proposal, now=now)
        moved += after.state != before
    return moved
