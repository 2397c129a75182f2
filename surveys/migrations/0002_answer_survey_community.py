"""Answers carry their response's survey and community, so that a survey's
results are GROUP BYs over one index of the answers (docs/PERFORMANCE.md,
"Surveys")."""

import django.db.models.deletion
from django.db import migrations, models


def copy_from_responses(apps, schema_editor):
    Answer = apps.get_model("surveys", "Answer")
    Response = apps.get_model("surveys", "Response")
    for response in Response.objects.only("pk", "survey_id", "community_id").iterator():
        Answer.objects.filter(response_id=response.pk).update(
            survey_id=response.survey_id, community_id=response.community_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0001_initial"),
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="answer", name="answer_question_choice"),
        migrations.AddField(
            model_name="answer",
            name="survey",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="surveys.survey",
                verbose_name="survey",
            ),
        ),
        migrations.AddField(
            model_name="answer",
            name="community",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="enterprises.community",
                verbose_name="community",
            ),
        ),
        migrations.RunPython(copy_from_responses, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="answer",
            name="survey",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="surveys.survey",
                verbose_name="survey",
            ),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                fields=["survey", "community", "question", "choice", "number"],
                name="answer_results",
            ),
        ),
    ]
