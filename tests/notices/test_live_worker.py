"""A real Celery worker sends a notice after the commit, once, however
often its task is delivered (CI: on Redis, and again on RabbitMQ)."""

import pytest
from django.db import transaction

from notices.models import Channel, Notice, State
from notices.services import notify
from notices.tasks import send_notice
from tests.waiting import wait_for


def test_the_worker_sends_after_the_commit_and_only_once(live_celery):
    from accounts.models import Role
    from tests.factories import community, user

    chair = user("alice", Role.CHAIR, community(1), email="alice@chunshu.test")
    with transaction.atomic():
        notify(
            kind="import_finished",
            key="live",
            context={
                "filename": "名册.xlsx",
                "community": "一社区",
                "created": 1,
                "updated": 0,
                "transferred": 0,
            },
            user=chair,
        )
        mail = Notice.objects.get(channel=Channel.EMAIL)
        assert mail.state == State.QUEUED  # nothing leaves before the commit

    def sent():
        mail.refresh_from_db()
        return mail.state == State.SENT

    assert wait_for(sent, 60), f"still {mail.state}: {mail.last_error}"
    send_notice.apply_async(args=[mail.pk])  # delivered again
    send_notice.apply_async(args=[mail.pk])
    wait_for(lambda: False, 3)
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (State.SENT, 1)


pytestmark = pytest.mark.slow
