"""Properties of the journal's hash chain, checked on exported records (no database).

For any sequence of appends the chain verifies; changing any one field of any one entry
makes verification name exactly that entry.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dualpower.bodies.journal import GENESIS, canonical_json, entry_hash, verify_records

# No per-example deadline: a busy CI machine must not turn slowness into a failure.
relaxed = settings(deadline=None)

FIELDS = ("payload", "kind", "recorded_at", "prev_hash", "hash", "seq")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
payloads = st.dictionaries(st.text(max_size=5), json_values, max_size=3)
kinds = st.sampled_from(["body.founded", "member.joined", "member.left", "mandate.granted"])
timestamps = st.datetimes().map(lambda d: d.isoformat() + "+00:00")
appends = st.lists(st.tuples(kinds, timestamps, payloads), min_size=1, max_size=8)
slugs = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
hashes = st.binary(min_size=32, max_size=32).map(bytes.hex)


def _chain(slug: str, steps: list[tuple[str, str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """What ``journal_append`` stores and ``JournalEntry.as_record`` exports."""
    records: list[dict[str, Any]] = []
    prev = GENESIS
    for seq, (kind, recorded_at, payload) in enumerate(steps, start=1):
        clean = json.loads(canonical_json(payload))
        digest = entry_hash(
            body_slug=slug,
            seq=seq,
            kind=kind,
            recorded_at=recorded_at,
            payload=clean,
            prev_hash=prev,
        )
        records.append(
            {
                "seq": seq,
                "kind": kind,
                "payload": clean,
                "recorded_at": recorded_at,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return records


@relaxed
@given(slug=slugs, steps=appends)
def test_any_sequence_of_appends_verifies(
    slug: str, steps: list[tuple[str, str, dict[str, Any]]]
) -> None:
    report = verify_records(slug, _chain(slug, steps))
    assert report.ok
    assert report.entries == len(steps)
    assert report.broken_seq is None


@relaxed
@given(
    slug=slugs,
    steps=appends,
    data=st.data(),
    field=st.sampled_from(FIELDS),
)
def test_changing_one_field_of_one_entry_names_exactly_that_entry(
    slug: str, steps: list[tuple[str, str, dict[str, Any]]], data: st.DataObject, field: str
) -> None:
    records = _chain(slug, steps)
    index = data.draw(st.integers(min_value=0, max_value=len(records) - 1), label="index")
    old = records[index][field]
    new: Any
    match field:
        case "payload":
            new = json.loads(canonical_json(data.draw(payloads, label="new payload")))
        case "kind":
            new = data.draw(st.text(max_size=20), label="new kind")
        case "recorded_at":
            new = data.draw(timestamps, label="new recorded_at")
        case "prev_hash" | "hash":
            new = data.draw(hashes, label="new hash")
        case _:
            new = data.draw(st.integers(min_value=-5, max_value=100), label="new seq")
    assume(canonical_json(new) != canonical_json(old))
    records[index] = {**records[index], field: new}

    report = verify_records(slug, records)

    assert not report.ok
    assert report.broken_seq == index + 1
    assert f"entry #{index + 1} is broken" in report.line()


@relaxed
@given(slug=slugs, other=slugs, steps=appends)
def test_a_chain_does_not_verify_under_another_body_s_name(
    slug: str, other: str, steps: list[tuple[str, str, dict[str, Any]]]
) -> None:
    assume(slug != other)
    report = verify_records(other, _chain(slug, steps))
    assert not report.ok
    assert report.broken_seq == 1
