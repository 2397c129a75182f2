"""Production: refuses to start without its secrets, or with a data key
that is not one (a key the code cannot use would otherwise fail only when
the first ID number is read or written, long after the deploy)."""

import re

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_URL, SECRET_KEY, env, envbool

for _name, _value in (
    ("SECRET_KEY", SECRET_KEY),
    ("FIELD_ENCRYPTION_KEY", env.str("FIELD_ENCRYPTION_KEY", default="")),
    ("ID_NUMBER_HMAC_KEY", env.str("ID_NUMBER_HMAC_KEY", default="")),
):
    if not _value:
        raise ImproperlyConfigured(f"{_name} must be set in the environment for production.")
# The data keys are 32 bytes written as 64 hexadecimal digits (what
# `python -c "import secrets; print(secrets.token_hex(32))"` prints), as
# chunshu_union.crypto reads them. The message never repeats the value.
for _name in ("FIELD_ENCRYPTION_KEY", "ID_NUMBER_HMAC_KEY"):
    if not re.fullmatch(r"[0-9a-fA-F]{64}", env.str(_name, default="")):
        raise ImproperlyConfigured(
            f"{_name} must be 64 hexadecimal digits (32 bytes), for example the output of "
            '`python -c "import secrets; print(secrets.token_hex(32))"`.'
        )
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set in the environment for production.")

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
# The container's own health probe speaks plain HTTP on the inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
