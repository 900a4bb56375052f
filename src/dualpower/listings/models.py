"""Offers and needs, the mutual-aid hub's intake, and the audit trail of who saw whom.

Contact details of a person who asked for help without an account live only on
``HelpRequest``; ``ContactView`` records every time someone was shown them, and the
retention task blanks them a set number of days after the request closed, leaving the
listing (category, area, dates) for the statistics.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dualpower.bodies.models import Body

TIME_BANK_CATEGORIES = [
    "Childcare",
    "Cooking",
    "Gardening",
    "Language practice",
    "Repairs",
    "Tech help",
    "Transport",
    "Tutoring",
    "Other",
]
MUTUAL_AID_CATEGORIES = [
    "Groceries",
    "Medicine",
    "Meals",
    "Rent and bills",
    "Transport",
    "Childcare",
    "Company and check-ins",
    "Other",
]
INTAKE_FIELDS = ("name", "phone", "email", "address")
DEFAULT_RETENTION_DAYS = 30


class HubSettings(models.Model):
    """A body's own lists (categories, neighbourhoods), what its public help form asks,
    and how long a requester's contact details are kept after closing. Changed by a
    decision (the ``listings_settings`` action)."""

    body = models.OneToOneField(Body, on_delete=models.PROTECT, related_name="hub_settings")
    categories = models.JSONField(default=list)
    areas = models.JSONField(default=list)
    intake_fields = models.JSONField(default=list)
    retention_days = models.PositiveIntegerField(default=DEFAULT_RETENTION_DAYS)

    def __str__(self) -> str:
        return f"hub settings of {self.body}"


class Listing(models.Model):
    class Kind(models.TextChoices):
        OFFER = "offer", "Offer"
        NEED = "need", "Need"

    class Urgency(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Anyone who may see the body"
        MEMBERS = "members", "Members"
        COORDINATORS = "coordinators", "Coordinators only"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLAIMED = "claimed", "Claimed"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="listings")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=4000)
    category = models.CharField(max_length=60)
    area = models.CharField(max_length=60, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    when = models.CharField(max_length=120, blank=True)
    hours = models.PositiveIntegerField(default=0, help_text="hundredths of an hour")
    visibility = models.CharField(max_length=15, choices=Visibility.choices)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    # None for a help request made through the public form (the requester has no account).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listings",
    )
    counterpart = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matched_listings",
    )
    owner_contact = models.CharField(max_length=200, blank=True)
    counterpart_contact = models.CharField(max_length=200, blank=True)
    settlement = models.ForeignKey(
        "ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["body", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="one_listing_number_per_body")
        ]
        indexes = [models.Index(fields=["body", "status", "category"])]

    def __str__(self) -> str:
        return f"{self.body_id}#{self.number} {self.title}"

    @property
    def matched(self) -> bool:
        return self.counterpart_id is not None and self.status in (
            self.Status.CLAIMED,
            self.Status.IN_PROGRESS,
            self.Status.DONE,
        )


class HelpRequest(models.Model):
    """A request for help made through the hub's public form. Its listing is a need seen
    by coordinators only; the requester follows it through a private link whose token is
    stored only as a SHA-256 digest."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="help_requests")
    listing = models.OneToOneField(Listing, on_delete=models.PROTECT, related_name="help_request")
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=254, blank=True)
    address = models.CharField(max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"help request {self.pk} in {self.body_id}"


class ContactView(models.Model):
    """One showing of a requester's contact details: who saw them, when."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    help_request = models.ForeignKey(HelpRequest, on_delete=models.PROTECT, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        indexes = [models.Index(fields=["body", "viewed_at"])]

    def __str__(self) -> str:
        return f"{self.viewer_id} saw request {self.help_request_id} at {self.viewed_at}"


class IntakeCounter(models.Model):
    """Requests from one client address to one hub in one hour (the address is kept only
    as a salted digest, and counters older than a day are deleted)."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.count} since {self.window_start}"
