"""SMS notices on the file backend: once only, at a decent hour, within the
day's cap, never to a phone that opted out; retried when the gateway says
"later" (issue 19)."""

import datetime

import pytest
from django.test import override_settings

from notices import services, sms
from notices.models import Channel, Notice, SmsOptOut, State
from notices.tasks import send_due, send_notice

from .conftest import BEIJING, at

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def remind(key="q1", phone=PHONE):
    return services.notify(
        kind="declaration_reminder",
        key=key,
        context={
            "enterprise": "北京椿树一号科技有限公司",
            "quarter": "2026年第4季度",
            "due": "2026-12-31",
        },
        phone=phone,
    )


def send(notices):
    for notice in notices:
        send_notice.apply(args=[notice.pk])


def test_an_sms_is_recorded_masked_and_sent_once_however_often_asked(sms_file, morning):
    first = remind()
    assert remind() == []  # the same notice again: nothing new
    [notice] = first
    assert notice.recipient_label == "139****5678" and PHONE not in notice.recipient_sealed
    assert Notice.objects.filter(recipient_label__contains="5678").count() == 1
    send(first)
    send(first)  # a task delivered twice
    [line] = sms_file()
    assert line["phone"] == PHONE and "尚未申报" in line["text"]
    assert line["params"] == ["北京椿树一号科技有限公司", "2026年第4季度", "2026-12-31"]
    notice.refresh_from_db()
    assert notice.state == State.SENT and notice.sent_at and notice.attempts == 1


def test_the_send_happens_only_after_the_commit(
    sms_file, morning, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        remind()
    assert sms_file() == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(sms_file()) == 1


def test_a_notice_someone_else_is_sending_is_not_sent_again(sms_file, morning):
    [notice] = remind()
    Notice.objects.filter(pk=notice.pk).update(state=State.SENDING)
    send([notice])
    assert sms_file() == []


def test_a_phone_that_opted_out_gets_nothing_and_opting_in_again_works(sms_file, morning, sam):
    services.sms_opt_out(phone=PHONE, by=sam, note="电话里要求")
    assert SmsOptOut.objects.get().phone_masked == "139****5678"
    send(remind("a"))
    assert sms_file() == []
    assert Notice.objects.get().state == State.WITHHELD
    services.sms_opt_in(phone=PHONE)
    send(remind("b"))
    assert len(sms_file()) == 1


def test_in_the_quiet_hours_an_sms_waits_for_the_morning(sms_file):
    with at(22, 30):
        notices = remind()
        send(notices)
        notice = Notice.objects.get()
        assert notice.state == State.DEFERRED
        assert notice.send_after == datetime.datetime(2026, 12, 2, 8, 0, tzinfo=BEIJING)
        assert sms_file() == []
    with at(8, 5, day=2):
        assert send_due.apply().get() == 1
    notice.refresh_from_db()
    assert notice.state == State.SENT and len(sms_file()) == 1


@override_settings(NOTICE_DAILY_CAP=2)
def test_past_the_daily_cap_the_rest_wait_for_the_next_day(sms_file):
    with at(10):
        for n in range(3):
            send(remind(f"k{n}"))
        assert len(sms_file()) == 2
        waiting = Notice.objects.get(state=State.DEFERRED)
        assert waiting.send_after == datetime.datetime(2026, 12, 2, 8, 0, tzinfo=BEIJING)
    with at(9, day=2):
        send_due.apply()
    assert len(sms_file()) == 3


class FlakyGateway(sms.SmsBackend):
    """Our backend interface, answering "later" the first time."""

    calls = 0

    def send(self, *, phone, kind, params, text):
        FlakyGateway.calls += 1
        if FlakyGateway.calls == 1:
            raise sms.TemporaryFailure("RequestLimitExceeded")
        return "ok-2"


class BusyGateway(sms.SmsBackend):
    def send(self, *, phone, kind, params, text):
        raise sms.TemporaryFailure("RequestLimitExceeded")


class BrokenGateway(sms.SmsBackend):
    def send(self, *, phone, kind, params, text):
        raise sms.PermanentFailure("InvalidParameterValue.TemplateParameterFormatError")


def test_a_temporary_failure_is_tried_again_and_sent_once(settings, morning):
    settings.NOTICE_SMS_BACKEND = "tests.notices.test_sms.FlakyGateway"
    FlakyGateway.calls = 0
    [notice] = remind()
    send([notice])
    notice.refresh_from_db()
    assert notice.state == State.QUEUED and notice.attempts == 1
    assert "RequestLimitExceeded" in notice.last_error
    with at(10, 10):
        send_due.apply()
    notice.refresh_from_db()
    assert notice.state == State.SENT and notice.provider_id == "ok-2" and FlakyGateway.calls == 2
    send_due.apply()
    assert FlakyGateway.calls == 2


def test_a_permanent_failure_is_not_retried(settings, morning):
    settings.NOTICE_SMS_BACKEND = "tests.notices.test_sms.BrokenGateway"
    [notice] = remind()
    send([notice])
    notice.refresh_from_db()
    assert notice.state == State.FAILED and "TemplateParameter" in notice.last_error
    with at(10, 30):
        assert send_due.apply().get() == 0


@override_settings(NOTICE_MAX_ATTEMPTS=2)
def test_temporary_failures_stop_after_the_last_attempt(settings, morning):
    settings.NOTICE_SMS_BACKEND = "tests.notices.test_sms.BusyGateway"
    [notice] = remind()
    send([notice])
    Notice.objects.filter(pk=notice.pk).update(
        created_at=notice.created_at - datetime.timedelta(minutes=5)
    )
    send_due.apply()
    notice.refresh_from_db()
    assert notice.state == State.FAILED and notice.attempts == 2


def test_a_send_a_dead_worker_left_is_failed_not_repeated(sms_file, morning):
    [notice] = remind()
    Notice.objects.filter(pk=notice.pk).update(
        state=State.SENDING, created_at=notice.created_at - datetime.timedelta(hours=1)
    )
    send_due.apply()
    notice.refresh_from_db()
    assert notice.state == State.FAILED and sms_file() == []


def test_quiet_hours_over_midnight():
    quiet = services.in_quiet_hours
    at_ = lambda h: datetime.datetime(2026, 12, 1, h, 0, tzinfo=BEIJING)  # noqa: E731
    assert [quiet(at_(h)) for h in (20, 21, 23, 0, 7, 8)] == [False, True, True, True, True, False]


def test_a_user_gets_no_sms_channel_without_a_phone(alice, morning):
    made = services.notify(
        kind="join_waiting", key="x", context={"reference": "R1", "where": "w"}, user=alice
    )
    assert [n.channel for n in made] == [Channel.SYSTEM]


def test_staff_record_an_sms_opt_out_in_the_admin_once_and_only_its_mask_is_kept(client, sam):
    from notices.models import SmsOptOut

    client.force_login(sam)
    url = "/admin/notices/smsoptout/add/"
    for _ in range(2):
        response = client.post(url, {"phone": "13800138000", "note": "本人来电"})
        assert response.status_code == 302
    assert SmsOptOut.objects.count() == 1
    assert SmsOptOut.objects.get().phone_masked != "13800138000"
    refused = client.post(url, {"phone": "12345", "note": ""})
    assert refused.status_code == 200
    assert SmsOptOut.objects.count() == 1
