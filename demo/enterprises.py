"""The demo street's people and enterprises, drawn from the 2017 article:
7 communities, 226 enterprises with unions, 7 staff, a chair per community
and a leader. Deterministic (a fixed seed) so that `load_demo` is idempotent
and every figure is the same on every machine."""

import datetime
import random

from django.contrib.auth.models import Group
from django.db import transaction

from accounts import roles
from accounts.models import Role, User
from enterprises.credit_codes import ALPHABET, make_credit_code
from enterprises.models import (
    Building,
    Community,
    Enterprise,
    EnterpriseStatus,
    Federation,
    Ownership,
    Status,
)

SEED = 2017
ENTERPRISE_COUNT = 226
#: Enterprises per community, in the migration's order (adds up to 226).
PER_COMMUNITY = (38, 36, 33, 32, 30, 29, 28)
BUILDINGS = (
    "庄胜广场",
    "海格国际大厦",
    "富卓大厦",
    "琉璃厂文化大厦",
    "宣武门商务酒店写字楼",
    "椿树馆",
    "新华1949",
    "国英园商务楼",
)
TRADE_NAMES = (
    "华联",
    "京晨",
    "恒泰",
    "博雅",
    "同方",
    "瑞丰",
    "嘉禾",
    "汇通",
    "中信达",
    "远景",
    "德胜",
    "润泽",
    "天元",
    "金桥",
    "文昌",
    "翰墨",
    "荣宝",
    "新宇",
    "宏图",
    "启明",
    "正阳",
    "鼎盛",
    "和信",
    "安泰",
    "众诚",
    "长城",
    "星河",
    "凯谛思",
    "椿林",
    "宣南",
    "琉璃",
    "兴业",
    "信诚",
    "聚源",
    "华夏",
    "立德",
)
INDUSTRIES = (
    "科技有限公司",
    "文化传媒有限公司",
    "商贸有限公司",
    "餐饮管理有限公司",
    "物业管理有限公司",
    "企业管理咨询有限公司",
    "建筑工程有限公司",
    "广告有限公司",
    "投资管理有限公司",
    "信息技术有限公司",
    "医药有限公司",
    "教育科技有限公司",
    "国际旅行社有限公司",
    "书画社",
    "律师事务所",
    "会计师事务所有限公司",
    "酒店管理有限公司",
    "印刷有限公司",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文博宇浩然思雨欣怡子涵梓萱一鸣晓东红梅玉兰海燕春生立新建华淑珍冬梅"

STAFF = (
    ("staff1", "郝", "冬梅"),
    ("staff2", "李", "静"),
    ("staff3", "王", "建国"),
    ("staff4", "赵", "晓东"),
    ("staff5", "刘", "玉兰"),
    ("staff6", "陈", "立新"),
    ("staff7", "孙", "海燕"),
)
DEMO_PASSWORD = "chunshu2017"  # noqa: S105 - the demo logins the README states


def person_name(rng: random.Random) -> tuple[str, str]:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES), given


def street() -> Federation:
    return Federation.objects.get(name="椿树街道总工会")


@transaction.atomic
def load_users(federation: Federation) -> dict:
    staff_group = ensure_staff_group()
    users = {}
    for username, last, first in STAFF:
        user = _user(username, last, first, Role.STAFF, federation=federation)
        user.groups.add(staff_group)
        users[username] = user
    users["staff1"].is_superuser = True
    users["staff1"].save()
    for community in Community.objects.filter(federation=federation):
        username = f"chair{community.position}"
        users[username] = _user(
            username,
            "",
            f"{community.name}主席",
            Role.CHAIR,
            federation=federation,
            community=community,
        )
    users["leader"] = _user("leader", "", "街道工委领导", Role.LEADER, federation=federation)
    return users


def _user(username, last, first, role, **fields) -> User:
    user, _created = User.objects.get_or_create(username=username)
    user.last_name, user.first_name, user.role = last, first, role
    for key, value in fields.items():
        setattr(user, key, value)
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def ensure_staff_group() -> Group:
    """The street staff group, with the rights accounts/roles.py gives it."""
    return roles.group(roles.STAFF_GROUP)


def _credit_codes(rng: random.Random, n: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < n:
        org = "".join(rng.choice(ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        codes.add(make_credit_code("91110102" + org))
    return sorted(codes)


def _headcount(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.05:
        return rng.randint(100, 260)  # the demonstration-size ones
    if roll < 0.30:
        return rng.randint(30, 99)
    return rng.randint(6, 29)


@transaction.atomic
def load_enterprises(federation: Federation, by: User) -> list[Enterprise]:
    """Adds the 226 enterprises the street lacks; returns all 226."""
    rng = random.Random(SEED)
    buildings = [
        Building.objects.get_or_create(federation=federation, name=name)[0] for name in BUILDINGS
    ]
    communities = list(Community.objects.filter(federation=federation).order_by("position"))
    codes = _credit_codes(rng, ENTERPRISE_COUNT)
    names: set[str] = set()
    existing = set(Enterprise.objects.values_list("credit_code", flat=True))
    new = []
    index = 0
    for community, count in zip(communities, PER_COMMUNITY, strict=True):
        for _ in range(count):
            name = _unique_name(rng, names)
            last, first = person_name(rng)
            founded = datetime.date(2010, 8, 1) + datetime.timedelta(days=rng.randint(0, 2300))
            enterprise = Enterprise(
                name=name,
                credit_code=codes[index],
                community=community,
                building=rng.choice(buildings) if rng.random() < 0.45 else None,
                headcount=_headcount(rng),
                ownership=Ownership.NON_PUBLIC,
                union_founded_on=founded,
                union_chair=last + first,
                union_chair_phone="13" + "".join(rng.choice("0123456789") for _ in range(9)),
            )
            index += 1
            if enterprise.credit_code not in existing:
                new.append(enterprise)
    Enterprise.objects.bulk_create(new)
    created = Enterprise.objects.filter(credit_code__in=[e.credit_code for e in new])
    EnterpriseStatus.objects.bulk_create(
        EnterpriseStatus(
            enterprise=e,
            status=Status.ACTIVE,
            effective_on=e.union_founded_on,
            reason="建会",
            recorded_by=by,
        )
        for e in created
    )
    # The demo's own enterprises only: a street that already holds others
    # keeps them out of the demo's members, declarations and visits.
    return list(Enterprise.objects.filter(credit_code__in=codes).order_by("pk"))


def _unique_name(rng: random.Random, names: set[str]) -> str:
    while True:
        name = (
            "北京" + rng.choice(TRADE_NAMES) + rng.choice(TRADE_NAMES)[:1] + rng.choice(INDUSTRIES)
        )
        if name not in names:
            names.add(name)
            return name
