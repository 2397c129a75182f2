"""The import flow's reaper (imports.reap) runs every minute: it sends again
the steps no worker took and retries or fails those a dead worker left."""

from django.db import migrations

NAME, TASK = "imports: send again or retry stuck steps (every minute)", "imports.reap"


def schedule(apps, schema_editor):
    intervals = apps.get_model("django_celery_beat", "IntervalSchedule")
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _created = intervals.objects.get_or_create(every=1, period="minutes")
    tasks.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "interval": every_minute, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("members", "0011_import_heartbeat"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
