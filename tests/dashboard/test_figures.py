"""Every members and enterprises figure of the dashboard, counted by the
apps' own selectors (`member_figures_for_quarter`,
`enterprise_figures_for_quarter`) on a small street built by hand for the
third quarter of 2017 (2017-07-01 … 09-30)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from chunshu_union.quarters import Quarter
from dashboard.models import QuarterFigures
from dashboard.services import quarter_figures_compute
from enterprises.models import Status
from enterprises.selectors import enterprise_figures_for_quarter
from enterprises.services import enterprise_set_status
from members.models import JingCard, JingCardChange
from members.selectors import member_figures_for_quarter
from members.services import membership_join, membership_leave, membership_transfer
from tests.factories import (
    EnterpriseFactory,
    MemberFactory,
    MembershipFactory,
    community,
    street,
)

Q3 = Quarter(2017, 3)
d = datetime.date


def quarter_counts(federation_id, quarter, community_ids) -> dict:
    """What the dashboard stores per scope: both apps' figures side by side."""
    members = member_figures_for_quarter(federation_id, quarter, community_ids)
    enterprises = enterprise_figures_for_quarter(federation_id, quarter, community_ids)
    return {key: {**members[key], **enterprises[key]} for key in members}


def _member(enterprise, joined_on, **fields):
    return MembershipFactory(
        enterprise=enterprise,
        joined_on=joined_on,
        member__name="x",
        **{f"member__{k}": v for k, v in fields.items()},
    ).member


@pytest.fixture
def small_street(community1, community2):
    """c1: E1 (union since 2015), E3 (moved out in August);
    c2: E2 (union founded in August), E4 (union only from 2018)."""
    e1 = EnterpriseFactory(community=community1, union_founded_on=d(2015, 1, 1))
    e3 = EnterpriseFactory(community=community1, union_founded_on=d(2015, 1, 1))
    e2 = EnterpriseFactory(community=community2, union_founded_on=d(2017, 8, 1))
    e4 = EnterpriseFactory(community=community2, union_founded_on=d(2018, 1, 1))
    enterprise_set_status(enterprise=e3, status=Status.MOVED_OUT, effective_on=d(2017, 8, 15))

    verified = timezone.make_aware(datetime.datetime(2017, 9, 30, 10, 0))
    # m1: a member all quarter, card activated, on the app, verified.
    _member(
        e1,
        d(2016, 1, 1),
        jingcard_status=JingCard.ACTIVATED,
        app_registered_on=d(2017, 5, 1),
        verified_at=verified,
    )
    # m2: joined in July; card issued and app only after the quarter ended.
    m2 = _member(
        e1, d(2017, 7, 10), jingcard_status=JingCard.ISSUED, app_registered_on=d(2017, 10, 1)
    )
    JingCardChange.objects.create(
        member=m2,
        from_status=JingCard.APPLIED,
        to_status=JingCard.ISSUED,
        changed_on=d(2017, 10, 5),
    )
    # m3: moved from c2 to c1 on 1 August (a transfer within the street).
    m3 = _member(e2, d(2016, 1, 1))
    membership_transfer(member=m3, to_enterprise=e1, on=d(2017, 8, 1))
    # m4: left in September (not a transfer).
    m4 = _member(e1, d(2016, 1, 1))
    membership_leave(member=m4, on=d(2017, 9, 1))
    # m5: came from a union outside the street in July.
    membership_join(
        member=MemberFactory(), enterprise=e2, joined_on=d(2017, 7, 5), external_party="外区工会"
    )
    # m6: went to a union outside the street in September.
    m6 = _member(e2, d(2016, 1, 1))
    membership_leave(member=m6, on=d(2017, 9, 10), external_party="外区工会")
    # m7: left in June: nothing of it belongs to Q3 but history.
    m7 = _member(e1, d(2016, 1, 1))
    membership_leave(member=m7, on=d(2017, 6, 30))
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4}


@pytest.fixture
def counts(small_street, community1, community2):
    return quarter_counts(street().pk, Q3, [community1.pk, community2.pk])


def test_members_at_quarter_end(counts, community1, community2):
    assert counts[community1.pk]["members_total"] == 3  # m1, m2, m3 after the move
    assert counts[community2.pk]["members_total"] == 1  # m5
    assert counts[None]["members_total"] == 4


def test_joined_and_left_leave_out_transfers(counts, community1, community2):
    assert counts[community1.pk]["members_joined"] == 1  # m2, not m3's new membership
    assert counts[community2.pk]["members_joined"] == 0  # m5 came by transfer
    assert counts[community1.pk]["members_left"] == 1  # m4; m7 left in Q2
    assert counts[community2.pk]["members_left"] == 0  # m6 left by transfer
    assert counts[None]["members_joined"] == 1 and counts[None]["members_left"] == 1


