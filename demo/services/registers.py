"""The enterprise registers: collective agreements (regional, industry,
enterprise), workers' congresses and their sessions, factory-affairs
disclosures."""

from __future__ import annotations

import datetime
from decimal import Decimal

from enterprises.models import (
    AffairsDisclosure,
    CollectiveAgreement,
    CongressSession,
    DisclosureMethod,
    Enterprise,
    RegisterScope,
    WorkerCongress,
)

from .year import YEAR, date


def load(rng, federation, communities, enterprises) -> None:
    large = [e for e in enterprises if e.headcount >= 100]
    links = [  # (agreement, [enterprise ids]), drawn in this order
        *_regional(rng, federation, communities, enterprises),
        _catering(federation, enterprises),
        *_per_enterprise(rng, federation, large),
    ]
    CollectiveAgreement.objects.bulk_create([a for a, _ids in links])
    Through = CollectiveAgreement.enterprises.through
    Through.objects.bulk_create(
        Through(collectiveagreement_id=a.pk, enterprise_id=pk) for a, ids in links for pk in ids
    )
    _congresses(rng, communities, large)


def _regional(rng, federation, communities, enterprises) -> list:
    """Regional agreements signed through the spring: coverage grows
    quarter by quarter, and about three in four enterprises take part."""
    by_community: dict[int, list[Enterprise]] = {}
    for e in enterprises:
        by_community.setdefault(e.community_id, []).append(e)
    links = []
    for community in communities:
        signed = date(rng.randint(3, 9), rng.randint(1, 25))
        members = [e for e in by_community[community.pk] if rng.random() < 0.76]
        agreement = CollectiveAgreement(
            federation=federation,
            scope=RegisterScope.REGIONAL,
            community=community,
            title=f"{community.name}区域性工资集体协议（2017—2019）",
            signed_on=signed,
            starts_on=signed,
            ends_on=datetime.date(2019, 12, 31),
            wage_rise_percent=Decimal(rng.choice(("5.00", "5.50", "6.00", "7.00"))),
            covered_workers=sum(e.headcount for e in members),
        )
        links.append((agreement, [e.pk for e in members]))
    return links


def _catering(federation, enterprises) -> tuple:
    """The street's one industry agreement."""
    catering = [e for e in enterprises if "餐饮" in e.name or "酒店" in e.name]
    agreement = CollectiveAgreement(
        federation=federation,
        scope=RegisterScope.INDUSTRY,
        industry="餐饮住宿业",
        title="椿树街道餐饮住宿行业工资集体协议",
        signed_on=date(5, 18),
        starts_on=date(6, 1),
        ends_on=datetime.date(2018, 5, 31),
        wage_rise_percent=Decimal("6.50"),
        covered_workers=sum(e.headcount for e in catering),
    )
    return agreement, [e.pk for e in catering]


def _per_enterprise(rng, federation, large) -> list:
    """Each enterprise of 100 or more has a wage contract of its own."""
    links = []
    for e in large:
        signed = date(rng.randint(1, 6), rng.randint(1, 25))
        agreement = CollectiveAgreement(
            federation=federation,
            scope=RegisterScope.ENTERPRISE,
            title=f"{e.name}工资专项集体合同",
            signed_on=signed,
            starts_on=signed,
            ends_on=datetime.date(YEAR + 2, signed.month, 1) - datetime.timedelta(days=1),
            wage_rise_percent=Decimal(rng.choice(("6.00", "7.50", "8.00"))),
            covered_workers=e.headcount,
            is_demonstration=rng.random() < 0.7,
        )
        links.append((agreement, [e.pk]))
    return links


def _congresses(rng, communities, large) -> None:
    congresses = [
        WorkerCongress(
            scope=RegisterScope.REGIONAL,
            community=c,
            name=f"{c.name}区域性职工代表大会",
            established_on=datetime.date(2015, 6, 1),
        )
        for c in communities
    ] + [
        WorkerCongress(
            scope=RegisterScope.ENTERPRISE,
            community_id=e.community_id,
            enterprise=e,
            name=f"{e.name}职工代表大会",
            established_on=e.union_founded_on or date(1, 1),
        )
        for e in large
    ]
    WorkerCongress.objects.bulk_create(congresses)
    CongressSession.objects.bulk_create(
        CongressSession(
            congress=c,
            held_on=date(rng.choice((3, 4, 11)), rng.randint(5, 25)),
            delegates=rng.randint(25, 60) if c.enterprise_id is None else rng.randint(12, 30),
            resolutions="审议通过工资集体协商方案和年度工会工作报告",
        )
        for c in congresses
    )
    AffairsDisclosure.objects.bulk_create(
        AffairsDisclosure(
            enterprise=e,
            disclosed_on=date(month, rng.randint(5, 25)),
            topic=topic,
            method=rng.choice(list(DisclosureMethod.values)),
            content=f"{e.name}向职工公开{topic}",
        )
        for e in large
        for month, topic in ((3, "年度工资调整方案"), (9, "社会保险缴纳情况"))
    )
