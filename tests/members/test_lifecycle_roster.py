"""Issue 17: the roster import's bulk path agrees with the members
services — the same memberships, the same history, the same transfers —
held by running the same changes through both and comparing the rows; and
its undo takes the history back with it."""

import datetime

import pytest
import time_machine

from chunshu_union.imports.engine import job_undo
from members.models import HoldReason, Membership, MembershipEvent, Transfer
from members.roster.services import roster_import
from members.services import (
    member_get_or_build,
    membership_hold,
    membership_join,
    membership_transfer,
)
from tests import samples
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2017, 12, 20)
MOVED = datetime.date(2017, 12, 1)  # the join date the file gives: the day of the move
JOINED = datetime.date(2016, 3, 1)
BETA = "北京椿树二号商贸有限公司"


@pytest.fixture(autouse=True)
def in_december_2017():
    with time_machine.travel(datetime.datetime(2017, 12, 20, 10, 0), tick=False):
        yield


@pytest.fixture
def beta(community1):
    return EnterpriseFactory(name=BETA, community=community1)


def _member(row):
    member = member_get_or_build(id_number=row["身份证号"])
    member.name = row["姓名"]
    member.save()
    return member


def _people(start, acme):
    """A newcomer, a member who moves, and a retired (held) member who
    moves back to work: the last two already members at ACME."""
    rows = [samples.person_row(start + i, samples.ACME) for i in range(3)]
    for row in rows[1:]:
        membership_join(member=_member(row), enterprise=acme, joined_on=JOINED)
    membership_hold(
        member=Membership.objects.get(member__name=rows[2]["姓名"]).member,
        on=datetime.date(2017, 6, 1),
        reason=HoldReason.RETIRED,
    )
    return rows


def _facts(rows):
    """Per person (in role order): their memberships, history and transfers
    without ids or timestamps."""
    facts = []
    for row in rows:
        member = member_get_or_build(id_number=row["身份证号"])
        facts.append(
            (
                list(
                    Membership.objects.filter(member=member)
                    .order_by("pk")
                    .values_list(
                        "enterprise_id",
                        "community_id",
                        "joined_on",
                        "left_on",
                        "held_on",
                        "hold_reason",
                        "hold_level",
                        "end_reason",
                        "end_note",
                    )
                ),
                list(
                    MembershipEvent.objects.filter(member=member)
                    .order_by("pk")
                    .values_list("kind", "on", "reason", "note", "recorded_by_id")
                ),
                list(
                    Transfer.objects.filter(member=member).values_list(
                        "transferred_on", "reason", "external_party", "recorded_by_id"
                    )
                ),
            )
        )
    return facts


def test_the_roster_writes_what_the_services_write(acme, beta, community1, sam):
    by_service = _people(0, acme)
    newcomer, mover, retired = by_service
    membership_join(member=_member(newcomer), enterprise=acme, joined_on=JOINED, by=sam)
    for row in (mover, retired):
        membership_transfer(
            member=member_get_or_build(id_number=row["身份证号"]),
            to_enterprise=beta,
            on=MOVED,
            reason="花名册导入",
            by=sam,
        )

    by_roster = _people(10, acme)
    newcomer, mover, retired = by_roster
    moved = {"所在企业": BETA, "入会日期": "2017-12-01"}
    file = samples.xlsx([newcomer, {**mover, **moved}, {**retired, **moved}])
    result, _batch = roster_import(source=file, filename="r.xlsx", community=community1, by=sam)
    assert (result.created, result.transferred, result.errors) == (1, 2, [])

    assert _facts(by_roster) == _facts(by_service)
    assert MembershipEvent.objects.filter(kind="transferred").count() == 4


def test_undo_takes_the_history_back_and_holds_the_held_again(acme, beta, community1, sam):
    newcomer, mover, retired = _people(0, acme)
    before = _facts([mover, retired])
    events_before = MembershipEvent.objects.count()
    file = samples.xlsx([newcomer, {**mover, "所在企业": BETA}, {**retired, "所在企业": BETA}])
    _result, batch = roster_import(source=file, filename="r.xlsx", community=community1, by=sam)
    assert MembershipEvent.objects.count() == events_before + 3
    job_undo(job=batch, by=sam)
    assert MembershipEvent.objects.count() == events_before
    assert _facts([mover, retired]) == before
    assert Membership.objects.held().get().hold_reason == "retired"


def test_undo_is_refused_once_a_membership_it_opened_was_held(acme, community1, sam):
    from django.core.exceptions import ValidationError

    row = samples.person_row(0, samples.ACME)
    _result, batch = roster_import(
        source=samples.xlsx([row]), filename="r.xlsx", community=community1, by=sam
    )
    member = member_get_or_build(id_number=row["身份证号"])
    membership_hold(member=member, on=TODAY, reason=HoldReason.UNEMPLOYED, by=sam)
    with pytest.raises(ValidationError):
        job_undo(job=batch, by=sam)
    assert Membership.objects.held().count() == 1
