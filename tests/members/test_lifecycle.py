"""Issue 17: a member's whole life in the union — join, transfer, hold,
resume, end — through members.services, each step recorded as history
(MembershipEvent) and each state counted where it belongs."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enterprises.models import Status
from members.models import EndReason, HoldReason, Membership, MembershipEvent, Transfer
from members.services import (
    enterprise_members_close,
    membership_end,
    membership_hold,
    membership_join,
    membership_leave,
    membership_resume,
    membership_transfer,
)
from tests.factories import EnterpriseFactory, MemberFactory, MembershipFactory

D = datetime.date
Kind = MembershipEvent.Kind


@pytest.fixture(autouse=True)
def in_december_2017():
    with time_machine.travel(datetime.datetime(2017, 12, 20, 10, 0), tick=False):
        yield


def kinds(member):
    return list(member.events.order_by("on", "pk").values_list("kind", "reason"))


def test_a_joining_is_recorded_as_history(alices_enterprise, sam):
    member = MemberFactory()
    membership_join(member=member, enterprise=alices_enterprise, joined_on=D(2017, 3, 1), by=sam)
    event = member.events.get()
    assert (event.kind, event.on, event.recorded_by) == (Kind.JOINED, D(2017, 3, 1), sam)


def test_a_retired_member_is_held_still_counted_and_back_in_good_standing_on_resuming(
    alices_member, sam
):
    held = membership_hold(
        member=alices_member, on=D(2017, 6, 1), reason=HoldReason.RETIRED, by=sam
    )
    assert held.is_held and held.enterprise_id  # keeps its enterprise and community
    assert Membership.objects.held().count() == 1
    assert Membership.objects.standing().count() == 0
    assert Membership.objects.open().count() == 1  # still a member of the union
    with pytest.raises(ValidationError):
        membership_hold(member=alices_member, on=D(2017, 7, 1), reason=HoldReason.OTHER)
    membership_resume(member=alices_member, on=D(2017, 9, 1), by=sam)
    assert Membership.objects.standing().count() == 1
    assert kinds(alices_member)[-2:] == [(Kind.HELD, "retired"), (Kind.RESUMED, "")]


def test_a_held_member_transfers_to_a_new_employer_in_good_standing(alices_member, bobs_enterprise):
    membership_hold(member=alices_member, on=D(2017, 3, 1), reason=HoldReason.UNEMPLOYED)
    transfer = membership_transfer(
        member=alices_member, to_enterprise=bobs_enterprise, on=D(2017, 5, 1)
    )
    assert transfer.from_membership.end_reason == EndReason.TRANSFERRED
    assert transfer.from_membership.held_on is None
    new = alices_member.open_membership()
    assert new.enterprise == bobs_enterprise and not new.is_held
    assert kinds(alices_member)[-1] == (Kind.TRANSFERRED, "")


def test_an_ending_says_why_and_is_history(alices_member, sam):
    ended = membership_end(
        member=alices_member, on=D(2017, 8, 1), reason=EndReason.DECEASED, note="病故", by=sam
    )
    assert (ended.left_on, ended.end_reason, ended.end_note) == (D(2017, 8, 1), "deceased", "病故")
    assert kinds(alices_member)[-1] == (Kind.ENDED, "deceased")
    with pytest.raises(ValidationError):
        membership_end(member=alices_member, on=D(2017, 9, 1), reason=EndReason.OTHER)


def test_an_ending_without_a_reason_is_refused(alices_member):
    with pytest.raises(ValidationError):
        membership_end(member=alices_member, on=D(2017, 8, 1), reason="")
    assert alices_member.open_membership() is not None


def test_a_transfer_out_names_the_outside_union_and_records_the_transfer(alices_member):
    with pytest.raises(ValidationError):
        membership_end(member=alices_member, on=D(2017, 8, 1), reason=EndReason.TRANSFERRED_OUT)
    membership_leave(member=alices_member, on=D(2017, 8, 1), external_party="海淀区某工会")
    assert Transfer.objects.get().external_party == "海淀区某工会"
    assert kinds(alices_member)[-1] == (Kind.TRANSFERRED_OUT, "transferred_out")


def test_the_database_refuses_a_hold_on_an_ended_membership(alices_member):
    membership_end(member=alices_member, on=D(2017, 8, 1), reason=EndReason.LEFT_UNION)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(member=alices_member).update(
            held_on=D(2017, 9, 1), hold_reason="retired"
        )


@pytest.mark.parametrize("action", ["hold", "end"])
def test_closing_an_enterprise_holds_or_ends_its_members_never_silently(community1, sam, action):
    closing = EnterpriseFactory(community=community1, status=Status.DEREGISTERED)
    rows = [MembershipFactory(enterprise=closing) for _ in range(3)]
    membership_hold(member=rows[0].member, on=D(2017, 1, 1), reason=HoldReason.RETIRED)
    gone = MembershipFactory(enterprise=closing)
    membership_end(member=gone.member, on=D(2017, 2, 1), reason=EndReason.LEFT_STREET)
    changed = enterprise_members_close(enterprise=closing, on=D(2017, 10, 1), action=action, by=sam)
    assert changed == 2
    if action == "hold":
        assert Membership.objects.held().filter(hold_reason="enterprise_closed").count() == 2
        assert Membership.objects.held().filter(hold_reason="retired").count() == 1
    else:
        assert Membership.objects.ended().filter(end_reason="other").count() == 2
    assert MembershipEvent.objects.filter(on=D(2017, 10, 1)).count() == 2
