"""The GIN index behind PostgreSQL's full-text search. SQLite has no such index (its
search matches the folded text: search.selectors), so there the migration does nothing."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS search_entry_vector_gin ON search_searchentry USING gin (vector)"
)
DROP = "DROP INDEX IF EXISTS search_entry_vector_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
