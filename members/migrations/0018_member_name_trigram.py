"""A trigram index for the member name search, on PostgreSQL only (issue 16,
"Growing to a city"; docs/PERFORMANCE.md, "A city").

The admin's and the portal's name search is `name__icontains`, which
PostgreSQL runs as `UPPER(name::text) LIKE UPPER('%…%')`: with ten million
members a sequential scan of seconds. A GIN index of the same expression's
trigrams (pg_trgm) serves any search of three characters or more — a full
Chinese name — in milliseconds. Shorter searches (a surname and one given
character) have no trigram and still scan; see PERFORMANCE.md.

Not in the model's Meta: SQLite has neither GIN nor pg_trgm, so the index
is made here for PostgreSQL alone and the model state does not know it.
"""

from django.db import migrations

INDEX = "member_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON members_member"
        " USING gin ((UPPER(name::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("members", "0017_corrections_merges_retirement")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
