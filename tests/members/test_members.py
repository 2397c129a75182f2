"""Members: the ID number at rest, memberships and transfers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from members.models import Member, Membership, Transfer
from members.services import membership_join, membership_leave, membership_transfer
from tests.factories import EnterpriseFactory, MemberFactory, MembershipFactory, id_number


def test_the_id_number_is_never_stored_in_clear(db):
    number = id_number(7, birth="19900101")
    member = MemberFactory(id_number_value=number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_member WHERE id = %s", [member.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert number not in row
    assert Member.objects.get(pk=member.pk).id_number == number


def test_sex_and_birth_date_come_from_the_number(db):
    member = MemberFactory(id_number_value=id_number(3, birth="19780228", female=True))
    assert (member.sex, member.birth_date) == ("F", datetime.date(1978, 2, 28))


def test_a_member_is_found_by_the_full_number_through_the_digest(db):
    number = id_number(11)
    member = MemberFactory(id_number_value=number)
    assert list(Member.objects.with_id_number(number)) == [member]


def test_the_same_person_cannot_be_stored_twice(db):
    number = id_number(12)
    MemberFactory(id_number_value=number)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(id_number_value=number)


def test_the_database_refuses_a_second_open_membership(db):
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            member=membership.member,
            enterprise=EnterpriseFactory(),
            joined_on=datetime.date(2017, 1, 1),
        )


def test_a_transfer_closes_one_membership_and_opens_the_next(db):
    membership = MembershipFactory()
    target = EnterpriseFactory()
    transfer = membership_transfer(
        member=membership.member, to_enterprise=target, on=datetime.date(2017, 6, 1)
    )
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2017, 6, 1)
    assert transfer.to_membership.enterprise == target and transfer.to_membership.is_open
    assert Membership.objects.filter(member=membership.member, left_on__isnull=True).count() == 1


def test_a_transfer_to_the_same_enterprise_is_refused(db):
    membership = MembershipFactory()
    with pytest.raises(ValidationError):
        membership_transfer(
            member=membership.member,
            to_enterprise=membership.enterprise,
            on=datetime.date(2017, 6, 1),
        )


def test_transfers_in_and_out_of_the_street_are_recorded(db):
    member = MemberFactory()
    enterprise = EnterpriseFactory()
    membership_join(
        member=member,
        enterprise=enterprise,
        joined_on=datetime.date(2017, 2, 1),
        external_party="东城区某公司工会",
    )
    membership_leave(member=member, on=datetime.date(2017, 8, 1), external_party="海淀区某公司工会")
    directions = sorted(str(t.direction) for t in Transfer.objects.filter(member=member))
    assert len(directions) == 2
    assert not member.memberships.filter(left_on__isnull=True).exists()
    assert Member.objects.filter(pk=member.pk).exists()  # leaving never erases the person


def test_a_membership_cannot_end_before_it_starts(db):
    membership = MembershipFactory(joined_on=datetime.date(2017, 5, 1))
    with pytest.raises(ValidationError):
        membership_leave(member=membership.member, on=datetime.date(2017, 4, 1))
