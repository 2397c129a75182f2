"""Near-duplicates and merging (issue 17): "near-duplicates (same name and
birth date or phone, different ID) go unnoticed". The report pairs them,
within what the user may see; a merge moves everything of one record onto
the other in one transaction, recorded, and refuses while both have an open
membership."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members.duplicates import (
    BIRTH_DATE,
    PHONE,
    _relations,
    duplicate_groups,
    member_merge,
    not_duplicate_record,
)
from members.models import (
    JingCardChange,
    Member,
    MemberMerge,
    Membership,
    MembershipEvent,
    Transfer,
)
from members.services import membership_end
from services.models import Attendance, Event, EventKind, Handout
from tests.factories import (
    MemberFactory,
    MembershipFactory,
    id_number,
    one_handed_out,
    street,
    user,
)


def _twin(of: Member, n: int, **fields) -> Member:
    """Another record of `of`'s name and birth date under another valid number."""
    birth = of.birth_date.strftime("%Y%m%d")
    return MemberFactory(name=of.name, id_number_value=id_number(n, birth=birth), **fields)


def test_same_name_and_birth_date_are_reported(alices_member, sam):
    twin = _twin(alices_member, 451, phone="13911112222")
    MembershipFactory(member=twin, enterprise=alices_member.open_membership().enterprise)
    groups = duplicate_groups(user=sam)
    assert [(g.reason, {m.pk for m in g.members}) for g in groups] == [
        (BIRTH_DATE, {alices_member.pk, twin.pk})
    ]


def test_same_name_and_phone_are_reported(alices_member, alices_enterprise, sam):
    other = MemberFactory(
        name=alices_member.name,
        phone=alices_member.phone,
        id_number_value=id_number(452, birth="19900101"),
    )
    MembershipFactory(member=other, enterprise=alices_enterprise)
    groups = duplicate_groups(user=sam)
    assert [(g.reason, {m.pk for m in g.members}) for g in groups] == [
        (PHONE, {alices_member.pk, other.pk})
    ]


def test_different_names_are_not_near_duplicates(alices_member, sam):
    MemberFactory(name="李四", id_number_value=id_number(453, birth="19850312"))
    assert duplicate_groups(user=sam) == []


def test_the_report_stays_within_what_the_user_may_see(alices_member, alices_enterprise):
    from tests.factories import another_street

    twin = _twin(alices_member, 454)
    MembershipFactory(member=twin, enterprise=alices_enterprise)
    elsewhere_staff = user("dave", "staff", federation=another_street().federation)
    assert duplicate_groups(user=elsewhere_staff) == []


def test_a_pair_recorded_as_two_people_leaves_the_report(alices_member, sam):
    twin = _twin(alices_member, 455)
    MembershipFactory(member=twin, enterprise=alices_member.open_membership().enterprise)
    not_duplicate_record(first=twin, second=alices_member, by=sam, note="两人同名同生日")
    assert duplicate_groups(user=sam) == []


@pytest.fixture
def wrong_record(alices_member, alices_enterprise, sam):
    """The same person as alices_member under a mistyped number, with a
    closed membership, a transfer, a 京卡 step, a handout and an attendance."""
    twin = _twin(alices_member, 456, is_model_worker=True)
    earlier = MembershipFactory(
        member=twin,
        enterprise=alices_enterprise,
        joined_on=datetime.date(2012, 1, 1),
    )
    membership_end(member=twin, on=datetime.date(2015, 12, 31), reason="other", by=sam)
    earlier.refresh_from_db()
    Transfer.objects.create(
        member=twin,
        to_membership=earlier,
        transferred_on=earlier.joined_on,
        external_party="外街道",
    )
    JingCardChange.objects.create(
        member=twin, from_status="not_applied", to_status="applied", changed_on=earlier.joined_on
    )
    from services.models import WelfareItem

    one_handed_out(
        federation=street(),
        item=WelfareItem.objects.create(name="清凉包"),
        name="2017清凉包",
        member=twin,
        community=alices_enterprise.community,
        day=datetime.date(2017, 7, 1),
        recorded_by=sam,
    )
    event = Event.objects.create(
        federation=street(),
        kind=EventKind.TRAINING,
        title="培训",
        starts_on=datetime.date(2017, 4, 20),
        ends_on=datetime.date(2017, 4, 20),
    )
    Attendance.objects.create(event=event, member=twin, attended=True)
    return twin


