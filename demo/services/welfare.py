"""The welfare batches: 305 gift packs and 906 temple-fair tickets handed
to members, 2,000 cooling packs to enterprises."""

from __future__ import annotations

from services.models import Campaign, Handout, WelfareBatch, WelfareItem

from .year import between, date

MARKER_BATCH = "2017年春节送温暖福包"

#: (item, batch, campaign, received, quantity received, handed out, handout days)
WELFARE = (
    ("福包", MARKER_BATCH, Campaign.WARMTH, (1, 9), 320, 305, ((1, 16), (1, 25))),
    ("庙会票", "2017年春节庙会票", Campaign.HOLIDAY, (1, 12), 1000, 906, ((1, 18), (1, 26))),
    ("清凉包", "2017年夏季送清凉清凉包", Campaign.COOLNESS, (7, 3), 2100, 2000, ((7, 10), (8, 25))),
)


def load(rng, federation, staff, members, enterprises) -> None:
    for item_name, batch_name, campaign, received, quantity, handed, days in WELFARE:
        item, _created = WelfareItem.objects.get_or_create(
            name=item_name, defaults={"unit": "张" if item_name == "庙会票" else "份"}
        )
        batch = WelfareBatch.objects.create(
            federation=federation,
            item=item,
            name=batch_name,
            campaign=campaign,
            received_on=date(*received),
            quantity=quantity,
            stock=quantity - handed,
        )
        start, end = date(*days[0]), date(*days[1])
        if campaign == Campaign.COOLNESS:
            handouts = _to_enterprises(rng, batch, staff, enterprises, handed, start, end)
        else:
            handouts = [
                Handout(
                    batch=batch,
                    member_id=member_id,
                    community_id=community_id,
                    handed_on=between(rng, start, end),
                    recorded_by=rng.choice(staff),
                )
                for member_id, _e, community_id, _s in rng.sample(members, handed)
            ]
        Handout.objects.bulk_create(handouts)


def _to_enterprises(rng, batch, staff, enterprises, total, start, end) -> list[Handout]:
    """Cooling packs go to enterprises by headcount (the article's photo:
    凯谛思's workers receive theirs)."""
    chosen = sorted(rng.sample(enterprises, 90), key=lambda e: ("凯谛思" not in e.name, e.pk))
    weights = [max(e.headcount, 5) for e in chosen]
    counts = [max(1, total * w // sum(weights)) for w in weights]
    counts[0] += total - sum(counts)
    return [
        Handout(
            batch=batch,
            enterprise=e,
            community_id=e.community_id,
            quantity=n,
            handed_on=between(rng, start, end),
            recorded_by=rng.choice(staff),
        )
        for e, n in zip(chosen, counts, strict=True)
    ]
