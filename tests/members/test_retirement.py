"""Retirement (issue 17): "281 women aged 55+ have no way to be marked
retired". The statutory age by birth date and sex under the rule in force
(国发〔1978〕104号 before 2025; the NPC Standing Committee's decision of
2024-09-13 from 2025), a list per community of members in good standing
who reached it, and a person who confirms each (held, reason retired) or
keeps them at work. Nothing happens by itself."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from members import retirement
from members.models import HoldReason, MembershipEvent, RetirementDecision
from members.retirement import (
    MAN,
    NEW_RULE,
    OLD_RULE,
    WOMAN_CADRE,
    WOMAN_WORKER,
    latest_birth_due,
    retirement_age,
    retirement_confirm,
    retirement_due,
    retirement_keep_working,
)
from tests.factories import MembershipFactory, id_number

D = datetime.date


@pytest.mark.parametrize(
    ("born", "track", "years_months", "due", "rule"),
    [
        # Men: 60 until those born in December 1964; then a month more
        # every four months of birth, to 63 from September 1976.
        (D(1964, 12, 31), MAN, (60, 0), D(2024, 12, 1), OLD_RULE),
        (D(1965, 1, 1), MAN, (60, 1), D(2025, 2, 1), NEW_RULE),
        (D(1965, 4, 30), MAN, (60, 1), D(2025, 5, 1), NEW_RULE),
        (D(1965, 5, 1), MAN, (60, 2), D(2025, 7, 1), NEW_RULE),
        (D(1976, 8, 1), MAN, (62, 11), D(2039, 7, 1), NEW_RULE),
        (D(1976, 9, 1), MAN, (63, 0), D(2039, 9, 1), NEW_RULE),
        (D(1990, 6, 15), MAN, (63, 0), D(2053, 6, 1), NEW_RULE),
        # Women cadres (55): from January 1970, to 58 from September 1981.
        (D(1969, 12, 1), WOMAN_CADRE, (55, 0), D(2024, 12, 1), OLD_RULE),
        (D(1970, 1, 1), WOMAN_CADRE, (55, 1), D(2025, 2, 1), NEW_RULE),
        (D(1981, 9, 1), WOMAN_CADRE, (58, 0), D(2039, 9, 1), NEW_RULE),
        # Women workers (50): a month every two, to 55 from November 1984.
        (D(1974, 12, 1), WOMAN_WORKER, (50, 0), D(2024, 12, 1), OLD_RULE),
        (D(1975, 1, 1), WOMAN_WORKER, (50, 1), D(2025, 2, 1), NEW_RULE),
        (D(1975, 3, 1), WOMAN_WORKER, (50, 2), D(2025, 5, 1), NEW_RULE),
        (D(1984, 10, 1), WOMAN_WORKER, (54, 11), D(2039, 9, 1), NEW_RULE),
        (D(1984, 11, 1), WOMAN_WORKER, (55, 0), D(2039, 11, 1), NEW_RULE),
    ],
)
def test_the_statutory_age_follows_the_rule_in_force(born, track, years_months, due, rule):
    age = retirement_age(born, track)
    assert age.years_and_months == years_months
    assert age.due_month == due
    assert age.rule == rule


@pytest.mark.parametrize("track", [MAN, WOMAN_CADRE, WOMAN_WORKER])
def test_the_database_range_agrees_with_the_age_of_every_birth_month(track):
    """The list asks the database for birth_date <= latest_birth_due(on):
    for every birth month from 1950 to 1990 and every month-start and
    month-end from 2015 to 2045, that range holds exactly the people due."""
    births = [D(y, m, d) for y in range(1950, 1991) for m in range(1, 13) for d in (1, 28)]
    due = {born: retirement_age(born, track).due_month for born in births}
    days = [D(y, m, 1) for y in range(2015, 2046) for m in range(1, 13)]
    days += [d - datetime.timedelta(days=1) for d in days[1:]]
    for on in days:
        cut = latest_birth_due(on, track)
        wrong = [born for born in births if (born <= cut) != (due[born] <= on)]
        assert not wrong, (on, wrong[:3])


def _member(enterprise, *, birth: str, female: bool, name: str):
    return MembershipFactory(
        enterprise=enterprise,
        member__name=name,
        member__id_number_value=id_number(birth=birth, female=female),
    ).member


@pytest.fixture
def aged(alices_enterprise, bobs_enterprise):
    return {
        "woman_56": _member(alices_enterprise, birth="19680510", female=True, name="王秀英"),
        "woman_54": _member(alices_enterprise, birth="19700510", female=True, name="李红"),
        "man_59": _member(alices_enterprise, birth="19640301", female=False, name="张强"),
        "man_61": _member(alices_enterprise, birth="19620301", female=False, name="赵刚"),
        "bobs_woman": _member(bobs_enterprise, birth="19660101", female=True, name="陈兰"),
    }


ON = D(2023, 6, 30)


def test_the_list_holds_members_in_good_standing_who_reached_the_age(aged, community1):
    listed = set(retirement_due(community=community1, on=ON))
    # A woman of 55 and more (the women cadres' track) and a man of 60 and
    # more; not the woman of 54 nor the man of 59, nor bob's member.
    assert listed == {aged["woman_56"], aged["man_61"]}
    everywhere = set(retirement_due(on=ON))
    assert aged["bobs_woman"] in everywhere


def test_listing_changes_nothing(aged, community1):
    list(retirement_due(community=community1, on=ON))
    assert not RetirementDecision.objects.exists()
    assert aged["woman_56"].open_membership().held_on is None


def test_confirming_holds_the_membership_as_retired_with_history(aged, community1, sam):
    woman = aged["woman_56"]
    decision = retirement_confirm(member=woman, on=ON, by=sam, note="已办理退休")
    membership = woman.memberships.get()
    assert membership.held_on == ON
    assert membership.hold_reason == HoldReason.RETIRED
    assert decision.outcome == RetirementDecision.Outcome.RETIRED
    assert decision.recorded_by == sam
    assert MembershipEvent.objects.filter(
        member=woman, kind=MembershipEvent.Kind.HELD, reason=HoldReason.RETIRED
    ).exists()
    assert woman not in retirement_due(community=community1, on=ON)


def test_kept_at_work_leaves_the_list_while_the_membership_lasts(aged, community1, sam):
    man = aged["man_61"]
    retirement_keep_working(member=man, on=ON, by=sam, note="返聘")
    assert man not in retirement_due(community=community1, on=ON)
    assert man.open_membership().held_on is None
    with pytest.raises(ValidationError):
        retirement_keep_working(member=man, on=ON, by=sam)


def test_someone_below_the_age_cannot_be_confirmed(aged, sam):
    with pytest.raises(ValidationError):
        retirement_confirm(member=aged["woman_54"], on=ON, by=sam)
    assert aged["woman_54"].open_membership().held_on is None


def test_the_rule_in_force_decides_for_a_man_born_in_1965(alices_enterprise, community1):
    man = _member(alices_enterprise, birth="19650115", female=False, name="孙伟")
    # Under the old rule he would be due in January 2025; the decision of
    # 2024 moved him to February 2025 (60 years and 1 month).
    assert man not in retirement_due(community=community1, on=D(2025, 1, 31))
    assert man in retirement_due(community=community1, on=D(2025, 2, 1))
    assert retirement.retirement_age_of(man).label() in ("60岁1个月", "60 years 1 months")


# --- The admin page ------------------------------------------------------------

DUE_URL = "/admin/members/retirementdecision/due/"


@pytest.fixture
def staff_client(client, sam):
    sam.is_staff = True
    sam.save()
    client.force_login(sam)
    return client


def test_staff_see_the_list_per_community_with_masked_numbers(
    staff_client, aged, community1, alices_enterprise
):
    _member(alices_enterprise, birth="19800101", female=True, name="周敏")
    page = staff_client.get(DUE_URL, {"community": community1.pk}).content.decode()
    assert "王秀英" in page and "赵刚" in page  # the list is as of today
    assert "周敏" not in page and "陈兰" not in page
    assert aged["woman_56"].id_masked in page
    assert aged["woman_56"].id_number not in page
    assert "1968-05-10" not in page and "1968年5月10日" not in page


def test_staff_confirm_a_retirement_from_the_list(staff_client, aged, community1, sam):
    response = staff_client.post(
        DUE_URL,
        {"member": aged["woman_56"].pk, "decision": "retired", "community": community1.pk},
    )
    assert response.status_code == 302
    membership = aged["woman_56"].memberships.get()
    assert membership.hold_reason == HoldReason.RETIRED
    assert RetirementDecision.objects.get().recorded_by == sam
    listed = staff_client.get(DUE_URL).content.decode().split('id="retirement-due"')[1]
    assert "王秀英" not in listed


def test_staff_of_another_street_cannot_decide_for_this_one(client, aged):
    from accounts import roles
    from accounts.models import Role
    from tests.factories import another_street, user

    dave = user("dave", Role.STAFF, federation=another_street().federation, is_staff=True)
    dave.groups.add(roles.group(roles.STAFF_GROUP))
    client.force_login(dave)
    assert "王秀英" not in client.get(DUE_URL).content.decode()
    response = client.post(DUE_URL, {"member": aged["woman_56"].pk, "decision": "retired"})
    assert response.status_code == 404
    assert aged["woman_56"].open_membership().held_on is None


def test_a_chair_is_turned_away_from_the_admin_list(client, alice, aged):
    client.force_login(alice)
    response = client.get(DUE_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_count_for_a_chairs_home_page_agrees_with_the_list(aged, community1, alice, sam):
    from members.retirement import retirement_due_count

    retirement_keep_working(member=aged["man_61"], on=ON, by=sam)
    for user, community in ((alice, community1.pk), (sam, None), (None, community1)):
        listed = retirement_due(community=community, on=ON, user=user).count()
        assert retirement_due_count(community=community, on=ON, user=user) == listed
    assert retirement_due_count(community=community1.pk, on=ON, user=alice) == 1
