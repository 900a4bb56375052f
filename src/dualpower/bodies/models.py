"""Bodies, their members, charters, mandates, invitations and journal.

Every table that grows is keyed by body, so a very large deployment can shard on it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from .charter import BODY_KINDS, KIND_LABELS, Charter

KIND_CHOICES = [(k, KIND_LABELS[k]) for k in BODY_KINDS]


class Body(models.Model):
    """Any self-governing group. Its kind picks a starter charter; it grants no power."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    about = models.TextField(blank=True, max_length=5000)
    # Mirrors the current charter's visibility (kept in step by the services that adopt a
    # charter) so that listings can filter in SQL.
    visibility = models.CharField(max_length=10, default="public")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_charter(self) -> CharterVersion:
        version = self.charter_versions.order_by("-number").first()
        assert version is not None, "every body is founded with a charter"
        return version

    @property
    def charter(self) -> Charter:
        cached: Charter | None = getattr(self, "_charter_cache", None)
        if cached is None:
            cached = self.current_charter().charter
            self._charter_cache = cached
        return cached


class Membership(models.Model):
    class Status(models.TextChoices):
        APPLICANT = "applicant", "Applicant"
        MEMBER = "member", "Member"
        FORMER = "former", "Former member"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["body", "person"],
                condition=~Q(status="former"),
                name="one_live_membership_per_person_and_body",
            )
        ]
        indexes = [models.Index(fields=["body", "status"])]

    def __str__(self) -> str:
        return f"{self.person} in {self.body} ({self.status})"


class CharterVersion(models.Model):
    """One version of a body's rules. Version 1 is adopted at founding; every later
    version is adopted by a decision."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="charter_versions")
    number = models.PositiveIntegerField()
    rules = models.JSONField()
    adopted_at = models.DateTimeField(auto_now_add=True)
    adopted_by = models.CharField(
        max_length=200, help_text="'founding' or the decision that adopted it"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="one_charter_number_per_body")
        ]
        ordering = ["body", "number"]

    def __str__(self) -> str:
        return f"{self.body} charter v{self.number}"

    @property
    def charter(self) -> Charter:
        return Charter.model_validate(self.rules)


class Mandate(models.Model):
    """A role with named powers, held by a person for a term, granted by a decision,
    recallable at any time by decision. The only source of power in the system."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="mandates")
    role = models.CharField(max_length=120)
    powers = models.JSONField(default=list)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandates"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    granted_by = models.CharField(max_length=200)
    recalled_at = models.DateTimeField(null=True, blank=True)
    recalled_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["body", "role", "starts_at"]
        indexes = [models.Index(fields=["body", "holder"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="mandate_term_is_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} ({self.holder}) in {self.body}"


class Invitation(models.Model):
    """An expiring, single-use link into a body. Only the token's SHA-256 is stored."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="invitations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    digest = models.CharField(max_length=64, unique=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"invitation to {self.body}"


class JournalEntry(models.Model):
    """Append-only, hash-chained log of one body. On PostgreSQL a trigger refuses UPDATE
    and DELETE on this table (see migration 0002)."""

    # Look-ups by body use the (body, seq) unique key: no index of its own to write.
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="journal", db_index=False)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=60)
    payload = models.JSONField()
    recorded_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "seq"], name="one_journal_seq_per_body")
        ]
        ordering = ["body", "seq"]

    def __str__(self) -> str:
        return f"{self.body_id}#{self.seq} {self.kind}"

    def as_record(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "payload": self.payload,
            "recorded_at": self.recorded_at.isoformat(),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }
