"""`dualpower journal verify` and `dualpower journal export`, called through main()."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body, JournalEntry
from dualpower.bodies.services import body_found
from dualpower.cli import main

TABLE = JournalEntry._meta.db_table
TRIGGER = "bodies_journalentry_append_only"


@contextmanager
def _append_only_trigger_off() -> Iterator[None]:
    """Let a test rewrite history on PostgreSQL, as an attacker with the owner's rights
    could. ALTER TABLE is transactional there: the test's rollback restores the trigger
    even if the test fails."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred; ALTER TABLE wants no checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _rewrite_kind(entry: JournalEntry, kind: str) -> None:
    with _append_only_trigger_off(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET kind = %s WHERE id = %s", [kind, entry.pk])


def _export(capsys: pytest.CaptureFixture[str], slug: str, path: Path) -> list[str]:
    assert main(["journal", "export", slug]) == 0
    out = capsys.readouterr().out
    path.write_text(out)
    return out.splitlines()


def test_verify_prints_one_line_per_body_and_exits_0_when_every_chain_holds(
    capsys: pytest.CaptureFixture[str], assembly: Body, union: Body, caucus: Body
) -> None:
    assert main(["journal", "verify"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == sorted(
        [assembly.slug, union.slug, caucus.slug]
    )
    assert all(line.endswith("chain holds") for line in lines)


def test_verify_of_one_body_checks_only_that_body(
    capsys: pytest.CaptureFixture[str], assembly: Body, union: Body
) -> None:
    assert main(["journal", "verify", assembly.slug]) == 0
    count = JournalEntry.objects.filter(body=assembly).count()
    assert capsys.readouterr().out == f"{assembly.slug}: {count} entries, chain holds\n"


def test_verify_without_bodies_says_so(capsys: pytest.CaptureFixture[str], db: None) -> None:
    assert main(["journal", "verify"]) == 0
    assert capsys.readouterr().out == "no bodies yet\n"


def test_verify_names_the_entry_that_was_rewritten_in_the_database(
    capsys: pytest.CaptureFixture[str], assembly: Body, union: Body
) -> None:
    target = JournalEntry.objects.filter(body=assembly).order_by("seq")[2]
    _rewrite_kind(target, "member.forged")
    assert main(["journal", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"{assembly.slug}: entry #{target.seq} is broken" in out
    assert f"{union.slug}: " in out and "chain holds" in out


def test_an_unknown_body_is_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], db: None
) -> None:
    assert main(["journal", "verify", "atlantis"]) == 2
    assert main(["journal", "export", "atlantis"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == ["dualpower: error: no such body: atlantis"] * 2


def test_the_operator_verifies_and_exports_a_hidden_body_too(
    capsys: pytest.CaptureFixture[str], caucus: Body
) -> None:
    assert main(["journal", "verify", caucus.slug]) == 0
    assert main(["journal", "export", caucus.slug]) == 0
    assert caucus.slug in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_a_raw_sql_rewrite_of_the_journal(assembly: Body) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    entry = JournalEntry.objects.filter(body=assembly).first()
    assert entry is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET payload = '{{}}' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    assert JournalEntry.objects.get(pk=entry.pk).payload == entry.payload


def test_export_is_a_header_then_one_entry_per_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, assembly: Body
) -> None:
    lines = _export(capsys, assembly.slug, tmp_path / "x.jsonl")
    entries = list(JournalEntry.objects.filter(body=assembly).order_by("seq"))
    header = json.loads(lines[0])
    assert header == {
        "format": "dualpower-journal",
        "version": 1,
        "body": assembly.slug,
        "entries": len(entries),
        "head": entries[-1].hash,
    }
    assert [json.loads(line) for line in lines[1:]] == [e.as_record() for e in entries]


def test_an_export_round_trips_through_verify_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, assembly: Body
) -> None:
    path = tmp_path / "assembly.jsonl"
    _export(capsys, assembly.slug, path)
    assert main(["journal", "verify", "--file", str(path)]) == 0
    count = JournalEntry.objects.filter(body=assembly).count()
    assert capsys.readouterr().out == f"{assembly.slug}: {count} entries, chain holds\n"


def test_verify_file_names_an_entry_edited_in_the_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, assembly: Body
) -> None:
    path = tmp_path / "assembly.jsonl"
    lines = _export(capsys, assembly.slug, path)
    record = json.loads(lines[3])  # entry #3
    record["payload"]["by"] = "someone else"
    lines[3] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    assert main(["journal", "verify", "--file", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{assembly.slug}: entry #3 is broken")


def test_verify_file_notices_an_export_cut_short(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, assembly: Body
) -> None:
    path = tmp_path / "assembly.jsonl"
    lines = _export(capsys, assembly.slug, path)
    path.write_text("\n".join(lines[:-1]) + "\n")
    assert main(["journal", "verify", "--file", str(path)]) == 1
    assert f"entry #{len(lines) - 1} is broken: the file is cut short" in capsys.readouterr().out


def test_verify_file_reads_stdin(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    assembly: Body,
) -> None:
    path = tmp_path / "assembly.jsonl"
    _export(capsys, assembly.slug, path)
    monkeypatch.setattr("sys.stdin", path.open())
    assert main(["journal", "verify", "--file", "-"]) == 0
    assert "chain holds" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "empty, not a journal export"),
        ("not json\n", "line 1: not JSON"),
        ('{"format": "something-else"}\n', "line 1: not a dualpower-journal header"),
        ('{"format": "dualpower-journal", "body": "x"}\n[1, 2]\n', "line 2: not a JSON object"),
    ],
)
def test_a_malformed_export_is_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: None, content: str, problem: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    assert main(["journal", "verify", "--file", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert problem in err[0]


def test_a_missing_export_file_is_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: None
) -> None:
    assert main(["journal", "verify", "--file", str(tmp_path / "nope.jsonl")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"dualpower: error: {tmp_path / 'nope.jsonl'}: No such file or directory"]


def test_an_empty_journal_exports_and_verifies(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, alice: Person
) -> None:
    body = body_found(founder=alice, name="Quiet Group", kind="working_group")
    with _append_only_trigger_off(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE body_id = %s", [body.pk])
    path = tmp_path / "quiet.jsonl"
    lines = _export(capsys, body.slug, path)
    assert json.loads(lines[0])["entries"] == 0
    assert main(["journal", "verify", "--file", str(path)]) == 0
    assert capsys.readouterr().out == f"{body.slug}: 0 entries, chain holds\n"
