"""Drop the indexes of their own on a transfer's body and currency and an entry's transfer
and account: the unique keys and composite indexes that begin with those columns serve
the same look-ups, and every index is written by every transfer (about 5% of what a
payment costs the database; see docs/performance.md)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bodies", "0003_journal_body_index_covered_by_unique_key"),
        ("ledger", "0004_leaner_payment_function"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="ledger.account",
            ),
        ),
        migrations.AlterField(
            model_name="entry",
            name="transfer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="ledger.transfer",
            ),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="body",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ledger_transfers",
                to="bodies.body",
            ),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="currency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="transfers",
                to="ledger.currency",
            ),
        ),
    ]
