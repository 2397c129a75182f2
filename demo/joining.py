"""Online join applications for the demo (issue 19): one link per community,
one for the building publicity week at 海格国际大厦, and a few applications
in each state, so that the chairs' and staff's pages have something to show.
Idempotent: nothing is added where a link has applications already."""

from __future__ import annotations

import random

from django.db import transaction

from enterprises.models import Building, Enterprise, Federation
from joining import services
from joining.models import JoinApplication, JoinLink
from members.id_numbers import make_id_number

#: (name, community position, typed employer or "" for a listed one, decision)
APPLICANTS = [
    ("陈思远", 1, "", "pending"),
    ("刘晓燕", 1, "", "pending"),
    ("赵雨桐", 2, "", "pending"),
    ("孙浩然", 3, "北京椿树小馆餐饮有限公司", "pending"),
    ("周佳怡", 4, "", "refused"),
]


def load(*, federation: Federation, users: dict, stdout=None) -> None:
    links = _links(federation)
    if JoinApplication.objects.filter(community__federation=federation).exists():
        return
    rng = random.Random(19)
    for n, (name, position, typed, decision) in enumerate(APPLICANTS):
        link = links[position]
        enterprise = None
        if not typed:
            enterprise = services.employers_of(link)[rng.randrange(5)]
        with transaction.atomic():
            application = services.application_submit(
                link=link,
                name=name,
                id_number=make_id_number(f"11010219950{n + 1}1{n:01d}0{2 * n + 1:02d}"),
                phone=f"1390000{1000 + n:04d}",
                enterprise=enterprise,
                employer_typed=typed,
                consent=True,
            )
            if decision == "refused":
                chair = users[f"chair{position}"]
                services.application_refuse(
                    application=application, by=chair, reason="请先与单位签订劳动合同后再申请"
                )
    if stdout is not None:
        stdout.write(f"join applications: {len(APPLICANTS)}")


def _links(federation: Federation) -> dict[int, JoinLink]:
    links = {}
    for community in federation.communities.order_by("position"):
        links[community.position], _created = JoinLink.objects.get_or_create(
            code=f"{community.code}-join"[:20], defaults={"community": community}
        )
    building = Building.objects.filter(federation=federation, name__contains="海格").first()
    if building is not None:
        home = (
            Enterprise.objects.filter(building=building).values_list("community", flat=True).first()
        )
        if home:
            JoinLink.objects.get_or_create(
                code="haige-week",
                defaults={"community_id": home, "building": building, "label": "楼宇宣传周"},
            )
    return links
