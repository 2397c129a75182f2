"""The beat schedule (django-celery-beat) of the dashboard's snapshots:
nightly, a quarter of an hour after the union funds recompute their rates,
and just after each quarter ends. Staff can change the times in the admin
(Periodic tasks)."""

from django.db import migrations

SCHEDULES = [
    # name, task, minute, hour, day_of_month, month_of_year
    ("dashboard: recompute figures (nightly)", "dashboard.refresh", "45", "2", "*", "*"),
    ("dashboard: recompute at quarter end", "dashboard.refresh", "30", "0", "1", "1,4,7,10"),
]


def create(apps, schema_editor):
    crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, day, month in SCHEDULES:
        crontab, _created = crontabs.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month=day,
            month_of_year=month,
            timezone="Asia/Shanghai",
        )
        tasks.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True}
        )


def remove(apps, schema_editor):
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    tasks.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
