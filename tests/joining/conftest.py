"""A join link of alice's community, the SMS file of the test, and a Beijing
morning (SMS in the quiet hours wait, so decisions are made at 10:00)."""

import datetime
import json
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from joining.models import JoinLink
from tests.factories import id_number

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def morning():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=BEIJING), tick=True):
        yield


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.NOTICE_SMS_FILE = str(tmp_path / "sms.jsonl")
    settings.NOTICE_SMS_BACKEND = "notices.sms.FileBackend"

    def read():
        path = tmp_path / "sms.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return read


@pytest.fixture
def link(community1):
    return JoinLink.objects.create(community=community1, code="cs1-week", label="宣传周")


def post(client, url, data, **extra):
    """As a browser sends a form without files: urlencoded."""
    return client.post(
        url, urlencode(data), content_type="application/x-www-form-urlencoded", **extra
    )


def form_data(enterprise=None, **changes):
    data = {
        "name": "王小明",
        "id_number": id_number(4321),
        "phone": "13912345678",
        "enterprise": str(enterprise.pk) if enterprise else "other",
        "employer_typed": "" if enterprise else "北京未建会餐饮有限公司",
        "consent": "on",
    }
    data.update(changes)
    return data
