"""What the API keeps for itself: the idempotency keys of retried requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` and the answer it got, so that a retry replays it.

    The key is unique per person. ``request_hash`` is the SHA-256 of the operation and
    its validated input: the same key with other content is refused (409).
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=200)
    operation = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="one_idempotency_key_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
