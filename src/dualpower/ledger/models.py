"""The ledger: currencies, accounts, transfers and their entries, in double entry.

Amounts are integers in a currency's smallest unit: cents for money, hundredths for a
mutual-credit unit with two decimals, and hundredths of an hour for ``hours`` (so 1.25
hours is stored as 125). Every applied transfer has exactly two entries, a debit
(negative) on the paying account and a credit (positive) on the receiving one, stored on
the transfer itself (the balances after it) in the same transaction that moves the
balances; so each balance equals the sum of its entries, and the balances of one currency
always sum to zero (the body's accounts included).

The database holds the invariants too: CHECK constraints keep each balance within its
limit and ceiling and every amount positive, so no bug in the services can overdraw an
account, even under concurrency.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from dualpower.bodies.models import Body


class Currency(models.Model):
    """One ledger of a body. Its row is the per-ledger lock (see services)."""

    class Kind(models.TextChoices):
        HOURS = "hours", "Hours (time bank)"
        MUTUAL_CREDIT = "mutual_credit", "Mutual credit"
        MONEY = "money", "Money"

    class Recording(models.TextChoices):
        RECEIVER_CONFIRMS = "receiver_confirms", "The giver records, the receiver confirms"
        EITHER_SIDE_DISPUTES = (
            "either_side_disputes",
            "Either side records, the other may dispute",
        )

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="currencies")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=60)
    code = models.SlugField(max_length=12)
    decimals = models.PositiveSmallIntegerField(default=2)
    # Set by a decision that changes the limit for everyone; None: the charter's default.
    default_limit = models.BigIntegerField(null=True, blank=True)
    default_ceiling = models.BigIntegerField(null=True, blank=True)
    # How hours are recorded (a time bank's charter option, kept here and changed by the
    # ``ledger_settings`` decision action): the receiver confirms each record, or either
    # side records and it applies at once, the other side disputing within dispute_days.
    recording = models.CharField(
        max_length=24, choices=Recording.choices, default=Recording.RECEIVER_CONFIRMS
    )
    dispute_days = models.PositiveSmallIntegerField(default=7)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["body", "code"]
        verbose_name_plural = "currencies"
        constraints = [
            models.UniqueConstraint(fields=["body", "code"], name="one_currency_code_per_body"),
            models.CheckConstraint(condition=Q(decimals__lte=6), name="currency_decimals_le_6"),
            models.CheckConstraint(
                condition=Q(dispute_days__gte=1, dispute_days__lte=365),
                name="currency_dispute_days_1_to_365",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Account(models.Model):
    """A member's account in one currency, or one of the body's own accounts.

    ``limit`` is how far below zero the balance may go (None: no limit, which only the
    body's commons and external accounts have); ``ceiling`` is how high it may rise.
    """

    class Kind(models.TextChoices):
        MEMBER = "member", "Member"
        COMMONS = "commons", "Commons"
        FUNDS = "funds", "Funds"
        EXTERNAL = "external", "Outside world"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="ledger_accounts")
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    balance = models.BigIntegerField(default=0)
    limit = models.BigIntegerField(null=True, blank=True)
    ceiling = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "person"],
                condition=Q(person__isnull=False),
                name="one_account_per_member_and_currency",
            ),
            models.UniqueConstraint(
                fields=["currency", "kind"],
                condition=Q(person__isnull=True),
                name="one_body_account_per_kind_and_currency",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(kind="member"),
                name="account_of_a_person_is_a_member_account",
            ),
            models.CheckConstraint(
                condition=Q(limit__isnull=True) | Q(limit__gte=0), name="account_limit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(limit__isnull=True) | Q(balance__gte=-F("limit")),
                name="account_balance_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(ceiling__isnull=True) | Q(balance__lte=F("ceiling")),
                name="account_balance_within_ceiling",
            ),
        ]

    def __str__(self) -> str:
        owner = self.person.name if self.person is not None else self.get_kind_display()
        return f"{owner} · {self.currency.code}"

    @property
    def label(self) -> str:
        if self.person is not None:
            return self.person.name
        return f"{self.body.name} ({self.get_kind_display().lower()})"


# The reason a withdrawn record carries: declined by the one who recorded it.
WITHDRAWN = "withdrawn by the giver"


class TransferQuerySet(models.QuerySet["Transfer"]):
    def with_entries(self) -> TransferQuerySet:
        """The transfers that have their two entries: those whose payer's side is stored
        (the rule of the view ledger_entry, migration 0006)."""
        return self.filter(from_balance_after__isnull=False)


class Transfer(models.Model):
    """A request to move ``amount`` between two accounts of one currency, and its outcome.

    Refused requests are kept so that a retry with the same client key gets the same
    answer. Nothing is ever edited: a mistake is undone by a transfer that ``reverses`` it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Refused"
        DECLINED = "declined", "Declined"

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        HOURS = "hours", "Hours given"
        EXTERNAL = "external", "Money in or out"
        REVERSAL = "reversal", "Reversal"
        DECISION = "decision", "By decision"

    # No index of their own on body and currency: the unique key (body, key owner, client
    # key) and the (currency, status, settled_at) index serve look-ups by either, and
    # every index is written by every transfer.
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="ledger_transfers", db_index=False
    )
    currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, related_name="transfers", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Indexed with settled_at (Meta): an account's entries in order (see Entry).
    from_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="debits", db_index=False
    )
    to_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="credits", db_index=False
    )
    amount = models.BigIntegerField()
    memo = models.CharField(max_length=200, blank=True)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=200, blank=True)
    # Idempotency: a key is unique per body and per requester ("person:<id>" or
    # "decision:<ref>"; a dispute's own key is owned by "dispute:<id>", apart from the
    # person's keys); the digest is over the request's content.
    key_owner = models.CharField(max_length=120)
    client_key = models.CharField(max_length=100)
    request_digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_transfers",
    )
    decision = models.CharField(max_length=200, blank=True)
    # Hours recorded under "either side records": until when the other side may dispute
    # them (fixed when recorded, so a later change of dispute_days moves no window).
    dispute_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # The two sides of an applied transfer (its entries): the payer's and the payee's
    # balance right after it. NULL while pending and when refused or declined. The view
    # ledger_entry reads this table: a migration that alters it drops the view first and
    # creates it again after (see migration 0006).
    from_balance_after = models.BigIntegerField(null=True, blank=True)
    to_balance_after = models.BigIntegerField(null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["body", "pk"]
        indexes = [
            models.Index(fields=["currency", "status", "settled_at"]),
            models.Index(fields=["from_account", "settled_at"]),
            models.Index(fields=["to_account", "settled_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "key_owner", "client_key"], name="one_transfer_per_client_key"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(from_account=F("to_account")), name="transfer_between_two_accounts"
            ),
            # A transfer is reversed at most once.
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(status="applied"),
                name="one_applied_reversal_per_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"transfer {self.pk} ({self.status})"

    @property
    def withdrawn(self) -> bool:
        """Declined by the one who recorded it, before the receiver answered."""
        return self.status == Transfer.Status.DECLINED and self.reason == WITHDRAWN

    def reason_for(self, person_id: int | None) -> str:
        """The reason as ``person_id`` may read it. A refusal past a member's limit or
        ceiling gives its figure, which is that member's to read: anyone else (the other
        side of the exchange) reads only whose limit or ceiling it was."""
        if self.reason.startswith("over the limit"):
            side, bound = self.from_account, "limit"
        elif self.reason.startswith("over the ceiling"):
            side, bound = self.to_account, "ceiling"
        else:
            return self.reason
        if side.person_id is None or side.person_id == person_id:
            return self.reason
        return f"over the {bound} of {side.label}'s account"


class Entry(models.Model):
    """One side of an applied transfer: negative on the payer, positive on the payee.

    Read only: a view (migration 0006) over the transfers whose sides are stored, two
    rows each, ``2 * id`` the payer's and ``2 * id + 1`` the payee's, ``created_at`` the
    transfer's ``settled_at``. Storing both sides on the transfer row spares every
    transfer two rows with their indexes and foreign keys (migration 0006 says how much).
    """

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="ledger_entries")
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    amount = models.BigIntegerField()
    balance_after = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        managed = False
        db_table = "ledger_entry"
        ordering = ["account", "pk"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"entry {self.pk}: {self.amount}"
