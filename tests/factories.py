"""factory_boy factories for volume; the named people live in conftest."""

import datetime
import itertools

import factory

from accounts.models import Role, User
from enterprises.credit_codes import make_credit_code
from enterprises.models import Community, Enterprise, Federation
from members.id_numbers import make_id_number
from members.models import Member, Membership

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
