"""factory_boy factories for volume; the named people live in conftest."""

import datetime
import itertools

import factory

from accounts.models import Role, User
from enterprises.credit_codes import make_credit_code
from enterprises.models import Community, Enterprise, Federation
from members.id_numbers import make_id_number
from members.models import Member, Membership
from services.models import Campaign, Event, EventKind, Handout, WelfareBatch, WelfareItem

_codes = itertools.count(1)
_ids = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    return make_credit_code(f"91110102MA{(n or next(_codes)):07d}")


def id_number(n: int | None = None, *, birth: str = "19850312", female: bool = False) -> str:
    n = n if n is not None else next(_ids)
    sequence = (n % 500) * 2 + (0 if female else 1)
    return make_id_number(f"{110102 + n // 500:06d}{birth}{sequence:03d}")


def street() -> Federation:
    return Federation.objects.get(name="椿树街道总工会")


def community(position: int) -> Community:
    return Community.objects.get(position=position)


def welfare_batch(
    item: str = "福包",
    *,
    name: str = "2017福包",
    campaign: str = "warmth",
    received_on: datetime.date = datetime.date(2017, 1, 5),
    quantity: int = 5,
) -> WelfareBatch:
    """A full batch of the street's welfare `item` (its stock is its quantity)."""
    return WelfareBatch.objects.create(
        federation=street(),
        item=WelfareItem.objects.create(name=item),
        name=name,
        campaign=campaign,
        received_on=received_on,
        quantity=quantity,
        stock=quantity,
    )


def one_handed_out(
    *, federation, item, name, member, community, day, recorded_by
) -> tuple[WelfareBatch, Handout]:
    """A holiday batch of ten of `item`, one of them handed to `member` in
    `community` on `day` (its stock says 9): (batch, handout)."""
    batch = WelfareBatch.objects.create(
        federation=federation,
        item=item,
        name=name,
        campaign=Campaign.HOLIDAY,
        received_on=day,
        quantity=10,
        stock=9,
    )
    handout = Handout.objects.create(
        batch=batch, member=member, community=community, handed_on=day, recorded_by=recorded_by
    )
    return batch, handout


