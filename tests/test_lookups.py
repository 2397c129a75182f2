"""AnyOf: membership in a long list, the same answer as __in on every database."""

import pytest
from django.db.models import F, Q

from chunshu_union.lookups import AnyOf
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "names",
    [
        ["甲公司", "丙公司"],
        ["甲公司", "含,逗号的公司"],  # a comma: sent as an array, not a joined string
        [],
    ],
)
def test_any_of_matches_in(names, community1):
    from enterprises.models import Enterprise

    for name in ["甲公司", "乙公司", "丙公司", "含,逗号的公司"]:
        EnterpriseFactory(name=name, community=community1)
    mine = Enterprise.objects.filter(community=community1)
    found = mine.filter(AnyOf(F("name"), names)).values_list("name", flat=True)
    assert sorted(found) == sorted(mine.filter(name__in=names).values_list("name", flat=True))
    rest = mine.filter(~Q(AnyOf(F("name"), names))).values_list("name", flat=True)
    assert sorted(rest) == sorted(mine.exclude(name__in=names).values_list("name", flat=True))


def test_any_of_with_numbers(community1):
    from enterprises.models import Enterprise

    ids = [EnterpriseFactory(community=community1).pk for _ in range(3)]
    assert Enterprise.objects.filter(AnyOf(F("pk"), ids[:2])).count() == 2
