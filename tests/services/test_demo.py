"""The demo year reproduces the article's figures, computed from the rows
(one run of the whole load_demo: the slowest test here, about 20 s)."""

import io

import pytest
from django.core.management import call_command

from chunshu_union.quarters import Quarter
from services.models import AidCase, AidStatus, Attendance, Event, EventKind
from services.selectors import services_figures_for_quarter

pytestmark = pytest.mark.slow  # loads the whole demo street


@pytest.mark.django_db(transaction=False)
def test_load_demo_reproduces_the_articles_service_figures_and_is_idempotent():
    call_command("load_demo", stdout=io.StringIO())
    q1, q3 = (
        services_figures_for_quarter(Quarter(2017, 1)),
        services_figures_for_quarter(Quarter(2017, 3)),
    )
    assert q1["welfare_by_item"] == {"福包": 305, "庙会票": 906}
    assert q3["welfare_by_item"] == {"清凉包": 2000}
    training = Event.objects.get(kind=EventKind.TRAINING, starts_on__year=2017)
    assert Attendance.objects.filter(event=training, attended=True).count() == 140
    promotion = Event.objects.get(kind=EventKind.PROMOTION)
    assert sorted(promotion.buildings.values_list("name", flat=True)) == [
        "富卓大厦",
        "庄胜广场",
        "海格国际大厦",
    ]
    assert {s for s in AidCase.objects.values_list("status", flat=True)} == set(AidStatus.values)
    assert 0 < q3["two_twos_compliance"] < 100
    before = AidCase.objects.count(), Attendance.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert (AidCase.objects.count(), Attendance.objects.count()) == before