def test_a_move_between_communities_is_a_transfer_for_each_but_not_for_the_street(
    counts, community1, community2
):
    c1, c2, st = counts[community1.pk], counts[community2.pk], counts[None]
    assert (c1["members_transferred_in"], c1["members_transferred_out"]) == (1, 0)
    assert (c2["members_transferred_in"], c2["members_transferred_out"]) == (1, 2)
    assert (st["members_transferred_in"], st["members_transferred_out"]) == (1, 1)


def test_coverage_counts_only_what_was_true_at_quarter_end(counts, community1):
    c1 = counts[community1.pk]
    assert c1["jingcard_holders"] == 1  # m2's card came in October
    assert c1["app_registered"] == 1
    assert c1["verified"] == 1
    assert c1["jingcard_coverage"] == Decimal("33.33")
    assert c1["verified_coverage"] == Decimal("33.33")
    assert counts[None]["app_coverage"] == Decimal("25.00")


def test_enterprise_figures(counts, community1, community2):
    c1, c2 = counts[community1.pk], counts[community2.pk]
    assert c1["enterprises_total"] == 1  # E3 moved out in August
    assert c1["enterprises_moved_out"] == 1
    assert c2["enterprises_total"] == 1  # E2; E4's union is not founded yet
    assert c2["enterprises_founded"] == 1
    assert counts[None]["enterprises_total"] == 2
    assert counts[None]["enterprises_deregistered"] == 0


def test_a_quarter_before_the_moves_shows_them_not_yet(small_street, community1, community2):
    q2 = quarter_counts(street().pk, Quarter(2017, 2), [community1.pk, community2.pk])
    # m7 left on 30 June, the last day: no longer a member at quarter end.
    assert q2[community1.pk]["members_total"] == 2  # m1, m4
    assert q2[community1.pk]["members_left"] == 1
    assert q2[community2.pk]["members_total"] == 2  # m3, m6
    assert q2[community1.pk]["enterprises_total"] == 2


def test_an_empty_community_has_zeros_and_no_coverage(db, community1):
    counts = quarter_counts(street().pk, Q3, [community1.pk])
    assert counts[community1.pk]["members_total"] == 0
    assert counts[community1.pk]["jingcard_coverage"] is None


def test_the_stored_snapshot_keeps_percentages_as_text_and_no_coverage_as_null(small_street):
    snapshots = quarter_figures_compute(federation=street(), quarter=Q3)
    by_community = {s.community_id: s.figures for s in snapshots}
    assert by_community[None]["app_coverage"] == "25.00"
    assert by_community[community(3).pk]["jingcard_coverage"] is None  # no member: "—"


def test_the_snapshot_is_stored_once_and_recomputing_unchanged_adds_no_revision(small_street):
    first = quarter_figures_compute(federation=street(), quarter=Q3)
    assert len(first) == 8  # the street and its 7 communities
    assert first[0].community is None and first[0].figures["members_total"] == 4
    again = quarter_figures_compute(federation=street(), quarter=Q3)
    assert [s.pk for s in again] == [s.pk for s in first]
    assert QuarterFigures.objects.count() == 8


def test_a_changed_figure_adds_a_revision_and_keeps_the_old_one(small_street, community1):
    quarter_figures_compute(federation=street(), quarter=Q3)
    # A late roster correction: someone joined E1 in August.
    _member(small_street["e1"], d(2017, 8, 20))
    snapshots = quarter_figures_compute(federation=street(), quarter=Q3)
    assert snapshots[0].revision == 2 and snapshots[0].figures["members_total"] == 5
    old = QuarterFigures.objects.get(community=None, quarter="2017Q3", revision=1)
    assert not old.is_current and old.figures["members_total"] == 4
    community = QuarterFigures.objects.current().get(community=community1, quarter="2017Q3")
    assert community.revision == 2
    untouched = (
        QuarterFigures.objects.current().exclude(community=None).exclude(community=community1)
    )
    assert set(untouched.values_list("revision", flat=True)) == {1}


def test_the_counts_take_a_fixed_number_of_queries(
    small_street, community1, community2, django_assert_max_num_queries
):
    # One more than before issue 17: the holds and resumptions of the
    # quarter, counted from the members' history.
    with django_assert_max_num_queries(9):
        quarter_counts(street().pk, Q3, [community1.pk, community2.pk])
