"""Events and attendance; the service menu: requested, accepted, fulfilled,
rated 1–5."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from services.models import (
    Attendance,
    Event,
    EventKind,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
)
from services.services import (
    attendance_record,
    service_request_accept,
    service_request_create,
    service_request_fulfil,
    service_request_rate,
)
from tests import factories
from tests.factories import street

D = datetime.date


@pytest.fixture
def training(db):
    return factories.training("2017年工会业务知识培训")


def test_attendance_is_recorded_once(sam, training, alices_member):
    row, changed = attendance_record(event=training, member=alices_member, by=sam)
    assert row.attended and changed
    _row, again = attendance_record(event=training, member=alices_member, by=sam)
    assert not again
    assert Attendance.objects.count() == 1


def test_registering_then_attending(sam, training, alices_member):
    attendance_record(
        event=training, member=alices_member, by=sam, attended=False, registered_on=D(2017, 4, 1)
    )
    _row, changed = attendance_record(event=training, member=alices_member, by=sam)
    assert changed and Attendance.objects.get().attended


def test_a_chair_marks_only_her_members(alice, training, bobs_member):
    with pytest.raises(ValidationError) as refused:
        attendance_record(event=training, member=bobs_member, by=alice)
    assert refused.value.code == "other_community"


def test_a_community_event_is_hidden_from_other_chairs(alice, bob, community1, alices_member):
    own = Event.objects.create(
        federation=street(),
        community=community1,
        kind=EventKind.WOMENS_DAY,
        title="三八节",
        starts_on=D(2017, 3, 8),
        ends_on=D(2017, 3, 8),
    )
    assert Event.objects.for_user(alice).filter(pk=own.pk).exists()
    assert not Event.objects.for_user(bob).filter(pk=own.pk).exists()


def test_an_event_cannot_end_before_it_starts(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(
            federation=street(),
            kind=EventKind.SPRING_WALK,
            title="春季健步走",
            starts_on=D(2017, 4, 20),
            ends_on=D(2017, 4, 19),
        )


@pytest.fixture
def lunch_circle(db):
    return ServiceOffer.objects.create(name="午间共享圈")


def test_a_request_runs_to_a_rating(sam, alice, bob, alices_enterprise, lunch_circle):
    request = service_request_create(
        offer=lunch_circle, enterprise=alices_enterprise, by=alice, requested_on=D(2017, 5, 2)
    )
    with pytest.raises(ValidationError) as early:
        service_request_rate(request=request, by=alice, rating=5)
    assert early.value.code == "wrong_state"
    with pytest.raises(ValidationError) as elsewhere:  # another community's chair (issue 18:
        service_request_accept(request=request, by=bob, on=D(2017, 5, 3))  # its own may)
    assert elsewhere.value.code == "other_community"
    service_request_accept(request=request, by=sam, on=D(2017, 5, 3))
    service_request_fulfil(request=request, by=sam, on=D(2017, 5, 20))
    for bad in (0, 6):
        with pytest.raises(ValidationError) as refused:
            service_request_rate(request=request, by=alice, rating=bad)
        assert refused.value.code == "bad_rating"
    service_request_rate(request=request, by=alice, rating=4, comment="很实用")
    request.refresh_from_db()
    assert (request.status, request.rating) == (RequestStatus.FULFILLED, 4)


def test_a_chair_requests_only_for_her_community(alice, bobs_enterprise, lunch_circle):
    with pytest.raises(ValidationError) as refused:
        service_request_create(
            offer=lunch_circle, enterprise=bobs_enterprise, by=alice, requested_on=D(2017, 5, 2)
        )
    assert refused.value.code == "other_community"
    assert not ServiceRequest.objects.exists()


def test_a_withdrawn_offer_cannot_be_requested(alice, alices_enterprise, lunch_circle):
    lunch_circle.is_active = False
    lunch_circle.save()
    with pytest.raises(ValidationError):
        service_request_create(
            offer=lunch_circle, enterprise=alices_enterprise, by=alice, requested_on=D(2017, 5, 2)
        )


def test_the_database_refuses_a_rating_out_of_range(sam, alices_enterprise, lunch_circle):
    request = ServiceRequest.objects.create(
        offer=lunch_circle,
        enterprise=alices_enterprise,
        community=alices_enterprise.community,
        requested_on=D(2017, 5, 2),
        status=RequestStatus.FULFILLED,
        fulfilled_on=D(2017, 5, 9),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=request.pk).update(rating=9)
