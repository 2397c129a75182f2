"""A worker applies on a phone (390 px) from the link staff print with the
QR code, the chair approves in the portal, and the worker looks the state
up with the reference code and phone (issue 19)."""

import datetime
import importlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

CHROMIUM = "/usr/bin/chromium"
EMPLOYER = "北京椿树一号科技有限公司"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def street(transactional_db, settings, tmp_path):
    settings.NOTICE_SMS_FILE = str(tmp_path / "sms.jsonl")
    importlib.import_module("enterprises.migrations.0002_street_and_communities").create(apps, None)
    from accounts import roles
    from accounts.models import Role
    from joining.models import JoinLink
    from tests.factories import EnterpriseFactory, community, user

    EnterpriseFactory(name=EMPLOYER, community=community(1))
    user("alice", Role.CHAIR, community(1))
    sam = user("sam", Role.STAFF)
    sam.groups.add(roles.group(roles.STAFF_GROUP))
    return JoinLink.objects.create(community=community(1), code="cs1-week", label="宣传周")


def sign_in(context, live_server, username, next_url):
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url(f"**{next_url}")
    return page


def test_a_worker_applies_by_phone_and_the_chair_approves(live_server, street, browser, tmp_path):
    from joining.models import ApplicationState, JoinApplication
    from members.models import Membership

    # Staff print the link's QR code; the link under it is what the code holds.
    desk = browser.new_context(locale="zh-CN")
    printed = sign_in(desk, live_server, "sam", f"/admin/joining/joinlink/{street.pk}/print/")
    assert printed.locator("img[alt='二维码']").is_visible()
    link = printed.locator("a[href*='/join/']").first.get_attribute("href")
    assert link.endswith(f"/join/{street.code}/")

    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    worker = phone.new_page()
    worker.goto(link)
    assert worker.get_by_text("申请加入工会").first.is_visible()
    assert worker.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    worker.fill("input[name=name]", "王小明")
    worker.fill("input[name=id_number]", "110102199001010011")
    worker.fill("input[name=phone]", "13912345678")
    worker.select_option("select[name=enterprise]", label=EMPLOYER)
    worker.check("input[name=consent]")
    worker.get_by_role("button", name="提交").click()
    reference = worker.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{8}", reference)
    assert "110102199001010011" not in worker.content()
    worker.screenshot(path=str(tmp_path / "join-done.png"))

    chair = sign_in(browser.new_context(locale="zh-CN"), live_server, "alice", "/portal/joining/")
    chair.get_by_role("link", name=reference).click()
    with time_machine.travel(
        datetime.datetime.now(ZoneInfo("Asia/Shanghai")).replace(hour=10), tick=True
    ):
        chair.locator("#approve").click()
        chair.wait_for_url("**/portal/joining/")
    application = JoinApplication.objects.get(reference=reference)
    assert application.state == ApplicationState.APPROVED
    assert Membership.objects.filter(member__name="王小明", left_on__isnull=True).count() == 1

    worker.get_by_role("link", name="查询申请").first.click()
    worker.fill("input[name=reference]", reference)
    worker.fill("input[name=phone]", "13912345678")
    worker.get_by_role("button", name="查询").click()
    assert worker.locator("#state").inner_text().strip() == "已通过"
