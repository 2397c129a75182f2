"""A leader on the demo street, in a real browser (Debian's chromium driven
by Playwright): the 2017 figures of the article, switching quarter, drilling
down into a community, exporting the Excel file and finding in it the
figures the page shows. Screenshots land in artifacts/ for a person to look
at; the print layout is rendered to PDF there too. With
DASHBOARD_README_SCREENSHOT=1 the top of the page is also copied to
docs/img/dashboard.png, the README's image."""

import io
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
README_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "img" / "dashboard.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="zh-CN"
    )
    yield context.new_page()
    context.close()


def shot(page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def percent(text: str) -> Decimal:
    return Decimal(text.strip().rstrip("%"))


def community_rows(page) -> dict[str, dict]:
    rows = {}
    for row in page.locator("#table-communities tbody tr").all():
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        rows[cells[0]] = {
            "rate": percent(cells[1]),
            "declared": int(cells[2]),
            "obligated": int(cells[3]),
        }
    return rows


def test_a_leader_reads_the_2017_figures_drills_down_and_exports(live_server, browser_page):
    call_command("load_demo", stdout=io.StringIO())
    page = browser_page

    page.goto(f"{live_server.url}/dashboard/")
    assert "/accounts/login/" in page.url  # a stranger is sent to sign in
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "chunshu2017")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))

    # The latest quarter by default: Q3 2017, exactly 83.16%.
    assert page.locator("h1").first.inner_text().endswith("2017年第3季度")
    assert page.locator("#street-rate").inner_text() == "83.16%"
    page.wait_for_selector("#chart-communities svg")
    page.wait_for_selector("#chart-trend svg")
    shot(page, "dashboard-2017Q3")
    top = shot(page, "dashboard-2017Q3-top", full_page=False)
    if os.environ.get("DASHBOARD_README_SCREENSHOT"):  # refresh the README's image
        README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(top, README_IMAGE)
    q3_communities = community_rows(page)
    assert len(q3_communities) == 7
    assert sum(r["declared"] for r in q3_communities.values()) == int(
        page.locator("#street-declared").inner_text()
    )

    # The trend table holds both quarters of the article.
    street_trend = page.locator("#table-trend tbody tr.street td").all_inner_texts()
    assert "83.16%" in street_trend

    # Switching quarter: Q1 2017 rounds to the 74% the street reported.
    page.select_option("#quarter", "2017Q1")
    page.wait_for_url(re.compile(r"quarter=2017Q1"))
    q1 = percent(page.locator("#street-rate").inner_text())
    assert q1.quantize(Decimal("1")) == 74
    assert page.locator("#street-rate-rounded").inner_text() == "≈ 74%"
    shot(page, "dashboard-2017Q1")

    # On a phone the page still reads: the big figure fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    box = page.locator("#street-rate").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    shot(page, "dashboard-2017Q1-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    # Back to Q3 and down into the first community, then its undeclared list.
    page.select_option("#quarter", "2017Q3")
    page.wait_for_url(re.compile(r"quarter=2017Q3"))
    first = page.locator("#table-communities tbody tr a").first
    name = first.inner_text()
    first.click()
    page.wait_for_selector("#community-rate")
    assert percent(page.locator("#community-rate").inner_text()) == q3_communities[name]["rate"]
    shot(page, "dashboard-community")
    expected_undeclared = q3_communities[name]["obligated"] - q3_communities[name]["declared"]
    assert page.locator("#drill-undeclared .figure").inner_text() == str(expected_undeclared)
    page.click("#drill-undeclared")
    page.wait_for_selector("#table-enterprises")
    assert page.locator("#table-enterprises tbody tr").count() == expected_undeclared
    shot(page, "dashboard-undeclared")
    with page.expect_download() as listed:
        page.click("#export-link")
    ARTIFACTS.mkdir(exist_ok=True)
    listed.value.save_as(ARTIFACTS / "dashboard-undeclared.xlsx")
    listed_book = openpyxl.load_workbook(ARTIFACTS / "dashboard-undeclared.xlsx")
    names = [r[2].value for r in listed_book.active.iter_rows(min_row=5) if r[2].value]
    assert len(names) == expected_undeclared

    # The street's Excel export holds what the page showed.
    page.goto(f"{live_server.url}/dashboard/?quarter=2017Q3")
    with page.expect_download() as exported:
        page.click("#export-link")
    exported.value.save_as(ARTIFACTS / "dashboard-2017Q3.xlsx")
    book = openpyxl.load_workbook(ARTIFACTS / "dashboard-2017Q3.xlsx")
    headline = {r[0].value: r[1].value for r in book["汇总"].iter_rows() if r[0].value}
    assert Decimal(str(headline["申报率"])) == Decimal("83.16")
    assert headline["已申报企业数"] == int(page.locator("#street-declared").inner_text())
    assert headline["应申报企业数"] == int(page.locator("#street-obligated").inner_text())
    for community_name, row in q3_communities.items():
        sheet = {r[0].value: r[1].value for r in book[community_name].iter_rows() if r[0].value}
        assert Decimal(str(sheet["申报率"])).quantize(Decimal("0.01")) == row["rate"]
        assert sheet["已申报企业数"] == row["declared"]
        assert sheet["应申报企业数"] == row["obligated"]

    # The print layout: A4 pages, one section per page at least.
    page.emulate_media(media="print")
    shot(page, "dashboard-2017Q3-print")
    page.pdf(path=str(ARTIFACTS / "dashboard-2017Q3-print.pdf"), format="A4")
    pdf = (ARTIFACTS / "dashboard-2017Q3-print.pdf").read_bytes()
    sections = page.locator("section.sheet").count()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= sections
