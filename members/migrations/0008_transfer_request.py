"""Transfer requests (转会申请); what a roster import keeps of its faults.

- TransferRequest: a chair's roster naming an open member of another
  community records one, for street staff to approve or refuse.
- ImportBatch: the faulty rows as written (full ID numbers) are no longer a
  JSON column in clear but `faulty_rows`, AES-GCM ciphertext; the faults are
  the first ROSTER_FAULTY_ROWS_KEPT faulty rows' plus counts per column. The
  batches that exist are converted: open ones keep their rows, sealed; closed
  ones lose them (as they would now); long fault lists are cut.
- The nightly beat task that purges uploads and faulty rows.
"""

import json
import re
from collections import Counter

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OPEN_STATES = ("pending", "validating", "previewed", "committing")
KEPT_ROWS = 1000
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{14,17}[0-9Xx](?![0-9A-Za-z])")


def _masked(match):
    value = match.group()
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def convert_batches(apps, schema_editor):
    ImportBatch = apps.get_model("members", "ImportBatch")
    batches = ImportBatch.objects.only("id", "state", "errors", "error_rows")
    for batch in batches.iterator(chunk_size=20):
        errors = batch.errors or []
        counts = Counter(str(e.get("column", "")) for e in errors)
        rows = sorted({e.get("row") for e in errors if e.get("row") is not None})[:KEPT_ROWS]
        kept_rows = set(rows)
        kept = [
            {**e, "message": _LONG_NUMBER.sub(_masked, str(e.get("message", "")))}
            for e in errors
            if e.get("row") in kept_rows
        ]
        sealed = ""
        stored = batch.error_rows or {}
        if batch.state in OPEN_STATES and stored.get("rows"):
            from chunshu_union import crypto

            stored = {**stored, "rows": stored["rows"][:KEPT_ROWS]}
            sealed = crypto.encrypt(json.dumps(stored, ensure_ascii=False, separators=(",", ":")))
        ImportBatch.objects.filter(pk=batch.pk).update(
            errors=kept,
            fault_counts=dict(counts),
            faults_total=len(errors),
            faulty_rows=sealed,
            error_rows={},
        )


SCHEDULE = ("rosters: purge uploads and faulty rows (nightly)", "members.purge_roster_uploads")


def schedule(apps, schema_editor):
    crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = crontabs.objects.get_or_create(
        minute="40",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    name, task = SCHEDULE
    tasks.objects.update_or_create(
        name=name, defaults={"task": task, "crontab": crontab, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE[0]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("enterprises", "0004_status_schedule"),
        ("members", "0007_verified_by_partial_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="elsewhere",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Rows naming an open member of another community: they make a transfer request for street staff, and change nothing else.",
                verbose_name="members elsewhere (transfer requests)",
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="fault_counts",
            field=models.JSONField(blank=True, default=dict, verbose_name="faults per column"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="faults_total",
            field=models.PositiveIntegerField(default=0, verbose_name="faults"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="faulty_rows",
            field=models.TextField(
                blank=True, editable=False, verbose_name="faulty rows as written (encrypted)"
            ),
        ),
        migrations.CreateModel(
            name="TransferRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row", models.PositiveIntegerField(blank=True, null=True, verbose_name="row")),
                (
                    "name_in_roster",
                    models.CharField(blank=True, max_length=50, verbose_name="name in the roster"),
                ),
                (
                    "requested_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="requested at"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for the street"),
                            ("approved", "Approved"),
                            ("refused", "Refused"),
                        ],
                        db_index=True,
                        default="pending",
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "reason",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="reason for refusing"
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfer_requests",
                        to="members.importbatch",
                        verbose_name="roster import",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "from_enterprise",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="enterprises.enterprise",
                        verbose_name="from enterprise",
                    ),
                ),
                (
                    "from_membership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="members.membership",
                        verbose_name="from membership",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfer_requests",
                        to="members.member",
                        verbose_name="member",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
                (
                    "to_enterprise",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfer_requests",
                        to="enterprises.enterprise",
                        verbose_name="to enterprise",
                    ),
                ),
                (
                    "transfer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="members.transfer",
                        verbose_name="transfer",
                    ),
                ),
            ],
            options={
                "verbose_name": "transfer request",
                "verbose_name_plural": "transfer requests",
                "ordering": ["-requested_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "pending")),
                        fields=("member", "to_enterprise"),
                        name="one_pending_transfer_request",
                        violation_error_message="A transfer request for this person to this enterprise is already waiting.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "approved"), _negated=True),
                            ("transfer__isnull", False),
                            _connector="OR",
                        ),
                        name="approved_transfer_request_has_transfer",
                        violation_error_message="An approved request records its transfer.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "refused"), _negated=True),
                            models.Q(("reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="refused_transfer_request_has_reason",
                        violation_error_message="A refusal gives its reason.",
                    ),
                ],
            },
        ),
        migrations.RunPython(convert_batches, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="importbatch",
            name="error_rows",
        ),
        migrations.RunPython(schedule, unschedule),
    ]
