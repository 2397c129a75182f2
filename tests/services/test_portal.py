"""The chair portal's visit pages."""

import datetime

from services.models import FindingKind, Visit
from services.services import visit_record


def test_alice_records_a_visit_with_a_finding_and_closes_it(client, alice, alices_enterprise):
    client.force_login(alice)
    assert client.get("/portal/services/visits/").status_code == 200
    response = client.post(
        "/portal/services/visits/",
        {
            "visited_on": "2017-06-05",
            "enterprise": alices_enterprise.pk,
            "summary": "了解职工午餐问题",
            "kind_0": FindingKind.HOT_ISSUE,
            "text_0": "职工午餐难",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and visit.recorded_by == alice
    finding = visit.findings.get()
    page = client.get(f"/portal/services/visits/{visit.pk}/")
    assert "职工午餐难" in page.content.decode()
    client.post(
        f"/portal/services/findings/{finding.pk}/close/",
        {"closed_on": "2017-06-20", "follow_up": "开设午间共享圈"},
    )
    finding.refresh_from_db()
    assert finding.closed_on == datetime.date(2017, 6, 20)


def test_alice_cannot_record_a_visit_for_bobs_community(client, alice, bobs_enterprise, community2):
    client.force_login(alice)
    for data in (
        {"visited_on": "2017-06-05", "enterprise": bobs_enterprise.pk},
        {"visited_on": "2017-06-05", "community": community2.pk},
    ):
        response = client.post("/portal/services/visits/", data)
        assert response.status_code == 200
    assert not Visit.objects.exists()


def test_a_future_visit_in_the_portal_is_a_chinese_form_error(client, alice, community1):
    client.force_login(alice)
    response = client.post(
        "/portal/services/visits/", {"visited_on": "2018-06-05", "community": community1.pk}
    )
    assert "晚于今天" in response.content.decode()
    assert not Visit.objects.exists()


def test_alice_gets_404_for_bobs_visit_and_leaders_are_turned_away(
    client, alice, lee, sam, bobs_enterprise
):
    visit = visit_record(by=sam, visited_on=datetime.date(2017, 6, 1), enterprise=bobs_enterprise)
    client.force_login(alice)
    assert client.get(f"/portal/services/visits/{visit.pk}/").status_code == 404
    assert "2017-06-01" not in client.get("/portal/services/visits/").content.decode()
    client.force_login(lee)
    assert client.get("/portal/services/visits/").status_code == 403


def test_alice_requests_a_service_and_rates_it_once_fulfilled(
    client, alice, sam, alices_enterprise, bobs_enterprise
):
    from services.models import RequestStatus, ServiceOffer, ServiceRequest
    from services.services import service_request_accept, service_request_fulfil

    offer = ServiceOffer.objects.create(name="午间共享圈")
    client.force_login(alice)
    refused = client.post(
        "/portal/services/requests/",
        {"offer": offer.pk, "enterprise": bobs_enterprise.pk, "requested_on": "2017-05-02"},
    )
    assert refused.status_code == 200 and not ServiceRequest.objects.exists()
    client.post(
        "/portal/services/requests/",
        {"offer": offer.pk, "enterprise": alices_enterprise.pk, "requested_on": "2017-05-02"},
    )
    request = ServiceRequest.objects.get()
    assert request.community == alices_enterprise.community
    client.post(f"/portal/services/requests/{request.pk}/rate/", {"rating": "5"})
    request.refresh_from_db()
    assert request.rating is None  # not fulfilled yet
    service_request_accept(request=request, by=sam, on=datetime.date(2017, 5, 3))
    service_request_fulfil(request=request, by=sam, on=datetime.date(2017, 5, 10))
    assert "午间共享圈" in client.get("/portal/services/requests/").content.decode()
    client.post(f"/portal/services/requests/{request.pk}/rate/", {"rating": "4", "comment": "好"})
    request.refresh_from_db()
    assert (request.status, request.rating) == (RequestStatus.FULFILLED, 4)


def test_bob_cannot_rate_alices_request(client, alice, bob, alices_enterprise):
    from services.models import ServiceOffer, ServiceRequest

    request = ServiceRequest.objects.create(
        offer=ServiceOffer.objects.create(name="合作服务"),
        enterprise=alices_enterprise,
        community=alices_enterprise.community,
        requested_on=datetime.date(2017, 5, 2),
    )
    client.force_login(bob)
    assert (
        client.post(f"/portal/services/requests/{request.pk}/rate/", {"rating": "1"}).status_code
        == 404
    )


def test_alice_applies_for_aid_with_a_scan_for_her_own_member_only(
    client, alice, alices_member, bobs_member
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from services.models import AidAttachment, AidCase

    client.force_login(alice)
    data = {"applied_on": "2017-06-01", "reason": "住院", "amount_requested": "2000"}
    refused = client.post("/portal/services/aid/", {**data, "id_number": bobs_member.id_number})
    assert "不是本社区的会员" in refused.content.decode()
    bad_scan = client.post(
        "/portal/services/aid/",
        {
            **data,
            "id_number": alices_member.id_number,
            "scan": SimpleUploadedFile("x.pdf", b"MZ not a pdf"),
        },
    )
    assert "PDF" in bad_scan.content.decode() and not AidCase.objects.exists()
    done = client.post(
        "/portal/services/aid/",
        {
            **data,
            "id_number": alices_member.id_number,
            "scan": SimpleUploadedFile("证明.pdf", b"%PDF-1.4 scan"),
        },
    )
    assert done.status_code == 302
    case = AidCase.objects.get()
    assert (case.member, case.submitted_by) == (alices_member, alice)
    assert AidAttachment.objects.get().case == case
    page = client.get("/portal/services/aid/").content.decode()
    assert alices_member.id_masked in page and alices_member.id_number not in page
