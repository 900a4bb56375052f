"""A transfer stores its two sides itself, and ``ledger_entry`` becomes a view of them.

Every applied transfer wrote a transfer row and two entry rows, each entry with its
indexes and deferred foreign-key triggers. Now the transfer row holds the payer's and
the payee's balance after it (``from_balance_after``, ``to_balance_after``; NULL while
pending and when refused or declined), and ``ledger_entry`` is a view with the same
columns as the table it replaces, two rows per transfer whose sides are stored:

    (2 * id,     body_id, id, from_account_id, -amount, from_balance_after, settled_at)
    (2 * id + 1, body_id, id, to_account_id,    amount, to_balance_after,   settled_at)

so ``Entry`` (unmanaged now) reads as before. With 0007, the payment function called
from one session takes 125 us per transfer in batches of 16 instead of 157, and 835
alone instead of 935 (wall time, medians, both measured in one sitting on the 2-core
machine). An entry's ``created_at`` was its transfer's ``settled_at`` on every path
(both are the batch's one ``now``); entries written before payments were batched were
stamped a few microseconds later, in the same transaction, and read now as the
transfer's ``settled_at``.

The transfers' single-column indexes on from_account_id and to_account_id become
(from_account_id, settled_at) and (to_account_id, settled_at): an account's entries in
order, from both branches of the view, as the entry index (account_id, created_at) did.

Steps: add the two columns and swap the indexes; copy each entry's balance onto its
transfer, then check that the view would show exactly the entries there are (same body,
transfer, account and amount: each transfer's two entries, no more and no fewer; the
balances are the entries' own, copied), else the migration stops and drops nothing; drop
the table and create the view. Reversible: the table is created again as 0005 left it
and filled from the transfers (new ids, ``created_at`` = ``settled_at``).

Later migrations, beware: SQLite remakes a table to alter most of its columns, and its
final ``ALTER TABLE ... RENAME`` fails while a view names the table being renamed
("error in view ledger_entry"); PostgreSQL refuses to change the type of a column that a
view uses. Such a migration of ``ledger_transfer`` drops the view first (``DROP_VIEW``)
and creates it again after (``CREATE_VIEW``).

The payment function of 0004 still writes entry rows; 0007 makes it write the sides.
"""

import django.db.models.deletion
from django.db import migrations, models

SIDES = """
    SELECT 2 * id, body_id, id, from_account_id, -amount, from_balance_after, settled_at
    FROM ledger_transfer WHERE from_balance_after IS NOT NULL
    UNION ALL
    SELECT 2 * id + 1, body_id, id, to_account_id, amount, to_balance_after, settled_at
    FROM ledger_transfer WHERE from_balance_after IS NOT NULL
"""

CREATE_VIEW = f"""
CREATE VIEW ledger_entry
    (id, body_id, transfer_id, account_id, amount, balance_after, created_at) AS {SIDES}
"""

DROP_VIEW = "DROP VIEW ledger_entry"

BACKFILL = """
UPDATE ledger_transfer SET
    from_balance_after = (SELECT e.balance_after FROM ledger_entry e
                          WHERE e.transfer_id = ledger_transfer.id
                            AND e.account_id = ledger_transfer.from_account_id),
    to_balance_after = (SELECT e.balance_after FROM ledger_entry e
                        WHERE e.transfer_id = ledger_transfer.id
                          AND e.account_id = ledger_transfer.to_account_id)
WHERE EXISTS (SELECT 1 FROM ledger_entry e WHERE e.transfer_id = ledger_transfer.id)
"""

# The entries the view would show without the ones the table holds, and the other way
# round (created_at apart: see above). Both must be empty.
_STORED = "SELECT body_id, transfer_id, account_id, amount, balance_after FROM ledger_entry"
_SHOWN = """
    SELECT body_id, id, from_account_id, -amount, from_balance_after
    FROM ledger_transfer WHERE from_balance_after IS NOT NULL
    UNION ALL
    SELECT body_id, id, to_account_id, amount, to_balance_after
    FROM ledger_transfer WHERE from_balance_after IS NOT NULL
"""
UNMATCHED = (
    f"SELECT (SELECT count(*) FROM ({_STORED} EXCEPT SELECT * FROM ({_SHOWN}) s) a),"
    f" (SELECT count(*) FROM ({_SHOWN} EXCEPT {_STORED}) b)"
)

# Backwards: the entries again, in the order they were written (the payer's first).
REFILL = """
INSERT INTO ledger_entry (body_id, transfer_id, account_id, amount, balance_after, created_at)
SELECT body_id, id, from_account_id, -amount, from_balance_after, settled_at
FROM ledger_transfer WHERE from_balance_after IS NOT NULL
UNION ALL
SELECT body_id, id, to_account_id, amount, to_balance_after, settled_at
FROM ledger_transfer WHERE from_balance_after IS NOT NULL
ORDER BY 6, 2, 4
"""


def sides_from_entries(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKFILL)
        cursor.execute(UNMATCHED)
        stored_only, shown_only = cursor.fetchone()
    if stored_only or shown_only:
        raise RuntimeError(
            f"ledger_entry does not match its transfers ({stored_only} entries are not one"
            f" side of theirs, {shown_only} sides have no entry): the table is kept; run"
            " `dualpower ledger verify` of the release before this one"
        )


def entries_from_sides(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(REFILL)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_indexes_covered_by_others")]

    operations = [
        migrations.AddField(
            model_name="transfer",
            name="from_balance_after",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="transfer",
            name="to_balance_after",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="from_account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="debits",
                to="ledger.account",
            ),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="to_account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="credits",
                to="ledger.account",
            ),
        ),
        migrations.AddIndex(
            model_name="transfer",
            index=models.Index(
                fields=["from_account", "settled_at"], name="ledger_tran_from_ac_3bc843_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="transfer",
            index=models.Index(
                fields=["to_account", "settled_at"], name="ledger_tran_to_acco_4a8745_idx"
            ),
        ),
        migrations.RunPython(sides_from_entries, entries_from_sides),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                # Backwards: the table again, with 0005's indexes and constraints.
                migrations.DeleteModel(name="Entry"),
                migrations.RunSQL(CREATE_VIEW, DROP_VIEW),
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="entry", name="ledger_entr_account_b86ea8_idx"),
                migrations.RemoveConstraint(
                    model_name="entry", name="one_entry_per_transfer_and_account"
                ),
                migrations.RemoveConstraint(model_name="entry", name="entry_amount_not_zero"),
                migrations.AlterModelOptions(
                    name="entry",
                    options={
                        "managed": False,
                        "ordering": ["account", "pk"],
                        "verbose_name_plural": "entries",
                    },
                ),
                migrations.AlterModelTable(name="entry", table="ledger_entry"),
            ],
        ),
    ]
