"""SMS through a backend interface, chosen by NOTICE_SMS_BACKEND (a dotted
path): the file backend for development and tests, the console backend, and
Tencent Cloud SMS (腾讯云短信) through the vendor's own SDK for production.

A backend raises TemporaryFailure when the message surely did not leave
(the gateway refused it for now, or could not be reached): the task tries
again later. Anything else that goes wrong, including a timeout after the
request went out, is a PermanentFailure: the notice is marked failed for
staff to look at, never sent a second time on a guess."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Not sent, try again later."""


class PermanentFailure(Exception):
    """Not sent (or not known to be sent): do not try again."""


class SmsBackend:
    def send(self, *, phone: str, kind: str, params: list[str], text: str) -> str:
        """Send one message; return the gateway's id for it."""
        raise NotImplementedError


class FileBackend(SmsBackend):
    """One JSON line per message in NOTICE_SMS_FILE (development, tests)."""

    def send(self, *, phone, kind, params, text):
        path = Path(settings.NOTICE_SMS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {"phone": phone, "kind": kind, "params": params, "text": text}
        line["at"] = timezone.now().isoformat()
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"file:{path.stat().st_size}"


class ConsoleBackend(SmsBackend):
    def send(self, *, phone, kind, params, text):
        logger.info("SMS to %s (%s): %s", phone, kind, text)
        return "console"


#: Tencent's error codes that mean "not now" (the SDK's own retry list,
#: less the network errors, which are sorted below).
_TENCENT_LATER = ("RequestLimitExceeded", "InternalError", "LimitExceeded.PhoneNumberDailyLimit")
#: Network errors raised before anything reached the gateway.
_NEVER_LEFT = ("Connection refused", "NameResolution", "Failed to establish", "ConnectTimeout")


class TencentBackend(SmsBackend):
    """Tencent Cloud SMS, API 2021-01-11, through tencentcloud-sdk-python-sms.

    Settings (from the environment, README "Notices"): TENCENT_SMS_SECRET_ID,
    TENCENT_SMS_SECRET_KEY, TENCENT_SMS_SDK_APP_ID, TENCENT_SMS_SIGN_NAME (the
    approved signature, e.g. 椿树街道总工会), TENCENT_SMS_REGION, and
    TENCENT_SMS_TEMPLATES (kind=template id, for each SMS kind of
    notices.kinds). The backend refuses to start without them."""

    REQUIRED = (
        "TENCENT_SMS_SECRET_ID",
        "TENCENT_SMS_SECRET_KEY",
        "TENCENT_SMS_SDK_APP_ID",
        "TENCENT_SMS_SIGN_NAME",
    )

    def __init__(self):
        missing = [name for name in self.REQUIRED if not getattr(settings, name, "")]
        if missing:
            raise ImproperlyConfigured(f"Tencent SMS needs {', '.join(missing)}.")
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        http = HttpProfile(
            endpoint=settings.TENCENT_SMS_ENDPOINT, reqTimeout=settings.TENCENT_SMS_TIMEOUT
        )
        self.client = sms_client.SmsClient(
            credential.Credential(settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY),
            settings.TENCENT_SMS_REGION,
            ClientProfile(httpProfile=http),
        )
        self.templates = dict(settings.TENCENT_SMS_TEMPLATES)

    def send(self, *, phone, kind, params, text):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        template = self.templates.get(kind)
        if not template:
            raise PermanentFailure(f"no Tencent SMS template for {kind!r} (TENCENT_SMS_TEMPLATES)")
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        request.SignName = settings.TENCENT_SMS_SIGN_NAME
        request.TemplateId = template
        request.TemplateParamSet = [str(p) for p in params]
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            raise _sorted(error) from error
        status = response.SendStatusSet[0]
        if status.Code != "Ok":
            failure = (
                TemporaryFailure if status.Code.startswith(_TENCENT_LATER) else PermanentFailure
            )
            raise failure(f"{status.Code}: {status.Message}")
        return status.SerialNo


def _sorted(error) -> Exception:
    code, message = error.get_code() or "", str(error.get_message() or "")
    if code.startswith(_TENCENT_LATER):
        return TemporaryFailure(f"{code}: {message}"[:300])
    if code == "ClientNetworkError" and any(sign in message for sign in _NEVER_LEFT):
        return TemporaryFailure(f"{code}: {message}"[:300])
    return PermanentFailure(f"{code}: {message}"[:300])


def backend() -> SmsBackend:
    return import_string(settings.NOTICE_SMS_BACKEND)()
