"""The public join form: checks at once, refuses without revealing anyone,
stores the numbers sealed, and holds off floods (issue 19)."""

import pytest
from django.test import override_settings

from joining.models import ApplicationState, JoinApplication
from notices.models import Notice
from tests.factories import MembershipFactory, id_number

from .conftest import form_data, post

pytestmark = pytest.mark.django_db


def url(link):
    return f"/join/{link.code}/"


def test_the_form_lists_the_communitys_enterprises_and_says_how_data_is_used(
    client, link, alices_enterprise, bobs_enterprise
):
    page = client.get(url(link)).content.decode()
    assert alices_enterprise.name in page
    assert bobs_enterprise.name not in page
    for heading in ("收集哪些信息", "为什么", "谁能看到", "保存多久", "如何撤回"):
        assert heading in page
    assert 'type="file"' not in page


def test_an_application_is_taken_and_only_a_reference_code_is_shown(
    client, link, alices_enterprise, alice
):
    data = form_data(alices_enterprise)
    response = post(client, url(link), data)
    assert response.status_code == 200
    application = JoinApplication.objects.get()
    page = response.content.decode()
    assert application.reference in page
    assert data["id_number"] not in page and "13912345678" not in page
    assert data["id_number"] not in application.id_encrypted
    assert application.id_number == data["id_number"]
    assert application.phone_masked == "139****5678"
    assert application.state == ApplicationState.PENDING
    waiting = Notice.objects.inbox(alice).get()
    assert application.reference in waiting.body


def test_a_wrong_id_number_or_phone_is_said_at_once_and_nothing_is_kept(
    client, link, alices_enterprise
):
    response = post(client, url(link), form_data(alices_enterprise, id_number="110102198503120012"))
    assert "校验" in response.content.decode() or "身份" in response.content.decode()
    response = post(client, url(link), form_data(alices_enterprise, phone="1234"))
    assert "手机" in response.content.decode()
    assert not JoinApplication.objects.exists()


def test_an_open_member_is_refused_with_a_sentence_that_reveals_nothing(
    client, link, alices_enterprise
):
    member = MembershipFactory(enterprise=alices_enterprise, member__name="李已会").member
    response = post(client, url(link), form_data(alices_enterprise, id_number=member.id_number))
    page = response.content.decode()
    assert "无法在线受理" in page
    assert "李已会" not in page and alices_enterprise.name + "会员" not in page
    # a stranger's second application gets the very same sentence
    post(client, url(link), form_data(alices_enterprise, id_number=id_number(77)))
    again = post(client, url(link), form_data(alices_enterprise, id_number=id_number(77)))
    assert "无法在线受理" in again.content.decode()
    assert JoinApplication.objects.count() == 1


def test_consent_is_required(client, link, alices_enterprise):
    data = form_data(alices_enterprise)
    del data["consent"]
    post(client, url(link), data)
    assert not JoinApplication.objects.exists()


@override_settings(JOIN_PER_ADDRESS_PER_HOUR=3)
def test_a_flood_from_one_address_is_refused_and_others_still_get_through(
    client, link, alices_enterprise
):
    codes = [
        post(
            client, url(link), form_data(alices_enterprise, id_number=id_number(100 + n))
        ).status_code
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    other = post(
        client,
        url(link),
        form_data(alices_enterprise, id_number=id_number(200)),
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 200
    assert JoinApplication.objects.count() == 4


@override_settings(JOIN_PER_ID_PER_DAY=2)
def test_one_id_number_is_limited_whatever_address_it_comes_from(client, link, alices_enterprise):
    number = id_number(300)
    codes = [
        post(
            client,
            url(link),
            form_data(alices_enterprise, id_number=number),
            REMOTE_ADDR=f"10.0.1.{n}",
        ).status_code
        for n in range(3)
    ]
    assert codes[-1] == 429


def test_a_large_body_or_an_upload_is_refused_before_it_is_read(client, link, alices_enterprise):
    big = form_data(alices_enterprise, name="王" * 5000)
    assert post(client, url(link), big).status_code == 413
    multipart = client.post(url(link), form_data(alices_enterprise))  # the client's default
    assert multipart.status_code in (413, 415)
    assert not JoinApplication.objects.exists()


def test_an_unlisted_employer_goes_to_staff_not_to_the_chair(
    client, link, alice, sam, alices_enterprise
):
    post(client, url(link), form_data(None))
    application = JoinApplication.objects.get()
    assert application.for_staff and application.employer_typed == "北京未建会餐饮有限公司"
    client.force_login(alice)
    assert client.get(f"/portal/joining/{application.pk}/").status_code == 404
    client.force_login(sam)
    page = client.get(f"/admin/joining/joinapplication/{application.pk}/change/")
    assert page.status_code == 200 and "北京未建会餐饮有限公司" in page.content.decode()
    client.post(
        f"/admin/joining/joinapplication/{application.pk}/decide/enterprise/",
        {"enterprise": alices_enterprise.pk},
    )
    client.force_login(alice)
    assert client.get(f"/portal/joining/{application.pk}/").status_code == 200


def test_a_closed_link_takes_nothing(client, link, alices_enterprise):
    link.is_active = False
    link.save()
    assert client.get(url(link)).status_code == 410
    assert post(client, url(link), form_data(alices_enterprise)).status_code == 410


def test_staff_print_a_links_qr_code(client, sam, link):
    pytest.importorskip("segno")
    client.force_login(sam)
    page = client.get(f"/admin/joining/joinlink/{link.pk}/print/").content.decode()
    assert f"/join/{link.code}/" in page
    svg = client.get(f"/admin/joining/joinlink/{link.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
