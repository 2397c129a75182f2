"""The street federation and its seven communities are reference data: they
exist after `migrate`, in every installation's first street."""

import datetime

from django.db import migrations

FEDERATION = "椿树街道总工会"
COMMUNITIES = [
    ("xuanwumenwai-dongdajie", "宣武门外东大街社区"),
    ("liulichang-xijie", "琉璃厂西街社区"),
    ("chunshuyuan", "椿树园社区"),
    ("sichuanying", "四川营社区"),
    ("hongxian", "红线社区"),
    ("liangjiayuan", "梁家园社区"),
    ("xiangluying", "香炉营社区"),
]


def create(apps, schema_editor):
    Federation = apps.get_model("enterprises", "Federation")
    Community = apps.get_model("enterprises", "Community")
    federation, _ = Federation.objects.get_or_create(
        name=FEDERATION, defaults={"founded_on": datetime.date(2010, 7, 30)}
    )
    for position, (code, name) in enumerate(COMMUNITIES, start=1):
        Community.objects.get_or_create(
            federation=federation, code=code, defaults={"name": name, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
