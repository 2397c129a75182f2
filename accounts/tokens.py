"""API tokens: made with a random key shown once, stored as a digest.

A user makes their own tokens; a token for another account (the service
account of another system) only a superuser makes. Making and revoking are
written to the access log, with the token's name and owner, never its key."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import AccessLog, ApiToken
from .services import access_log_record

DEFAULT_LIFETIME = datetime.timedelta(days=90)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def may_manage_tokens_of(by, user) -> bool:
    """Own tokens, or anyone's for a superuser."""
    return by.is_active and (by.pk == user.pk or by.is_superuser)


@transaction.atomic
def api_token_create(
    *, user, name: str, by, lifetime: datetime.timedelta = DEFAULT_LIFETIME
) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is never stored or shown again."""
    if not may_manage_tokens_of(by, user):
        raise PermissionDenied(_("Only a superuser makes API tokens for another account."))
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:8],
        digest=_digest(key),
        expires_at=timezone.now() + lifetime,
    )
    access_log_record(
        user=by, action=AccessLog.Action.TOKEN_CREATE, obj=token, detail=_detail(token)
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> None:
    """The token stops working at once; the log keeps who revoked which."""
    if not may_manage_tokens_of(by, token.user):
        raise PermissionDenied(_("Only a superuser revokes another account's API tokens."))
    access_log_record(
        user=by, action=AccessLog.Action.TOKEN_REVOKE, obj=token, detail=_detail(token)
    )
    token.delete()


def _detail(token: ApiToken) -> str:
    return f"{token.user.username}: {token.name}"


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is no longer active."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
            token.last_used_at = now
            token.save(update_fields=["last_used_at"])
        return token.user, token
