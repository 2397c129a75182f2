"""Email notices through a real SMTP server on 127.0.0.1 (aiosmtpd, run by
the test): what a user with an address receives, and an SMTP "try later"
retried (issue 19)."""

import email
import email.policy
import socket

import pytest

from notices import services
from notices.models import Channel, Notice, State
from notices.tasks import send_due, send_notice

from .conftest import at

aiosmtpd = pytest.importorskip("aiosmtpd")

pytestmark = pytest.mark.django_db


class Mailbox:
    """An aiosmtpd handler keeping what it receives; `busy` answers 451."""

    def __init__(self):
        self.messages = []
        self.busy = 0

    async def handle_DATA(self, server, session, envelope):
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, parsed))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "union@chunshu.test"
    yield mailbox
    controller.stop()


def tell(user, key="t1"):
    return services.notify(
        kind="transfer_approved",
        key=key,
        context={"member": "张三", "enterprise": "北京椿树一号科技有限公司", "reason": ""},
        user=user,
    )


def test_a_user_with_an_address_gets_the_notice_by_email_too(smtp, alice):
    alice.email = "alice@chunshu.test"
    alice.save()
    with at(10):
        made = tell(alice)
        assert {n.channel for n in made} == {Channel.SYSTEM, Channel.EMAIL}
        mail = Notice.objects.get(channel=Channel.EMAIL)
        send_notice.apply(args=[mail.pk])
    [(to, message)] = smtp.messages
    assert to == ["alice@chunshu.test"]
    assert message["Subject"] == "转会申请已通过"
    assert "张三转入北京椿树一号科技有限公司的转会申请已通过" in message.get_content()
    mail.refresh_from_db()
    assert mail.state == State.SENT


def test_email_is_not_held_by_the_quiet_hours(smtp, alice):
    alice.email = "alice@chunshu.test"
    alice.save()
    with at(23):
        tell(alice)
        send_notice.apply(args=[Notice.objects.get(channel=Channel.EMAIL).pk])
    assert len(smtp.messages) == 1


def test_an_smtp_try_later_is_retried_and_delivered_once(smtp, alice):
    alice.email = "alice@chunshu.test"
    alice.save()
    smtp.busy = 1
    with at(10):
        tell(alice)
        mail = Notice.objects.get(channel=Channel.EMAIL)
        send_notice.apply(args=[mail.pk])
        mail.refresh_from_db()
        assert mail.state == State.QUEUED and "451" in mail.last_error
    with at(10, 5):
        send_due.apply()
        send_due.apply()
    assert len(smtp.messages) == 1
    mail.refresh_from_db()
    assert mail.state == State.SENT and mail.attempts == 2


def test_a_user_without_an_address_gets_it_in_the_system_only(alice):
    assert [n.channel for n in tell(alice)] == [Channel.SYSTEM]
