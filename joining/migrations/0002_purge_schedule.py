"""The beat schedule of joining.purge: every night at 03:30, decided join
applications older than JOIN_KEEP_DAYS are deleted (what the consent says)."""

from django.db import migrations

NAME = "joining: delete decided applications past their keeping time"


def create(apps, schema_editor):
    crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = crontabs.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    tasks.objects.update_or_create(
        name=NAME, defaults={"task": "joining.purge", "crontab": crontab, "enabled": True}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("joining", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
