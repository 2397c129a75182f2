"""学历, 政治面貌 and 民族 stored as the national standards' codes
(GB/T 4658, GB/T 4762, GB 3304) instead of home-made words.

The old education words name a level: primary 80, junior 70, senior 60,
college 30, bachelor 20, postgraduate 10. The old political words: cpc 01,
probationary 02, cyl 03, masses 13; "democratic" named no party, and GB/T
4762 has no code for "one of the eight parties": it is cleared (blank), and
the chair's next roster (or the admin) sets the party. Ethnicity names (汉族,
回族 …) become their GB 3304 code; a name the standard lacks (穿青人) is 97
其他, an unreadable one is cleared.
"""

from django.db import migrations, models

from chunshu_union.codelists.education import EDUCATION
from chunshu_union.codelists.ethnicity import ETHNICITY
from chunshu_union.codelists.political import POLITICAL_STATUS

EDUCATION_CODES = {
    "primary": "80",
    "junior": "70",
    "senior": "60",
    "college": "30",
    "bachelor": "20",
    "postgraduate": "10",
}
POLITICAL_CODES = {"cpc": "01", "probationary": "02", "cyl": "03", "democratic": "", "masses": "13"}
OTHER = "97"

# Backwards: each code's level gives the old word; a democratic party's
# code (04-11) the old "democratic".
EDUCATION_WORDS = {
    "8": "primary",
    "9": "primary",
    "7": "junior",
    "6": "senior",
    "4": "senior",
    "3": "college",
    "2": "bachelor",
    "1": "postgraduate",
}
POLITICAL_WORDS = {"01": "cpc", "02": "probationary", "03": "cyl", "12": "masses", "13": "masses"}


def _ethnicity_code(value):
    if not value:
        return ""
    if value in ETHNICITY:
        return value
    code = ETHNICITY.read(value)
    if code is not None:
        return code
    return OTHER if value == "穿青人" else ""


def forwards(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    for field, convert in (
        ("education", lambda v: EDUCATION_CODES.get(v, v if v in EDUCATION else "")),
        (
            "political_status",
            lambda v: POLITICAL_CODES.get(v, v if v in POLITICAL_STATUS else ""),
        ),
        ("ethnicity", _ethnicity_code),
    ):
        old_values = Member.objects.exclude(**{field: ""}).values_list(field, flat=True).distinct()
        for old in list(old_values):
            new = convert(old)
            if new != old:
                Member.objects.filter(**{field: old}).update(**{field: new})


def backwards(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    for field, convert in (
        ("education", lambda v: EDUCATION_WORDS.get(v[:1], "")),
        ("political_status", lambda v: POLITICAL_WORDS.get(v, "democratic")),
        ("ethnicity", ETHNICITY.name),
    ):
        old_values = Member.objects.exclude(**{field: ""}).values_list(field, flat=True).distinct()
        for code in list(old_values):
            Member.objects.filter(**{field: code}).update(**{field: convert(code)})


class Migration(migrations.Migration):
    dependencies = [("members", "0008_transfer_request")]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.AlterField(
            model_name="member",
            name="education",
            field=models.CharField(
                blank=True, choices=EDUCATION.choices(), max_length=16, verbose_name="education"
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="political_status",
            field=models.CharField(
                blank=True,
                choices=POLITICAL_STATUS.choices(),
                max_length=16,
                verbose_name="political status",
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="ethnicity",
            field=models.CharField(
                blank=True, choices=ETHNICITY.choices(), max_length=20, verbose_name="ethnicity"
            ),
        ),
    ]
