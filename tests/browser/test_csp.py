"""The Content-Security-Policy breaks nothing (Debian's chromium, driven by
Playwright): the dashboard draws its ECharts charts, the portal's htmx
loads a roster's preview, the admin (django-unfold, Alpine.js) and the
Swagger page of the API work, and the browser reports no violation of
the policy on any of them."""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps

CHROMIUM = "/usr/bin/chromium"
ACME = "北京椿树一号科技有限公司"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]

#: Recorded by the page itself, before any of its own scripts run (an init
#: script is injected by the browser, outside the page's policy).
WATCH_VIOLATIONS = """
window.__csp = [];
window.__printed = 0;
window.print = () => { window.__printed += 1; };
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.location.pathname}:${e.lineNumber}`);
});
"""


@pytest.fixture
def street(transactional_db, settings, tmp_path):
    """A flushed test database gets its communities back; one quarter of
    figures; a leader, a chair with an enterprise, and the street's chair
    (a superuser) for the admin."""
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "rosters"
    importlib.import_module("enterprises.migrations.0002_street_and_communities").create(apps, None)
    from accounts.models import Role
    from chunshu_union.quarters import Quarter
    from dashboard.services import quarter_figures_compute
    from dues.services import snapshots_recompute
    from tests.dues.helpers import declare
    from tests.factories import EnterpriseFactory, community, user
    from tests.factories import street as federation

    acme = EnterpriseFactory(name=ACME, community=community(1))
    declare(acme, "2017Q1")
    declare(EnterpriseFactory(community=community(2)), "2017Q2")
    for quarter in (Quarter(2017, 1), Quarter(2017, 2)):
        snapshots_recompute(quarter=quarter, today=datetime.date(2017, 12, 1))
        quarter_figures_compute(federation=federation(), quarter=quarter)
    user("lee", Role.LEADER)
    user("alice", Role.CHAIR, community(1))
    user("root", Role.STAFF, is_superuser=True)


class Visit:
    """A signed-in browser that keeps what the policy blocked."""

    def __init__(self, browser, live_server, username):
        self.base = live_server.url
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.context.add_init_script(WATCH_VIOLATIONS)
        self.page = self.context.new_page()
        self.console = []
        self.page.on(
            "console",
            lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None,
        )
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "password")
        self.page.locator("form button[type=submit], form input[type=submit]").last.click()
        self.page.wait_for_load_state()

    def goto(self, path: str):
        response = self.page.goto(f"{self.base}{path}")
        assert response.status == 200, path
        assert response.headers.get("content-security-policy"), f"{path} has no policy"
        return self.page

    def violations(self) -> list[str]:
        return [*self.page.evaluate("window.__csp"), *self.console]


def test_the_dashboard_draws_its_charts_under_the_policy(live_server, street, browser):
    lee = Visit(browser, live_server, "lee")
    page = lee.goto("/dashboard/")
    page.wait_for_selector("#chart-communities svg")
    page.wait_for_selector("#chart-trend svg")
    page.hover("#chart-trend svg")  # the tooltip is drawn on demand
    page.get_by_role("button", name="打印").click()  # without an inline handler
    assert page.evaluate("window.__printed") == 1
    assert lee.violations() == []
    # The quarter list sends its form without an inline handler.
    page.select_option("#quarter", "2017Q1")
    page.wait_for_url(re.compile(r"quarter=2017Q1"))
    page.wait_for_selector("#chart-trend svg")
    page.locator("#table-communities tbody tr a").first.click()
    page.wait_for_selector("#community-rate")
    page.wait_for_selector("#chart-trend svg")
    assert lee.violations() == []
    lee.context.close()


def test_the_portal_and_its_htmx_work_under_the_policy(live_server, street, browser, tmp_path):
    from tests import samples

    alice = Visit(browser, live_server, "alice")
    for path in ("/portal/", "/portal/members/", "/portal/enterprises/", "/portal/imports/"):
        alice.goto(path)
    page = alice.goto("/portal/imports/new/")
    roster = tmp_path / "花名册.xlsx"
    roster.write_bytes(samples.xlsx(samples.people(2, [ACME])))
    page.set_input_files("input[type=file]", str(roster))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/portal/imports/*/")
    page.wait_for_selector("text=待确认")  # htmx polled the progress
    page.locator(".counts .kind-new").click()
    page.wait_for_selector("#rows table")  # htmx loaded the rows
    page.get_by_role("button", name="确认并写入").click()
    page.wait_for_selector("text=已导入")
    # Undoing asks first (a data-confirm form, not an inline onsubmit).
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="撤销此次导入").click()
    page.wait_for_selector("text=已撤销此次导入")
    assert asked == ["确定撤销此次导入吗？"]
    assert alice.violations() == []
    alice.context.close()


def test_the_swagger_page_works_under_the_policy(live_server, street, browser):
    alice = Visit(browser, live_server, "alice")
    page = alice.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock")  # the schema was read and drawn
    assert alice.violations() == []
    alice.context.close()


def test_the_admin_works_under_its_policy(live_server, street, browser):
    root = Visit(browser, live_server, "root")
    page = root.goto("/admin/")
    page.goto(f"{root.base}/admin/enterprises/enterprise/")
    page.wait_for_selector("#result_list")
    page.goto(f"{root.base}/admin/enterprises/enterprise/add/")
    page.wait_for_selector("#enterprise_form")
    page.goto(f"{root.base}/admin/dues/ratesnapshot/gap/?quarter=2017Q2")
    page.select_option("select[name=quarter]", "2017Q1")  # sends without an inline handler
    page.wait_for_url(re.compile(r"quarter=2017Q1"))
    assert root.violations() == []
    root.context.close()
