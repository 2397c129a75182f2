"""The nightly purge of uploads is the import flow's (chunshu_union.imports),
for rosters, declarations and sheets alike: its beat entry names the new
task."""

from django.db import migrations

OLD = ("rosters: purge uploads and faulty rows (nightly)", "members.purge_roster_uploads")
NEW = ("imports: purge uploads and faulty rows (nightly)", "imports.purge")


def rename(apps, schema_editor, source=OLD, target=NEW):
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    tasks.objects.filter(name=source[0]).update(name=target[0], task=target[1])


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, source=NEW, target=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("members", "0009_national_code_lists"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
