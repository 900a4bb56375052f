from __future__ import annotations

import itertools

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from dualpower.bodies.journal import GENESIS, journal_head, journal_verify
from dualpower.bodies.models import Body, JournalEntry


def test_the_chain_starts_at_genesis_and_links_every_entry(assembly: Body) -> None:
    entries = list(JournalEntry.objects.filter(body=assembly).order_by("seq"))
    assert entries[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    assert journal_head(body=assembly) == entries[-1].hash


def test_verify_names_a_tampered_entry(assembly: Body) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses the UPDATE itself: see the trigger test")
    target = JournalEntry.objects.filter(body=assembly).order_by("seq")[1]
    JournalEntry.objects.filter(pk=target.pk).update(payload={"rewritten": True})
    report = journal_verify(body=assembly)
    assert not report.ok
    assert report.broken_seq == target.seq
    assert f"#{target.seq}" in report.line()


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_update_or_delete_the_journal(assembly: Body) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    entry = JournalEntry.objects.filter(body=assembly).first()
    assert entry is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(kind="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).delete()
    assert JournalEntry.objects.get(pk=entry.pk).kind == entry.kind
