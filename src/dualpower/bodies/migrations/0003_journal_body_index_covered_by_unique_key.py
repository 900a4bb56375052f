"""Drop the journal's index of its own on body: the (body, seq) unique key serves every
look-up by body, and each journal entry written (one per transfer) wrote both."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bodies", "0002_journal_is_append_only_on_postgresql"),
    ]

    operations = [
        migrations.AlterField(
            model_name="journalentry",
            name="body",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="journal",
                to="bodies.body",
            ),
        ),
    ]
