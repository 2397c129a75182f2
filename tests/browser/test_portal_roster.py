"""A community chair in a real browser (Debian's chromium, Playwright):
downloads the template, uploads a roster with a fault, watches the
progress, reads the preview, confirms the valid rows, downloads the error
report; another chair cannot see that import."""

import importlib
import io
from pathlib import Path

import pytest
from django.apps import apps
from openpyxl import load_workbook

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ACME = "北京椿树一号科技有限公司"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def street(transactional_db, settings, tmp_path):
    """The reference data a flushed test database may have lost, two chairs
    and an enterprise in the first community."""
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "rosters"
    importlib.import_module("enterprises.migrations.0002_street_and_communities").create(apps, None)
    from accounts.models import Role
    from tests.factories import EnterpriseFactory, community, user

    EnterpriseFactory(name=ACME, community=community(1))
    user("alice", Role.CHAIR, community(1))
    user("bob", Role.CHAIR, community(2))


def sign_in(browser, live_server, username):
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/portal/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url("**/portal/")
    return page


def test_a_chair_imports_a_roster_with_a_fault(live_server, street, browser, tmp_path):
    from members.models import ImportBatch, Member
    from tests import samples

    page = sign_in(browser, live_server, "alice")
    with page.expect_download() as download:
        page.get_by_text("下载空白模板").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    template = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert [c.value for c in template["会员花名册"][3]][:2] == ["姓名", "身份证号"]

    # The chair fills the template: three good rows and one wrong phone.
    sheet = template["会员花名册"]
    header = [c.value for c in sheet[3]]
    rows = [*samples.people(3, [ACME]), samples.person_row(9, ACME, 联系电话="12345")]
    for line, row in enumerate(rows, start=4):
        for column, name in enumerate(header, start=1):
            sheet.cell(row=line, column=column, value=row[name])
    roster = tmp_path / "我的花名册.xlsx"
    template.save(roster)

    page.get_by_text("上传花名册").first.click()
    page.set_input_files("input[type=file]", str(roster))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/portal/imports/*/")
    assert page.locator("progress").count() == 1
    page.wait_for_selector("text=待确认")
    faults = page.locator(".faults").inner_text()
    assert "联系电话" in faults and "12345" in faults
    tiles = page.locator(".counts").inner_text()
    assert "3\n新增" in tiles and "1\n有错误" in tiles

    page.locator(".counts .kind-new").click()
    page.wait_for_selector("#rows table")
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "roster-preview.png"), full_page=True)
    assert rows[0]["姓名"] in page.locator("#rows").inner_text()
    assert "********" in page.locator("#rows").inner_text()

    with page.expect_download() as report:
        page.get_by_text("下载错误报告").click()
    errors = load_workbook(io.BytesIO(Path(report.value.path()).read_bytes())).active
    assert errors.cell(row=2, column=1).value == 7

    page.check("input[name=skip_invalid]")
    page.get_by_role("button", name="确认并写入").click()
    page.wait_for_selector("text=已导入")
    assert Member.objects.count() == 3
    batch = ImportBatch.objects.get()

    other = sign_in(browser, live_server, "bob")
    response = other.goto(f"{live_server.url}/portal/imports/{batch.pk}/")
    assert response.status == 404
    other.goto(f"{live_server.url}/portal/imports/")
    assert "我的花名册" not in other.content()