def training(title: str = "培训", on: datetime.date = datetime.date(2017, 4, 20)) -> Event:
    """A one-day training of the street."""
    return Event.objects.create(
        federation=street(), kind=EventKind.TRAINING, title=title, starts_on=on, ends_on=on
    )


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"北京测试{n}号科技有限公司")
    credit_code = factory.LazyFunction(credit_code)
    community = factory.LazyFunction(lambda: community(1))
    headcount = 20
    union_founded_on = datetime.date(2015, 1, 1)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"会员{n}")
    phone = "13800138000"

    @factory.lazy_attribute
    def id_encrypted(self):
        return ""

    @classmethod
    def _create(cls, model_class, *args, id_number_value=None, **kwargs):
        member = model_class(**{k: v for k, v in kwargs.items() if k != "id_encrypted"})
        member.id_number = id_number_value or id_number()
        member.save()
        return member


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(MemberFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    joined_on = datetime.date(2016, 1, 1)


def user(username: str, role: str = Role.STAFF, community_obj=None, **extra) -> User:
    u = User(username=username, role=role, community=community_obj, **extra)
    u.set_password("password")
    u.save()
    return u


# --- One of everything, for the access tests -----------------------------------
# tests/test_url_access.py asks for each of these through every URL that takes
# an object id, and lists every list page, as people who must not see them.

#: Written into every text of the things below, so that a page that shows
#: any of them gives itself away.
MARKER = "甲街泄露"


def another_street(name: str = "大栅栏街道总工会") -> Community:
    """A second street with one community (positions above the seven of
    Chunshu, so that `community(n)` still finds those)."""
    federation = Federation.objects.create(name=name)
    return Community.objects.create(
        federation=federation, name=f"{name}西街社区", code="west", position=101
    )


def everything_of(community: Community, marker: str = MARKER) -> dict:
    """One of each kind of row that belongs to `community` or to its street,
    by model: the enterprise, a member, the services' records, the figures,
    the accounts of the community's chair. Every text holds `marker`."""
    from auditlog.models import LogEntry
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.models import AccessLog, ApiToken
    from dashboard.models import QuarterFigures
    from dues.models import Declaration, DeclarationImport, RateSnapshot, ZombieFlag
    from enterprises import models as org
    from members import models as people
    from services import models as work

    street = community.federation
    day = datetime.date(2017, 3, 1)
    n = next(_codes)
    chair = user(f"chair{n}", Role.CHAIR, community, last_name=marker)
    clerk = user(f"clerk{n}", Role.STAFF, federation=street, last_name=marker)
    things: dict = {Federation: street, Community: community, User: chair}

    def keep(obj):
        things[type(obj)] = obj
        return obj

    building = keep(org.Building.objects.create(federation=street, name=f"{marker}大厦{n}"))
    enterprise = keep(
        EnterpriseFactory(name=f"{marker}科技有限公司", community=community, building=building)
    )
    keep(
        org.EnterpriseStatus.objects.create(
            enterprise=enterprise, status=org.Status.ACTIVE, effective_on=day, reason=marker
        )
    )
    agreement = keep(
        org.CollectiveAgreement.objects.create(
            federation=street,
            scope=org.RegisterScope.REGIONAL,
            title=marker,
            community=community,
            signed_on=day,
            starts_on=day,
            ends_on=datetime.date(2019, 12, 31),
        )
    )
    agreement.enterprises.add(enterprise)
    congress = keep(
        org.WorkerCongress.objects.create(
            scope=org.RegisterScope.REGIONAL, community=community, name=marker, established_on=day
        )
    )
    keep(org.CongressSession.objects.create(congress=congress, held_on=day, resolutions=marker))
    keep(
        org.AffairsDisclosure.objects.create(enterprise=enterprise, disclosed_on=day, topic=marker)
    )

    membership = keep(MembershipFactory(enterprise=enterprise, member__name=marker))
    member = keep(membership.member)
    keep(
        people.Transfer.objects.create(
            member=member,
            to_membership=membership,
            transferred_on=membership.joined_on,
            external_party=marker,
            recorded_by=clerk,
        )
    )
    keep(
        people.JingCardChange.objects.create(
            member=member,
            from_status=people.JingCard.NOT_APPLIED,
            to_status=people.JingCard.APPLIED,
            changed_on=day,
            recorded_by=clerk,
        )
    )
    keep(
        people.InsuranceEnrolment.objects.create(
            member=member, year=2017, enrolled_on=day, plan=marker, recorded_by=clerk
        )
    )
    campaign = keep(
        people.VerificationCampaign.objects.create(federation=street, name=marker, started_on=day)
    )
    keep(
        people.Verification.objects.create(
            campaign=campaign,
            member=member,
            verified_by=clerk,
            verified_at=timezone.now(),
            note=marker,
        )
    )
    batch = keep(
        people.ImportBatch.objects.create(
            community=community,
            created_by=chair,
            filename=f"{marker}.xlsx",
            state=people.ImportBatch.State.PREVIEWED,
        )
    )
    keep(
        people.TransferRequest.objects.create(
            member=member,
            from_membership=membership,
            from_enterprise=enterprise,
            to_enterprise=EnterpriseFactory(name=f"{marker}商贸有限公司", community=community),
            batch=batch,
            row=2,
            name_in_roster=marker,
            requested_by=chair,
        )
    )
    keep(
        people.Correction.objects.create(
            member=member,
            field=people.Correction.Field.NAME,
            state=people.Correction.State.REQUESTED,
            new_name=marker,
            reason=marker,
            requested_by=chair,
        )
    )
    keep(
        people.RetirementDecision.objects.create(
            member=member,
            membership=membership,
            outcome=people.RetirementDecision.Outcome.KEEP_WORKING,
            decided_on=day,
            note=marker,
            recorded_by=clerk,
        )
    )
    keep(
        people.MemberMerge.objects.create(
            member=member,
            merged_member_id=10**6 + n,
            merged_name=marker,
            merged_id_digest=f"{n:064d}",
            merged_id_masked="110102********0000",
            reason=marker,
            recorded_by=clerk,
        )
    )

    keep(
        Declaration.objects.create(
            enterprise=enterprise,
            credit_code=enterprise.credit_code,
            taxpayer_name=marker,
            period_start=datetime.date(2017, 1, 1),
            period_end=datetime.date(2017, 3, 31),
            declared_on=datetime.date(2017, 4, 10),
        )
    )
    keep(
        DeclarationImport.objects.create(
            federation=street,
            created_by=clerk,
            filename=f"{marker}.xlsx",
            state=DeclarationImport.State.PREVIEWED,
            preview={"new": [{"row": 2, "name": marker}]},
        )
    )
    keep(
        RateSnapshot.objects.create(
            federation=street,
            community=community,
            scope_key=str(community.pk),
            quarter="2017Q1",
            declared=1,
            obligated=1,
            zero_declared=0,
            rate=100,
            computed_at=timezone.now(),
        )
    )
    keep(
        ZombieFlag.objects.create(
            enterprise=enterprise, quarter="2017Q1", flagged_on=day, reasons=[], evidence=marker
        )
    )
    keep(
        QuarterFigures.objects.create(
            federation=street, community=community, quarter="2017Q1", computed_at=timezone.now()
        )
    )

    keep(work.Assignment.objects.create(cadre=clerk, community=community, since=day))
    visit = keep(
        work.Visit.objects.create(
            kind=work.VisitKind.ENTERPRISE,
            visitor=clerk,
            visited_on=day,
            community=community,
            enterprise=enterprise,
            summary=marker,
            recorded_by=clerk,
        )
    )
    keep(work.Finding.objects.create(visit=visit, kind=work.FindingKind.LABOUR, description=marker))
    case = keep(
        work.AidCase.objects.create(
            member=member,
            community=community,
            applied_on=day,
            reason=marker,
            amount_requested=100,
            submitted_by=chair,
        )
    )
    keep(
        work.AidAttachment.objects.create(
            case=case,
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="scan"),
            original_name=f"{marker}.pdf",
            content_type="application/pdf",
            size=15,
            uploaded_by=chair,
        )
    )
    item = keep(work.WelfareItem.objects.get_or_create(name="福包")[0])
    welfare, handout = one_handed_out(
        federation=street,
        item=item,
        name=f"{marker}{n}",
        member=member,
        community=community,
        day=day,
        recorded_by=clerk,
    )
    keep(welfare)
    keep(handout)
    event = keep(
        work.Event.objects.create(
            federation=street,
            community=community,
            kind=work.EventKind.TRAINING,
            title=marker,
            starts_on=day,
            ends_on=day,
        )
    )
    keep(work.Attendance.objects.create(event=event, member=member, attended=True))
    keep(
        work.SheetImport.objects.create(
            kind=work.SheetKind.ATTENDANCE,
            federation=street,
            event=event,
            created_by=clerk,
            filename=f"{marker}.csv",
            state=work.SheetImport.State.PREVIEWED,
            preview={"new": [{"row": 2, "name": marker}]},
        )
    )
    offer = keep(work.ServiceOffer.objects.get_or_create(name="特需建家")[0])
    keep(
        work.ServiceRequest.objects.create(
            offer=offer, enterprise=enterprise, community=community, requested_on=day, need=marker
        )
    )

    keep(
        AccessLog.objects.create(
            user=chair, action=AccessLog.Action.EXPORT, object_type="members.member", detail=marker
        )
    )
    keep(
        ApiToken.objects.create(
            user=chair,
            name=marker,
            prefix=f"{n:08d}",
            digest=f"{n:064d}",
            expires_at=timezone.now() + datetime.timedelta(days=30),
        )
    )
    keep(LogEntry.objects.get_for_object(enterprise).first())
    _joining_and_notices(keep, community, enterprise, chair, marker, n)
    return things


def _joining_and_notices(keep, community, enterprise, chair, marker, n) -> None:
    """Issue 19's rows: a join link, an application to it, a notice."""
    from joining.models import JoinApplication, JoinLink
    from notices.models import Channel, Notice, State

    link = keep(JoinLink.objects.create(community=community, code=f"l{n}", label=marker))
    application = JoinApplication(
        reference=f"R{n:07d}",
        link=link,
        community=community,
        name=marker,
        enterprise=enterprise,
        consent_version="test",
    )
    application.set_id_number(id_number(9000 + n))
    application.set_phone("13900139000")
    application.save()
    keep(application)
    keep(
        Notice.objects.create(
            kind="join_waiting",
            channel=Channel.SYSTEM,
            state=State.SENT,
            idempotency_key=f"test:{n}",
            recipient_user=chair,
            recipient_label=marker,
            federation=community.federation,
            subject=marker,
            body=marker,
        )
    )
