"""The production SMS backend, Tencent Cloud SMS through the vendor's SDK.
There is no network here: the tests check that it refuses to run without
its settings, refuses a kind without an approved template before any
request, and takes a gateway it cannot reach for "try later" (the SDK's own
network error, from a closed port on this machine)."""

import socket

import pytest
from django.core.exceptions import ImproperlyConfigured

from notices import sms

pytest.importorskip("tencentcloud.sms")


@pytest.fixture
def tencent(settings):
    settings.TENCENT_SMS_SECRET_ID = "AKIDtest"
    settings.TENCENT_SMS_SECRET_KEY = "secret"
    settings.TENCENT_SMS_SDK_APP_ID = "1400000000"
    settings.TENCENT_SMS_SIGN_NAME = "椿树街道总工会"
    settings.TENCENT_SMS_TEMPLATES = {"join_approved": "2000001"}
    settings.TENCENT_SMS_TIMEOUT = 3
    return settings


def test_it_refuses_to_start_without_its_settings(settings):
    settings.TENCENT_SMS_SECRET_ID = ""
    settings.TENCENT_SMS_SIGN_NAME = ""
    with pytest.raises(ImproperlyConfigured, match="TENCENT_SMS_SECRET_ID"):
        sms.TencentBackend()


def test_a_kind_without_an_approved_template_is_refused_before_any_request(tencent):
    backend = sms.TencentBackend()
    with pytest.raises(sms.PermanentFailure, match="join_refused"):
        backend.send(phone="13912345678", kind="join_refused", params=["R1", "x"], text="x")


def test_an_unreachable_gateway_means_try_later(tencent):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tencent.TENCENT_SMS_ENDPOINT = f"127.0.0.1:{port}"
    backend = sms.TencentBackend()
    with pytest.raises(sms.TemporaryFailure, match="ClientNetworkError"):
        backend.send(phone="13912345678", kind="join_approved", params=["R1", "椿树"], text="x")


def test_the_backend_is_chosen_by_setting(settings):
    settings.NOTICE_SMS_BACKEND = "notices.sms.ConsoleBackend"
    assert sms.backend().send(phone="1", kind="k", params=[], text="t") == "console"
