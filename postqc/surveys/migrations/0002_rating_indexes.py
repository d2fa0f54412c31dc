"""Ratings are the biggest table (21 per response): drop the single-column FK indexes that
rating_uniq (response, item) and rating_item_idx already cover, and on PostgreSQL let rating_uniq
carry `value` (INCLUDE), so the index recompute reads every rating in response order from the
index alone (an index-only scan) instead of visiting the table. SQLite has no INCLUDE; there the
constraint stays as it was."""
import django.db.models.deletion
from django.db import migrations, models

COVERING = "UNIQUE (response_id, item_id) INCLUDE (value)"
PLAIN = "UNIQUE (response_id, item_id)"


def _recreate(definition: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("surveys", "Rating")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT rating_uniq, "
                              f"ADD CONSTRAINT rating_uniq {definition}")
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rating",
            name="item",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="ratings", to="surveys.item"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="response",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="ratings", to="surveys.response"),
        ),
        migrations.RunPython(_recreate(COVERING), _recreate(PLAIN), elidable=False),
    ]
