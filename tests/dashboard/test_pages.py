"""The dashboard as people use it: lee the leader and sam the staff member
read it; alice the chair and strangers are turned away; the figures on the
page, in the drill-down and in the Excel file are the data's."""

import datetime
import io
import re

import openpyxl
import pytest

from accounts.models import Role
from chunshu_union.quarters import Quarter
from dashboard.services import quarter_figures_compute
from dues.services import snapshots_recompute
from enterprises.models import Federation
from tests.dues.helpers import declare
from tests.factories import EnterpriseFactory, MembershipFactory, community, street, user

Q1, Q2 = Quarter(2017, 1), Quarter(2017, 2)
TODAY = datetime.date(2017, 12, 1)


@pytest.fixture
def figures(community1, community2):
    """c1: 4 obligated enterprises, 3 declared in Q2 (one a zero declaration),
    1 in Q1; c2: 2 obligated, both declared in Q1 and Q2. A formula-looking
    name and a chair's phone that must never reach a leader."""
    c1 = [
        EnterpriseFactory(
            community=community1, name=f"椿树{i}号公司", union_chair_phone="13912345678"
        )
        for i in range(3)
    ]
    c1.append(EnterpriseFactory(community=community1, name="=HYPERLINK(1)科技"))
    c2 = [EnterpriseFactory(community=community2, name=f"红线{i}号公司") for i in range(2)]
    for enterprise in c1[:2]:
        declare(enterprise, "2017Q2")
    declare(c1[2], "2017Q2", zero=True)
    declare(c1[0], "2017Q1")
    for enterprise in c2:
        declare(enterprise, "2017Q1")
        declare(enterprise, "2017Q2")
    MembershipFactory(enterprise=c1[0], joined_on=datetime.date(2017, 5, 2))
    MembershipFactory(enterprise=c2[0], joined_on=datetime.date(2016, 5, 2))
    for quarter in (Q1, Q2):
        snapshots_recompute(quarter=quarter, today=TODAY)
        quarter_figures_compute(federation=street(), quarter=quarter)
    return {"c1": c1, "c2": c2}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_lee_sees_the_latest_quarter_by_default(client, lee, figures):
    client.force_login(lee)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2017年第2季度" in page
    # Street: 5 of 6 declared; c1 3 of 4, c2 2 of 2.
    assert '<span class="figure" id="street-rate">83.33%</span>' in page
    assert re.search(rf'data-community="{community(1).pk}">.*?75\.00%', page, re.S)
    assert re.search(rf'data-community="{community(2).pk}">.*?100\.00%', page, re.S)


def test_an_earlier_quarter_shows_its_own_figures_and_the_trend_both(client, sam, figures):
    client.force_login(sam)
    page = client.get("/dashboard/?quarter=2017Q1").content.decode()
    # Q1: c1 1 of 4, c2 2 of 2 → 3 of 6.
    assert 'id="street-rate">50.00%' in page
    trend = text(client.get("/dashboard/?quarter=2017Q1"))
    assert "全街道 50.00% 83.33%" in trend


def test_the_members_figures_come_from_the_snapshot(client, lee, figures):
    client.force_login(lee)
    page = client.get("/dashboard/?quarter=2017Q2").content.decode()
    row = re.search(r'<tr data-key="members_joined">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells[:3] == ["1", "1", "0"]  # street, c1, c2


@pytest.mark.parametrize(
    "quarter, message",
    [("2017Q5", "无法识别的季度"), ("abc", "无法识别的季度"), ("2015Q1", "还没有")],
)
def test_a_bad_quarter_gets_a_chinese_sentence_not_an_error_page(
    client, lee, figures, quarter, message
):
    client.force_login(lee)
    response = client.get(f"/dashboard/?quarter={quarter}")
    assert response.status_code in (400, 404)
    assert message in response.content.decode()
    assert "2017年第2季度" in response.content.decode()  # where to go instead


def test_without_any_figures_the_page_says_so(client, lee):
    client.force_login(lee)
    response = client.get("/dashboard/")
    assert response.status_code == 404
    assert "还没有任何季度的数据" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/export.xlsx",
        "/dashboard/community/{c}/",
        "/dashboard/community/{c}/obligated/",
        "/dashboard/community/{c}/declared.xlsx",
    ],
)
def test_alice_the_chair_cannot_see_any_of_it_even_for_her_own_community(
    client, alice, figures, url
):
    client.force_login(alice)
    assert client.get(url.format(c=alice.community_id) + "?quarter=2017Q2").status_code == 403


def test_alice_cannot_drill_into_bobs_community_nor_export_it(client, alice, bob, figures):
    client.force_login(alice)
    for url in (
        f"/dashboard/community/{bob.community_id}/?quarter=2017Q2",
        f"/dashboard/community/{bob.community_id}/declared/?quarter=2017Q2",
        f"/dashboard/community/{bob.community_id}/declared.xlsx?quarter=2017Q2",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404)
        assert "红线0号公司" not in response.content.decode(errors="replace")


