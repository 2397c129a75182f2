"""The beat schedule of notices.send_due: every five minutes, queue again the
notices that wait and are due (their task was lost, the broker was down, or
the quiet hours have ended)."""

from django.db import migrations

NAME = "notices: send what is due"


def create(apps, schema_editor):
    intervals = apps.get_model("django_celery_beat", "IntervalSchedule")
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _created = intervals.objects.get_or_create(every=5, period="minutes")
    tasks.objects.update_or_create(
        name=NAME, defaults={"task": "notices.send_due", "interval": every, "enabled": True}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
