"""load_demo on a street that is not empty: the demo adds its own street
and leaves what was there alone."""

import contextlib
import datetime
import io
import signal

import pytest
from django.core.management import call_command

from dues.models import Declaration
from enterprises.credit_codes import make_credit_code
from enterprises.models import Enterprise, Federation
from members.models import Membership
from services.models import Handout, ServiceRequest, Visit

pytestmark = pytest.mark.slow  # loads the whole demo street


@contextlib.contextmanager
def at_most(seconds):
    """Fails a command that would never end instead of hanging the suite."""

    def give_up(_signum, _frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_load_demo_on_a_street_that_already_holds_many_enterprises(db):
    """5,100 members, at least three in each enterprise, cannot be spread
    over 1,800 of the street's own plus the demo's 226: load_demo looped for
    ever. With fewer, it gave the street's own enterprises demo members,
    declarations and visits."""
    communities = list(Federation.objects.get(name="椿树街道总工会").communities.all())
    theirs = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"北京既有{n}号有限公司",
            credit_code=make_credit_code(f"91110102{n:09d}"),
            community=communities[n % len(communities)],
            headcount=10,
            union_founded_on=datetime.date(2012, 1, 1),
        )
        for n in range(1800)
    )
    with at_most(300):
        call_command("load_demo", stdout=io.StringIO())
    demo = Enterprise.objects.exclude(pk__in=[e.pk for e in theirs])
    assert demo.count() == 226
    assert Membership.objects.open().filter(enterprise__in=demo).count() == 5100
    for touched in (Membership, Declaration, Visit, Handout, ServiceRequest):
        assert not touched.objects.filter(enterprise__in=theirs).exists(), touched
