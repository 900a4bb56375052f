"""On PostgreSQL, refuse UPDATE and DELETE on the journal table: history is append-only.

(SQLite has no such trigger here; ``dualpower journal verify`` catches any rewrite there.)
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION dualpower_journal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only: %% refused on bodies_journalentry', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER bodies_journalentry_append_only
    BEFORE UPDATE OR DELETE ON bodies_journalentry
    FOR EACH ROW EXECUTE FUNCTION dualpower_journal_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS bodies_journalentry_append_only ON bodies_journalentry;
DROP FUNCTION IF EXISTS dualpower_journal_append_only();
"""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("bodies", "0001_bodies_members_charters_mandates_journal")]
    operations = [migrations.RunPython(forward, backward)]
