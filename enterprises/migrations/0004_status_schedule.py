"""Celery beat (django-celery-beat): the nightly task that makes a status
change dated in the future current on its day. Staff can change the time in
the admin (Periodic tasks)."""

from django.db import migrations

NAME = "enterprises: bring statuses in step with their history (nightly)"
TASK = "enterprises.tasks.refresh_statuses"


def create(apps, schema_editor):
    crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = crontabs.objects.get_or_create(
        minute="5",
        hour="0",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    tasks.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "crontab": crontab, "enabled": True}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0003_affairsdisclosure_workercongress_congresssession_and_more"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
