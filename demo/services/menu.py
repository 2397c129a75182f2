"""The service menu (特需建家, 午间共享圈, 合作服务), requested and rated by
enterprises."""

from __future__ import annotations

import datetime

from services.models import RequestStatus, ServiceOffer, ServiceRequest

from .year import date

OFFERS = (
    ("特需建家", "为有特殊需求的企业工会量身建家：场地、设施、制度一企一策。"),
    ("午间共享圈", "午休时间在楼宇内开放职工书屋、健身与交流空间。"),
    ("合作服务", "与专业机构合作，为职工提供法律咨询、心理疏导、健康讲座等。"),
    ("职工互助保险办理", "统一为会员办理职工互助保险。"),
)


def load(rng, staff, enterprises) -> None:
    offers = [
        ServiceOffer.objects.get_or_create(name=name, defaults={"description": text})[0]
        for name, text in OFFERS
    ]
    requests = []
    for i in range(48):
        enterprise = rng.choice(enterprises)
        offer = offers[i % 3] if i < 42 else offers[3]
        asked = date(2 + i * 9 // 48, rng.randint(1, 25))
        state = rng.choices(
            (
                RequestStatus.FULFILLED,
                RequestStatus.ACCEPTED,
                RequestStatus.REQUESTED,
                RequestStatus.DECLINED,
            ),
            weights=(72, 12, 10, 6),
        )[0]
        request = ServiceRequest(
            offer=offer,
            enterprise=enterprise,
            community_id=enterprise.community_id,
            requested_on=asked,
            status=state,
            need=f"{enterprise.name}申请{offer.name}服务",
        )
        if state in (RequestStatus.ACCEPTED, RequestStatus.FULFILLED):
            request.accepted_on = asked + datetime.timedelta(days=rng.randint(1, 5))
            request.handled_by = rng.choice(staff)
        if state == RequestStatus.FULFILLED:
            request.fulfilled_on = request.accepted_on + datetime.timedelta(days=rng.randint(7, 30))
            request.rating = rng.choices((5, 4, 3, 2), weights=(55, 33, 9, 3))[0]
            request.comment = "服务及时，职工满意" if request.rating >= 4 else "希望下次更早安排"
        if state == RequestStatus.DECLINED:
            request.comment = "场地条件暂不具备，已推荐其他服务"
            request.handled_by = rng.choice(staff)
        requests.append(request)
    ServiceRequest.objects.bulk_create(requests)
