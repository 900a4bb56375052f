"""In-app notifications and each person's choice, per body, of how to hear of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dualpower.bodies.models import Body


class Preference(models.Model):
    class Mode(models.TextChoices):
        EVERY = "every", "An e-mail for every event"
        DIGEST = "digest", "A daily digest"
        NONE = "none", "No e-mail (in the app only)"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EVERY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "body"], name="one_preference_per_person_and_body"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} hears of {self.body} by {self.mode}"


class Notification(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    text = models.TextField(max_length=5000)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    mode = models.CharField(max_length=10, help_text="the person's choice when it was made")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "read_at"]),
            models.Index(fields=["mode", "emailed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.person}"
