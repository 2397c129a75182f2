"""A worker on a 390 px phone opens the quiz's link, answers, sees the score;
staff then see that answer in the results and in the Excel export."""

import datetime
import importlib
import io
from pathlib import Path

import pytest
from django.apps import apps
from openpyxl import load_workbook

from tests.browser.conftest import browser  # noqa: F401  (the chromium fixture)

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def _during_the_week():
    """Real time here: the browser's cookies expire by the real clock."""
    yield


@pytest.fixture
def quiz(transactional_db):
    from django.utils import timezone

    from accounts import roles
    from accounts.models import Role
    from tests.factories import user

    from .factories import safety_quiz

    importlib.import_module("enterprises.migrations.0002_street_and_communities").create(apps, None)
    today = timezone.localdate()
    made = safety_quiz()
    made.opens_on, made.closes_on = today - datetime.timedelta(days=1), today
    made.save()
    staff = user("sam", Role.STAFF)
    staff.groups.add(roles.group(roles.STAFF_GROUP))
    return made


def test_a_worker_answers_on_a_phone_and_staff_see_it(live_server, browser, quiz):  # noqa: F811
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{quiz.key}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.get_by_label("119").check()
    page.get_by_label("拔保险销").check()
    page.get_by_label("对准火焰根部").check()
    page.get_by_label("性别").select_option("F")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/done/")
    assert page.locator("#score").inner_text() == "您的得分：20 / 20"

    desk = browser.new_context(accept_downloads=True, locale="zh-CN")
    staff = desk.new_page()
    staff.goto(f"{live_server.url}/accounts/login/?next=/surveys/{quiz.pk}/results/")
    staff.fill("input[name=username]", "sam")
    staff.fill("input[name=password]", "password")
    staff.locator("form button[type=submit], form input[type=submit]").last.click()
    staff.wait_for_url(f"**/surveys/{quiz.pk}/results/")
    assert staff.locator("#responses").inner_text() == "1"
    assert "100.00" in staff.locator(f"#result-{quiz.questions.first().pk}").inner_text()
    with staff.expect_download() as download:
        staff.locator("#export-answers").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows[1][9] == 20 and "119" in rows[1] and rows[1][4] == "女"