def test_strangers_are_sent_to_sign_in(client, figures):
    response = client.get(f"/dashboard/community/{community(1).pk}/obligated/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_leader_of_another_street_gets_404_for_this_streets_community(client, figures):
    other = Federation.objects.create(name="大栅栏街道总工会")
    stranger = user("dan", Role.LEADER, federation=other)
    client.force_login(stranger)
    response = client.get(f"/dashboard/community/{community(1).pk}/?quarter=2017Q2")
    assert response.status_code == 404


def test_drill_down_lists_the_enterprises_behind_the_figure(client, lee, figures):
    client.force_login(lee)
    c1 = community(1).pk
    page = client.get(f"/dashboard/community/{c1}/?quarter=2017Q2").content.decode()
    assert 'id="community-rate">75.00%' in page
    undeclared = text(client.get(f"/dashboard/community/{c1}/undeclared/?quarter=2017Q2"))
    assert "=HYPERLINK(1)科技" in undeclared and "椿树0号公司" not in undeclared
    declared = text(client.get(f"/dashboard/community/{c1}/declared/?quarter=2017Q2"))
    assert all(f"椿树{i}号公司" in declared for i in range(3))
    assert "红线0号公司" not in declared


def test_leaders_see_no_personal_data_in_the_drill_down(client, lee, figures):
    client.force_login(lee)
    c1 = community(1).pk
    for which in ("obligated", "declared"):
        page = client.get(f"/dashboard/community/{c1}/{which}/?quarter=2017Q2").content.decode()
        assert "13912345678" not in page and "139****5678" not in page
        book = openpyxl.load_workbook(
            io.BytesIO(client.get(f"/dashboard/community/{c1}/{which}.xlsx?quarter=2017Q2").content)
        )
        values = [c.value for row in book.active.iter_rows() for c in row]
        assert "13912345678" not in values


def test_an_unknown_kind_of_list_is_404(client, lee, figures):
    client.force_login(lee)
    assert client.get(f"/dashboard/community/{community(1).pk}/everything/").status_code == 404


def test_the_drill_down_export_never_holds_a_formula(client, lee, figures):
    client.force_login(lee)
    response = client.get(f"/dashboard/community/{community(1).pk}/obligated.xlsx?quarter=2017Q2")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(1)科技"]
    assert cells and cells[0].data_type == "s"
    assert sum(1 for row in sheet.iter_rows(min_row=5) if row[1].value) == 4


def test_the_excel_export_has_the_page_figures_and_a_sheet_per_community(client, lee, figures):
    client.force_login(lee)
    response = client.get("/dashboard/export.xlsx?quarter=2017Q2")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "汇总"
    assert len(book.sheetnames) == 8  # the headline and 7 communities
    headline = {row[0].value: row[1].value for row in book["汇总"].iter_rows() if row[0].value}
    assert float(headline["申报率"]) == 83.33
    assert headline["应申报企业数"] == 6
    c1 = {row[0].value: row[1].value for row in book[community(1).name].iter_rows() if row[0].value}
    assert float(c1["申报率"]) == 75.0 and c1["已申报企业数"] == 3
    assert c1["其中零申报"] == 1


def test_the_excel_export_is_laid_out_for_a4(client, lee, figures):
    client.force_login(lee)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/dashboard/export.xlsx?quarter=2017Q2").content)
    )
    for sheet in book.worksheets:
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$2"


def test_the_page_reads_snapshots_in_a_fixed_number_of_queries(
    client, lee, figures, django_assert_max_num_queries
):
    client.force_login(lee)
    client.get("/dashboard/?quarter=2017Q2")
    with django_assert_max_num_queries(9):
        assert client.get("/dashboard/?quarter=2017Q2").status_code == 200


def test_each_count_in_the_communities_table_opens_its_list(client, lee, figures):
    client.force_login(lee)
    page = client.get("/dashboard/?quarter=2017Q2").content.decode()
    c1 = community(1).pk
    assert f'href="/dashboard/community/{c1}/undeclared/?quarter=2017Q2">1</a>' in page
    assert f'href="/dashboard/community/{c1}/obligated/?quarter=2017Q2">4</a>' in page


def test_the_printed_sheets_number_their_pages(client, lee, figures):
    client.force_login(lee)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/dashboard/export.xlsx?quarter=2017Q2").content)
    )
    assert book["汇总"].oddFooter.center.text == "第 &P 页，共 &N 页"


def test_zombies_flagged_by_the_quarters_end_are_counted_and_listed(client, lee, figures):
    from dues.models import ZombieFlag

    silent = figures["c1"][3]
    ZombieFlag.objects.create(
        enterprise=silent, quarter="2017Q1", flagged_on=datetime.date(2017, 4, 10)
    )
    client.force_login(lee)
    # The page reads the snapshot: the new flag shows once the job has run.
    before = client.get("/dashboard/?quarter=2017Q2").content.decode()
    assert 'id="zombies-flagged">0<' in before
    for quarter in (Quarter(2017, 1), Quarter(2017, 2)):
        quarter_figures_compute(federation=street(), quarter=quarter)
    q2 = client.get("/dashboard/?quarter=2017Q2").content.decode()
    assert 'id="zombies-flagged">1<' in q2
    q1 = client.get("/dashboard/?quarter=2017Q1").content.decode()
    assert 'id="zombies-flagged">0<' in q1  # flagged only after Q1 ended
    c1 = community(1).pk
    listed = text(client.get(f"/dashboard/community/{c1}/zombie/?quarter=2017Q2"))
    assert "=HYPERLINK(1)科技" in listed and "共 1 户企业" in listed
