"""Counts that are true (issue 17): the dashboard and its quarter snapshots
show members in good standing and held, and the quarter's flows — joined,
transferred, held, resumed, ended — each moved by the members service that
records it, in the quarter it is dated in."""

import datetime
import io

import openpyxl
import pytest

from chunshu_union.quarters import Quarter
from dashboard.models import QuarterFigures
from dashboard.services import quarter_figures_compute
from members.models import EndReason, HoldReason
from members.selectors import member_figures_for_quarter, membership_flows_for_quarter
from members.services import (
    membership_end,
    membership_hold,
    membership_join,
    membership_resume,
    membership_transfer,
)
from tests.factories import EnterpriseFactory, MemberFactory, street

d = datetime.date
Q2, Q3, Q4 = Quarter(2017, 2), Quarter(2017, 3), Quarter(2017, 4)
LONG_AGO = d(2016, 1, 1)


@pytest.fixture
def e1(community1):
    return EnterpriseFactory(community=community1)


@pytest.fixture
def e2(community2):
    return EnterpriseFactory(community=community2)


def joined(enterprise, on=LONG_AGO):
    member = MemberFactory()
    membership_join(member=member, enterprise=enterprise, joined_on=on)
    return member


def figures(quarter, *communities):
    ids = [c.pk for c in communities]
    return member_figures_for_quarter(street().pk, quarter, ids)


def test_a_hold_moves_a_member_to_held_in_the_quarter_it_is_dated_in(community1, e1):
    member = joined(e1)
    joined(e1)
    membership_hold(member=member, on=d(2017, 8, 10), reason=HoldReason.RETIRED)

    before, during, after = (figures(q, community1)[community1.pk] for q in (Q2, Q3, Q4))
    assert (before["members_standing"], before["members_held"]) == (2, 0)
    assert (during["members_standing"], during["members_held"]) == (1, 1)
    assert during["members_put_on_hold"] == 1 and after["members_put_on_hold"] == 0
    assert (after["members_standing"], after["members_held"]) == (1, 1)
    # Held members are still members: the total does not move.
    assert before["members_total"] == during["members_total"] == after["members_total"] == 2
    assert figures(Q3, community1)[None]["members_held"] == 1


def test_a_resumed_hold_still_counts_as_held_at_the_end_of_the_quarter_it_was_held(community1, e1):
    member = joined(e1)
    membership_hold(member=member, on=d(2017, 8, 10), reason=HoldReason.UNEMPLOYED)
    membership_resume(member=member, on=d(2017, 11, 2))

    q3, q4 = figures(Q3, community1)[community1.pk], figures(Q4, community1)[community1.pk]
    assert (q3["members_standing"], q3["members_held"]) == (0, 1)  # recomputed afterwards
    assert (q4["members_standing"], q4["members_held"], q4["members_resumed"]) == (1, 0, 1)
    flows = membership_flows_for_quarter(Q3, community=community1)
    assert (flows["held"], flows["held_now"], flows["standing"]) == (1, 1, 0)


def test_a_leave_moves_ended_and_the_members(community1, e1):
    member = joined(e1)
    joined(e1)
    membership_end(member=member, on=d(2017, 9, 1), reason=EndReason.LEFT_UNION)

    q3 = figures(Q3, community1)[community1.pk]
    assert (q3["members_at_start"], q3["members_left"], q3["members_total"]) == (2, 1, 1)
    flows = membership_flows_for_quarter(Q3, community=community1)
    assert (flows["ended"], flows["transferred_out"], flows["members"]) == (1, 0, 1)
    assert membership_flows_for_quarter(Q4, community=community1)["ended"] == 0


def test_a_transfer_out_is_not_an_ending_and_a_held_member_may_leave(community1, e1):
    gone = joined(e1)
    retired = joined(e1)
    membership_end(
        member=gone, on=d(2017, 9, 1), reason=EndReason.TRANSFERRED_OUT, external_party="外区"
    )
    membership_hold(member=retired, on=d(2017, 7, 3), reason=HoldReason.RETIRED)
    membership_end(member=retired, on=d(2017, 9, 20), reason=EndReason.DECEASED)

    q3 = figures(Q3, community1)[community1.pk]
    assert (q3["members_transferred_out"], q3["members_left"]) == (1, 1)
    assert (q3["members_total"], q3["members_held"]) == (0, 0)
    flows = membership_flows_for_quarter(Q3, community=community1)
    assert (flows["transferred_out"], flows["held"], flows["ended"]) == (1, 1, 1)


def test_a_transfer_within_the_street_counts_where_the_member_went(community1, community2, e1, e2):
    member = joined(e1)
    membership_transfer(member=member, to_enterprise=e2, on=d(2017, 8, 1))

    assert membership_flows_for_quarter(Q3, community=community2)["transferred"] == 1
    assert membership_flows_for_quarter(Q3, community=community1)["transferred"] == 0
    whole = membership_flows_for_quarter(Q3)
    assert (whole["transferred"], whole["members"], whole["joined"]) == (1, 1, 0)


def test_the_quarter_adds_up(community1, community2, e1, e2):
    """有增有减: start + joined + transferred in − transferred out − ended
    = end, for each community and for the street."""
    for _ in range(3):
        joined(e1)
    moving, leaving, retiring = joined(e1), joined(e2), joined(e2)
    joined(e2, on=d(2017, 7, 15))
    membership_join(
        member=MemberFactory(), enterprise=e1, joined_on=d(2017, 8, 2), external_party="外区工会"
    )
    membership_transfer(member=moving, to_enterprise=e2, on=d(2017, 8, 1))
    membership_end(member=leaving, on=d(2017, 9, 3), reason=EndReason.LEFT_STREET)
    membership_hold(member=retiring, on=d(2017, 9, 4), reason=HoldReason.RETIRED)

    for values in figures(Q3, community1, community2).values():
        assert values["members_total"] == (
            values["members_at_start"]
            + values["members_joined"]
            + values["members_transferred_in"]
            - values["members_transferred_out"]
            - values["members_left"]
        )
        assert values["members_total"] == values["members_standing"] + values["members_held"]
    street_q3 = figures(Q3, community1, community2)[None]
    assert (street_q3["members_at_start"], street_q3["members_total"]) == (6, 7)
    assert street_q3["members_held"] == 1


def test_the_snapshot_the_page_and_the_workbook_carry_the_flows(client, lee, community1, e1):
    member = joined(e1)
    joined(e1)
    membership_hold(member=member, on=d(2017, 8, 10), reason=HoldReason.RETIRED)
    quarter_figures_compute(federation=street(), quarter=Q3)

    stored = QuarterFigures.objects.get(quarter="2017Q3", community=None).figures
    assert (stored["members_total"], stored["members_standing"], stored["members_held"]) == (
        2,
        1,
        1,
    )
    assert stored["members_put_on_hold"] == 1

    client.force_login(lee)
    page = client.get("/dashboard/?quarter=2017Q3").content.decode()
    row = page.split('data-key="members_held"')[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in row
    assert "其中会籍保留" in page
    assert 'id="street-members">2<' in page and "其中在会 1、会籍保留 1" in page

    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/dashboard/export.xlsx?quarter=2017Q3").content)
    )
    labels = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert labels["其中会籍保留（退休、失业、企业关闭）"] == 1
    assert labels["本季度会籍保留"] == 1
