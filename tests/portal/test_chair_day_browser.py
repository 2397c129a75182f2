"""A chair's day in a real browser (Debian's chromium, Playwright), on a
phone (390 px) and on a desktop (1280 px): alice opens her to-do list,
fixes the fault her last roster left (a phone number), verifies a member,
records a 京卡 step, reads her community's rate and the enterprises that
have not declared, hands out a welfare batch, signs a member in at an
event and confirms a retired member (whose membership is then held); no
page is wider than the screen, and bob's member stays a 404 to her."""

from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM
from tests.portal.conftest import chair_day

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def day(transactional_db):
    return chair_day()


def sign_in(browser, live_server, username, width):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 844 if width < 800 else 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/portal/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url("**/portal/")
    return page


def fits(page, width):
    """Nothing sticks out of the screen sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def nav(page, name):
    page.locator("header nav").get_by_role("link", name=name, exact=True).click()


def said(page, text):
    page.locator(".messages").get_by_text(text).first.wait_for()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_chairs_day(live_server, browser, day, width):
    page = sign_in(browser, live_server, "alice", width)
    todo = page.locator(".todo")
    assert "上次花名册导入中的错误行" in todo.inner_text()
    fits(page, width)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portal-home-{width}.png"), full_page=True)

    # The fault of the last roster: 张三's phone is a digit short.
    page.get_by_text("上次花名册导入中的错误行").click()
    page.get_by_text("张三的手机号码少一位").wait_for()
    fits(page, width)
    nav(page, "会员")
    page.fill("input[name=q]", "张三")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="张三").click()
    fits(page, width)
    page.get_by_text("更正电话等信息").click()
    page.fill("input[name=phone]", "13800138001")
    page.get_by_role("button", name="保存").click()
    said(page, "会员信息已保存")

    # Verify, then the 京卡's next step (applied).
    page.get_by_role("button", name="核准：信息无误").click()
    said(page, "会员信息已核准")
    page.get_by_text("登记京卡进度").click()
    page.get_by_role("button", name="登记").click()
    said(page, "京卡进度已登记")
    assert "已申请" in page.locator(".facts").inner_text()

    # The community's rate, and who has not declared.
    nav(page, "本社区数据")
    assert "2026Q3" in page.locator("h2").first.inner_text()
    fits(page, width)
    page.locator(".figures").get_by_text("应申报未申报").click()
    page.get_by_text("北京椿树二号商贸有限公司").wait_for()
    assert "北京红线二号商贸有限公司" not in page.content()

    # A handout of the street's batch, and a sign-in at the training.
    nav(page, "发放与活动")
    page.get_by_role("link", name="2026送温暖福包").click()
    page.fill("input[name=q]", "张")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name="发放").click()
    said(page, "张三 已领取")
    fits(page, width)
    nav(page, "发放与活动")
    page.get_by_role("link", name="工会干部培训").click()
    page.fill("input[name=q]", "张")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name="签到").click()
    said(page, "张三 已签到")

    # The member past the retirement age: confirmed retired, held.
    nav(page, "首页")
    page.get_by_text("已到退休年龄待确认的会员").click()
    page.get_by_role("link", name="王老汉").click()
    page.get_by_role("button", name="确认退休（保留会籍）").click()
    said(page, "已确认退休")
    assert "保留" in page.locator(".facts").inner_text()

    # bob's member is not alice's business.
    response = page.goto(f"{live_server.url}/portal/members/{day['bobs_member'].pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/portal/services/events/{day['event'].pk}/")
    assert response.status == 200
    page.context.close()
