"""The night's three jobs (rates 02:30, dashboard 02:45, zombies 03:00) become
one chain at 02:30, rates → zombies → figures (`dashboard.nightly`), so the
dashboard never reads the previous night's flags. The quarter-end runs stay
as they are. Reversing restores the three entries."""

from django.db import migrations

NIGHTLY = ("nightly: rates → zombies → dashboard figures", "dashboard.nightly", "30", "2")
REPLACED = [
    # name, task, minute, hour
    ("union funds: recompute rates (nightly)", "dues.recompute_rates", "30", "2"),
    ("dashboard: recompute figures (nightly)", "dashboard.refresh", "45", "2"),
    ("union funds: flag zombies (nightly)", "dues.flag_zombies", "0", "3"),
]


def _schedule(apps, entries):
    crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in entries:
        crontab, _created = crontabs.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Shanghai",
        )
        tasks.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True}
        )


def _unschedule(apps, entries):
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    tasks.objects.filter(name__in=[entry[0] for entry in entries]).delete()


def one_chain(apps, schema_editor):
    _unschedule(apps, REPLACED)
    _schedule(apps, [NIGHTLY])


def three_jobs(apps, schema_editor):
    _unschedule(apps, [NIGHTLY])
    _schedule(apps, REPLACED)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_schedules"),
        ("dues", "0002_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(one_chain, three_jobs)]
