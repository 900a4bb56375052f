"""Bodies in bodies: federation membership and ratifications."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dualpower.bodies.models import Body
from dualpower.decisions.models import Proposal


class FederationMembership(models.Model):
    """A body in a federation. It is a member once both have decided: the body by its own
    decision (``federation_join``), the federation by its own (``federation_admit``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the other side's decision"
        MEMBER = "member", "Member"
        FORMER = "former", "Former member"

    federation = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="member_bodies")
    member = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="federations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    body_decision = models.CharField(max_length=200, blank=True)
    federation_decision = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "member"],
                condition=~Q(status="former"),
                name="one_live_federation_membership",
            ),
            models.CheckConstraint(
                condition=~Q(federation=models.F("member")), name="no_body_federates_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.federation} ({self.status})"


class Ratification(models.Model):
    """A member body's decision on a federation proposal, through a linked proposal of
    its own, decided under its own charter."""

    class Vote(models.TextChoices):
        PENDING = "pending", "Not yet decided"
        RATIFIED = "ratified", "Ratified"
        REJECTED = "rejected", "Rejected"

    federation_proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="ratifications"
    )
    member = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="ratifies")
    weight = models.PositiveIntegerField(default=1, help_text="members of the body when it opened")
    vote = models.CharField(max_length=10, choices=Vote.choices, default=Vote.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["federation_proposal", "member"], name="one_ratification_per_body"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.federation_proposal}: {self.vote}"


class DelegateInstruction(models.Model):
    """A member body's instruction to its delegate on one federation proposal, decided
    by the body (action ``instruct_delegate``). Without one, the delegate votes freely."""

    class Vote(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        ABSTAIN = "abstain", "Abstain"

    mandate = models.ForeignKey("bodies.Mandate", on_delete=models.PROTECT, related_name="+")
    federation_proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    vote = models.CharField(max_length=10, choices=Vote.choices)
    decided_by = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mandate", "federation_proposal"], name="one_instruction_per_mandate"
            )
        ]

    def __str__(self) -> str:
        return f"vote {self.vote} on {self.federation_proposal}"


class DelegateVote(models.Model):
    """A delegate's vote for their body on a federation proposal. It counts only while
    the delegate's mandate is live: a recall takes effect at once, also mid-vote."""

    federation_proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="delegate_votes"
    )
    member = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    mandate = models.ForeignKey("bodies.Mandate", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=DelegateInstruction.Vote.choices)
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["federation_proposal", "member"], name="one_delegate_vote_per_body"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} votes {self.choice} on {self.federation_proposal}"