def test_a_merge_moves_everything_onto_the_kept_person(alices_member, wrong_record, sam):
    twin = wrong_record
    record = member_merge(kept=alices_member, merged=twin, reason="同一人，号码录错", by=sam)
    assert not Member.objects.filter(pk=twin.pk).exists()
    assert alices_member.memberships.count() == 2
    assert Transfer.objects.filter(member=alices_member).count() == 1
    assert JingCardChange.objects.filter(member=alices_member).count() == 1
    assert Handout.objects.filter(member=alices_member).count() == 1
    assert Attendance.objects.filter(member=alices_member).count() == 1
    # Its history too, and a "merged" event saying whom.
    assert MembershipEvent.objects.filter(member=alices_member, kind="ended").exists()
    merged_event = MembershipEvent.objects.get(member=alices_member, kind="merged")
    assert twin.id_masked in merged_event.note and merged_event.recorded_by == sam
    # The record of the merge: who, when, why; the number as digest and mask only.
    assert record.merged_id_digest == twin.id_digest
    assert record.merged_id_masked == twin.id_masked
    assert record.recorded_by == sam and record.reason == "同一人，号码录错"
    assert record.moved["records"]["members.Membership"] == 1
    alices_member.refresh_from_db()
    assert alices_member.is_model_worker  # a flag the kept record lacked


def test_every_foreign_key_to_a_member_is_moved():
    """The merge finds the relations itself: a new model pointing at a
    member (in any app) is moved without anyone remembering to add it."""
    moved = {model._meta.label for model, _name in _relations()}
    assert {
        "members.Membership",
        "members.Transfer",
        "members.MembershipEvent",
        "members.JingCardChange",
        "members.InsuranceEnrolment",
        "members.Verification",
        "members.Correction",
        "members.RetirementDecision",
        "members.ImportChange",
        "services.AidCase",
        "services.Handout",
        "services.Attendance",
    } <= moved


def test_a_merge_is_refused_while_both_are_open(alices_member, alices_enterprise, sam):
    twin = _twin(alices_member, 457)
    MembershipFactory(member=twin, enterprise=alices_enterprise)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        member_merge(kept=alices_member, merged=twin, reason="同一人", by=sam)
    assert "两条记录都有未结束的会籍" in " ".join(refused.value.messages)
    assert Member.objects.filter(pk=twin.pk).exists()
    assert not MemberMerge.objects.exists()
    # Ending the wrong one first lets it through.
    membership_end(member=twin, on=datetime.date(2016, 6, 30), reason="other", by=sam)
    member_merge(kept=alices_member, merged=twin, reason="同一人", by=sam)
    assert Membership.objects.filter(member=alices_member).count() == 2


def test_a_merge_that_would_make_a_record_twice_is_refused_whole(
    alices_member, wrong_record, alices_enterprise, sam
):
    handout = Handout.objects.get(member=wrong_record)
    Handout.objects.create(
        batch=handout.batch,
        member=alices_member,
        community=alices_enterprise.community,
        handed_on=handout.handed_on,
        recorded_by=sam,
    )
    with pytest.raises(ValidationError):
        member_merge(kept=alices_member, merged=wrong_record, reason="同一人", by=sam)
    # Nothing moved.
    assert Member.objects.filter(pk=wrong_record.pk).exists()
    assert wrong_record.memberships.count() == 1
    assert Attendance.objects.filter(member=wrong_record).count() == 1


# --- The admin page ------------------------------------------------------------

DUPLICATES_URL = "/admin/members/membermerge/duplicates/"


@pytest.fixture
def staff_client(client, sam):
    sam.is_staff = True
    sam.save()
    client.force_login(sam)
    return client


def test_staff_see_near_duplicates_masked_and_merge_them(staff_client, alices_member, wrong_record):
    page = staff_client.get(DUPLICATES_URL).content.decode()
    assert alices_member.id_masked in page and wrong_record.id_masked in page
    assert alices_member.id_number not in page
    assert alices_member.birth_date.isoformat() not in page
    response = staff_client.post(
        DUPLICATES_URL,
        {
            "pair": f"{alices_member.pk},{wrong_record.pk}",
            "action": "merge",
            "reason": "同一人",
        },
    )
    assert response.status_code == 302
    assert not Member.objects.filter(pk=wrong_record.pk).exists()
    assert MemberMerge.objects.get().member == alices_member
    assert "duplicate-group" not in staff_client.get(DUPLICATES_URL).content.decode()


def test_staff_mark_two_people_and_the_pair_leaves_the_page(
    staff_client, alices_member, wrong_record
):
    staff_client.post(
        DUPLICATES_URL,
        {"pair": f"{alices_member.pk},{wrong_record.pk}", "action": "not_duplicate"},
    )
    assert Member.objects.filter(pk=wrong_record.pk).exists()
    assert "duplicate-group" not in staff_client.get(DUPLICATES_URL).content.decode()
