"""Statistics on a community's open memberships (PostgreSQL only).

PostgreSQL estimates `community_id = X AND left_on IS NULL` by multiplying
the two selectivities, as if people left evenly everywhere. A community
whose enterprises have lost many members (in the bench, 400 open and about
10,000 closed memberships) is then thought to hold 25 times its open
members, and a chair's list walks the whole name index looking for them
(docs/PERFORMANCE.md, "Scale"). A multivariate MCV list on the two columns
gives the planner each community's open memberships as counted."""

from django.db import migrations

NAME = "membership_community_open_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {NAME} (mcv)"
            " ON community_id, left_on FROM members_membership"
        )
        schema_editor.execute("ANALYZE members_membership")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("members", "0013_membership_community")]

    operations = [migrations.RunPython(create, drop)]
