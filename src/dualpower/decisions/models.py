"""Proposals, their deliberation, ballots and outcomes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from dualpower.bodies.charter import DecisionRule
from dualpower.bodies.models import Body


class Proposal(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        DELIBERATION = "deliberation", "Deliberation"
        VOTING = "voting", "Voting"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="proposals")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    text = models.TextField(max_length=50000, help_text="Markdown, sanitised when shown")
    decision_kind = models.CharField(max_length=30, default="general")
    actions = models.JSONField(default=list, help_text="[{'name': ..., 'params': {...}}]")
    options = models.JSONField(
        default=list, help_text="[{'key','label','person'}] for choice methods"
    )
    rule = models.JSONField(null=True, blank=True, help_text="the charter rule, frozen when opened")
    state = models.CharField(max_length=15, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    voting_opens_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    second_round_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="a blocked consensus proposal this one puts again, under the fallback",
    )
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="when members were told voting closes soon"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="one_proposal_number_per_body")
        ]
        indexes = [
            models.Index(fields=["state", "voting_closes_at"]),
            models.Index(fields=["body", "state"]),
        ]
        ordering = ["body", "-number"]

    def __str__(self) -> str:
        return f"{self.body.slug}#{self.number} {self.title}"

    @property
    def path(self) -> str:
        return f"/bodies/{self.body.slug}/proposals/{self.number}/"

    @property
    def ref(self) -> str:
        return f"proposal {self.number}"

    @property
    def decision_rule(self) -> DecisionRule:
        if self.rule is not None:
            return DecisionRule.model_validate(self.rule)
        from .services import effective_rule

        return effective_rule(self.body.charter.rule_for(self.decision_kind), self)

    def option_keys(self) -> list[str]:
        return [str(o["key"]) for o in self.options]


class Cosignature(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosignatures")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "person"], name="one_cosignature_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} co-signs {self.proposal}"


class Candidacy(models.Model):
    """A member who stands for a mandate to be filled by election."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="candidacies")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="one_candidacy_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} stands in {self.proposal}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    text = models.TextField(max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.proposal}"


class Amendment(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=50000, help_text="the proposal's text as amended")
    reason = models.TextField(blank=True, max_length=5000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"amendment {self.pk} to {self.proposal}"


class Participation(models.Model):
    """That a person voted, kept apart from what they voted when the ballot is secret."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "person"], name="one_participation_per_voter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} voted in {self.proposal}"


class Ballot(models.Model):
    """One counted ballot. ``voter`` is set for open ballots only: a secret ballot is
    linked to nobody, and found again only by its receipt code, which the voter holds."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt = models.CharField(max_length=32)
    content = models.JSONField()
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "receipt"], name="one_ballot_per_receipt"),
            models.UniqueConstraint(
                fields=["proposal", "voter"],
                condition=models.Q(voter__isnull=False),
                name="one_open_ballot_per_voter",
            ),
        ]

    def __str__(self) -> str:
        return f"ballot {self.receipt} in {self.proposal}"


class Outcome(models.Model):
    class Execution(models.TextChoices):
        NOTHING = "nothing", "Nothing to carry out"
        CARRIED_OUT = "carried_out", "Carried out"
        NOT_CARRIED_OUT = "not_carried_out", "Passed, not carried out"

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="outcome")
    passed = models.BooleanField()
    result = models.JSONField(help_text="the counting library's Result, as JSON")
    members = models.PositiveIntegerField()
    participants = models.PositiveIntegerField()
    seed = models.CharField(max_length=64)
    execution = models.CharField(max_length=20, choices=Execution.choices)
    execution_error = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"outcome of {self.proposal}"

    @property
    def summary(self) -> str:
        if not self.passed:
            return "Did not pass"
        if self.execution == self.Execution.NOT_CARRIED_OUT:
            return "Passed, not carried out"
        return "Passed"

    def winners(self) -> list[Any]:
        return list(self.result.get("winners", []))
