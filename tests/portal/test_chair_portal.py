"""The chair portal of issue 18, through the test client: alice's to-do
list, her member's page and its actions, her community's figures, the
handouts and sign-ins, the dates of a service request's steps; bob's
objects stay 404 to her."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import JingCard, Member, MembershipEvent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _todo(client) -> dict[str, int]:
    page = client.get("/portal/").content.decode()
    items = re.findall(r'<span class="count">(\d+)</span><span class="what">([^<]+)', page)
    return {label.strip(): int(n) for n, label in items}


def test_the_home_page_is_a_to_do_list_of_the_chairs_community(client, day):
    client.force_login(day["alice"])
    todo = _todo(client)
    assert todo["上次花名册导入中的错误行"] == 1
    assert todo["尚未核准的会员"] == 2
    assert todo["已到退休年龄待确认的会员"] == 1
    assert todo["2026Q3 未申报的企业"] == 2
    assert todo["待走访的疑似僵尸企业"] == 1
    assert todo["待审批的转会申请"] == 0


def test_every_line_of_the_to_do_list_links_to_a_page_that_opens(client, day):
    client.force_login(day["alice"])
    page = client.get("/portal/").content.decode()
    links = re.findall(r'<li class="(?:waiting|done)"><a href="([^"]+)"', page)
    assert len(links) >= 9
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_the_unverified_list_shows_what_the_to_do_count_says(client, day):
    client.force_login(day["alice"])
    page = client.get("/portal/members/?show=unverified").content.decode()
    assert "张三" in page and "王老汉" in page and "李四" not in page


def test_a_chair_corrects_a_members_phone(client, day):
    client.force_login(day["alice"])
    zhang = day["zhang"]
    response = client.post(
        reverse("portal:member_details", args=[zhang.pk]), {"phone": "13800138001"}, follow=True
    )
    assert "会员信息已保存" in response.content.decode()
    zhang.refresh_from_db()
    assert zhang.phone == "13800138001"


def test_a_chair_verifies_a_member_and_records_a_jing_card_step(client, day):
    client.force_login(day["alice"])
    zhang = day["zhang"]
    client.post(reverse("portal:member_verify", args=[zhang.pk]), {"note": ""})
    client.post(
        reverse("portal:member_jingcard", args=[zhang.pk]),
        {"to_status": JingCard.APPLIED, "on": TODAY().isoformat()},
    )
    zhang.refresh_from_db()
    assert zhang.verified_at is not None and zhang.verified_by == day["alice"]
    assert zhang.jingcard_status == JingCard.APPLIED
    assert _todo(client)["尚未核准的会员"] == 1


def test_a_wrong_jing_card_step_comes_back_as_a_message(client, day):
    client.force_login(day["alice"])
    zhang = day["zhang"]
    response = client.post(
        reverse("portal:member_jingcard", args=[zhang.pk]),
        {"to_status": JingCard.ACTIVATED, "on": TODAY().isoformat()},
        follow=True,
    )
    assert "京卡状态不能从" in response.content.decode()


def test_a_chair_confirms_a_retired_member_whose_membership_is_then_held(client, day):
    client.force_login(day["alice"])
    old = day["old"]
    page = client.get(reverse("portal:member_detail", args=[old.pk])).content.decode()
    assert "已到法定退休年龄" in page
    client.post(
        reverse("portal:member_retired", args=[old.pk]), {"on": TODAY().isoformat(), "note": ""}
    )
    membership = old.memberships.get()
    assert membership.held_on == TODAY() and membership.hold_reason == "retired"
    assert _todo(client)["已到退休年龄待确认的会员"] == 0
    page = client.get(reverse("portal:member_detail", args=[old.pk])).content.decode()
    assert "会籍保留" in page


def test_a_chair_holds_resumes_and_ends_a_membership_with_its_reason(client, day):
    client.force_login(day["alice"])
    zhang = day["zhang"]
    on = TODAY().isoformat()
    client.post(reverse("portal:member_hold", args=[zhang.pk]), {"reason": "unemployed", "on": on})
    client.post(reverse("portal:member_resume", args=[zhang.pk]), {"on": on})
    client.post(reverse("portal:member_end", args=[zhang.pk]), {"reason": "left_union", "on": on})
    kinds = list(
        MembershipEvent.objects.filter(member=zhang).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds[-3:] == ["held", "resumed", "ended"]
    # Ended: no longer the chair's member.
    assert client.get(reverse("portal:member_detail", args=[zhang.pk])).status_code == 404


def test_a_chair_transfers_a_member_within_the_community(client, day):
    client.force_login(day["alice"])
    zhang = day["zhang"]
    client.post(
        reverse("portal:member_transfer", args=[zhang.pk]),
        {"to_enterprise": day["other"].pk, "on": TODAY().isoformat()},
    )
    assert zhang.open_membership().enterprise == day["other"]


def test_a_chair_cannot_transfer_a_member_to_another_communitys_enterprise(client, day):
    client.force_login(day["alice"])
    zhang = day["zhang"]
    bobs_enterprise = day["bobs_member"].open_membership().enterprise
    client.post(
        reverse("portal:member_transfer", args=[zhang.pk]),
        {"to_enterprise": bobs_enterprise.pk, "on": TODAY().isoformat()},
    )
    assert zhang.open_membership().enterprise == day["acme"]


def test_a_name_correction_is_requested_not_made(client, day):
    client.force_login(day["alice"])
    zhang = day["zhang"]
    response = client.post(
        reverse("portal:member_correction", args=[zhang.pk]),
        {"field": "name", "new_value": "张叁", "reason": "身份证上是叁"},
        follow=True,
    )
    assert "街道工作人员" in response.content.decode()
    assert Member.objects.get(pk=zhang.pk).name == "张三"


def test_the_member_page_masks_the_id_number(client, day):
    client.force_login(day["alice"])
    zhang = day["zhang"]
    page = client.get(reverse("portal:member_detail", args=[zhang.pk])).content.decode()
    assert zhang.id_masked in page and zhang.id_number not in page


@pytest.mark.parametrize(
    "name",
    [
        "member_detail",
        "member_details",
        "member_jingcard",
        "member_verify",
        "member_hold",
        "member_retired",
        "member_keep_working",
        "member_resume",
        "member_end",
        "member_transfer",
        "member_correction",
    ],
)
def test_bobs_member_is_a_404_to_alice_on_every_member_url(client, day, name):
    client.force_login(day["alice"])
    url = reverse(f"portal:{name}", args=[day["bobs_member"].pk])
    response = client.get(url) if name == "member_detail" else client.post(url, {})
    assert response.status_code == 404


def test_the_figures_show_the_rate_trend_and_the_undeclared_enterprises(client, day):
    client.force_login(day["alice"])
    page = client.get(reverse("figures_portal:figures")).content.decode()
    assert "2026Q2" in page and "2026Q3" in page and "目标" in page
    undeclared = client.get(
        reverse("figures_portal:enterprises", args=["undeclared"]) + "?quarter=2026Q3"
    ).content.decode()
    assert "北京椿树一号科技有限公司" in undeclared and "北京椿树二号商贸有限公司" in undeclared
    assert "北京红线二号商贸有限公司" not in undeclared
    declared = client.get(
        reverse("figures_portal:enterprises", args=["declared"]) + "?quarter=2026Q2"
    ).content.decode()
    assert "北京椿树一号科技有限公司" in declared and "北京椿树二号商贸有限公司" not in declared
    zombies = client.get(reverse("figures_portal:zombies")).content.decode()
    assert "北京椿树二号商贸有限公司" in zombies


def test_bob_sees_his_own_figures_not_alices(client, day):
    client.force_login(day["bob"])
    page = client.get(reverse("figures_portal:figures")).content.decode()
    assert "2026Q3" not in page
    zombies = client.get(reverse("figures_portal:zombies")).content.decode()
    assert "北京椿树二号商贸有限公司" not in zombies
    # A chair cannot ask for another community.
    page = client.get(reverse("figures_portal:figures") + f"?community={day['acme'].community_id}")
    assert "2026Q3" not in page.content.decode()


def test_a_chair_hands_out_a_batch_once(client, day):
    client.force_login(day["alice"])
    batch, zhang = day["batch"], day["zhang"]
    found = client.get(reverse("services_portal:handout_batch", args=[batch.pk]) + "?q=张")
    assert "张三" in found.content.decode() and "李四" not in found.content.decode()
    give = reverse("services_portal:handout_give", args=[batch.pk])
    data = {"member": zhang.pk, "handed_on": TODAY().isoformat()}
    assert "张三 已领取" in client.post(give, data, follow=True).content.decode()
    again = client.post(give, data, follow=True).content.decode()
    assert "领取过" in again
    batch.refresh_from_db()
    assert batch.stock == 9


def test_a_chair_cannot_hand_out_to_another_communitys_member(client, day):
    client.force_login(day["alice"])
    give = reverse("services_portal:handout_give", args=[day["batch"].pk])
    data = {"member": day["bobs_member"].pk, "handed_on": TODAY().isoformat()}
    assert client.post(give, data).status_code == 404


def test_a_chair_signs_a_member_in_at_an_event(client, day):
    client.force_login(day["alice"])
    event, zhang = day["event"], day["zhang"]
    attend = reverse("services_portal:event_attend", args=[event.pk])
    response = client.post(attend, {"member": zhang.pk}, follow=True)
    assert "张三 已签到" in response.content.decode()
    assert event.attendances.get().member == zhang
    assert client.post(attend, {"member": day["bobs_member"].pk}).status_code == 404


def test_the_search_answers_htmx_with_the_list_alone(client, day):
    client.force_login(day["alice"])
    url = reverse("services_portal:event_detail", args=[day["event"].pk]) + "?q=张&found=1"
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<ul class="cards found"')


def test_a_chair_accepts_and_fulfils_a_request_on_the_dates_given(client, day):
    from services.models import ServiceOffer, ServiceRequest

    client.force_login(day["alice"])
    offer = ServiceOffer.objects.create(name="特需建家")
    request = ServiceRequest.objects.create(
        offer=offer,
        enterprise=day["acme"],
        community=day["acme"].community,
        requested_on=datetime.date(2026, 10, 1),
    )
    client.post(reverse("services_portal:request_accept", args=[request.pk]), {"on": "2026-10-08"})
    client.post(reverse("services_portal:request_fulfil", args=[request.pk]), {"on": "2026-10-20"})
    request.refresh_from_db()
    assert request.accepted_on == datetime.date(2026, 10, 8)
    assert request.fulfilled_on == datetime.date(2026, 10, 20)
    assert _todo(client)["等待评价的服务需求"] == 1
    client.force_login(day["bob"])
    assert (
        client.post(
            reverse("services_portal:request_accept", args=[request.pk]), {"on": "2026-10-08"}
        ).status_code
        == 404
    )


def test_every_portal_page_carries_the_whole_navigation(client, day):
    client.force_login(day["alice"])
    for url in ("/portal/", "/portal/services/handouts/", "/portal/figures/"):
        page = client.get(url).content.decode()
        for label in ("首页", "企业", "会员", "花名册导入", "走访记录", "服务申请", "困难帮扶"):
            assert f">{label}</a>" in page, (url, label)
        assert "发放与活动" in page and "本社区数据" in page


def test_another_streets_welfare_batch_is_a_404_to_a_chair(client, day):
    from services.models import WelfareBatch, WelfareItem
    from tests.factories import another_street

    theirs = WelfareBatch.objects.create(
        federation=another_street().federation,
        item=WelfareItem.objects.get_or_create(name="清凉包")[0],
        name="大栅栏清凉包",
        campaign="coolness",
        received_on=datetime.date(2026, 7, 1),
        quantity=5,
        stock=5,
    )
    client.force_login(day["alice"])
    assert client.get(reverse("services_portal:handout_batch", args=[theirs.pk])).status_code == 404
    give = reverse("services_portal:handout_give", args=[theirs.pk])
    assert (
        client.post(give, {"member": day["zhang"].pk, "handed_on": "2026-11-30"}).status_code == 404
    )
    # bob, a chair of the same street, hands out the street's batch too.
    client.force_login(day["bob"])
    assert (
        client.get(reverse("services_portal:handout_batch", args=[day["batch"].pk])).status_code
        == 200
    )


def test_staff_accept_and_fulfil_in_the_admin_on_the_date_in_the_action_bar(client, day):
    from accounts import roles
    from accounts.models import Role
    from services.models import ServiceOffer, ServiceRequest
    from tests.factories import user

    sam = user("sam", Role.STAFF, is_staff=True)
    sam.groups.add(roles.group(roles.STAFF_GROUP))
    request = ServiceRequest.objects.create(
        offer=ServiceOffer.objects.create(name="午间共享圈"),
        enterprise=day["acme"],
        community=day["acme"].community,
        requested_on=datetime.date(2026, 9, 1),
    )
    client.force_login(sam)
    changelist = reverse("admin:services_servicerequest_changelist")
    for action, on in (("accept", "2026-09-03"), ("fulfil", "")):
        client.post(
            changelist, {"action": action, "_selected_action": [request.pk], "on": on, "index": 0}
        )
    request.refresh_from_db()
    assert request.accepted_on == datetime.date(2026, 9, 3)
    assert request.fulfilled_on == TODAY()  # no date given: today
