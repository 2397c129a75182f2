"""API tokens: made with a random key shown once, stored as a digest."""

import datetime
import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken

DEFAULT_LIFETIME = datetime.timedelta(days=90)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *, user, name: str, lifetime: datetime.timedelta = DEFAULT_LIFETIME
) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is never stored or shown again."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:8],
        digest=_digest(key),
        expires_at=timezone.now() + lifetime,
    )
    return token, key


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
