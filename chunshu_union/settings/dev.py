"""Development: the embedded default (SQLite, eager Celery) unless the
environment says otherwise. Keys for personal data are generated once into
`.dev-keys.env` (git-ignored) so that a fresh clone works and no key is ever
committed."""

import secrets

from .base import *  # noqa: F403
from .base import BASE_DIR, env, envbool

DEBUG = envbool("DEBUG", True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

_DEV_KEYS = BASE_DIR / ".dev-keys.env"
if not _DEV_KEYS.exists():
    _DEV_KEYS.write_text(
        f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"FIELD_ENCRYPTION_KEY={secrets.token_hex(32)}\n"
        f"ID_NUMBER_HMAC_KEY={secrets.token_hex(32)}\n",
        encoding="utf-8",
    )
    _DEV_KEYS.chmod(0o600)
_dev = dict(
    line.split("=", 1) for line in _DEV_KEYS.read_text(encoding="utf-8").splitlines() if "=" in line
)
SECRET_KEY = env.str("SECRET_KEY", default=_dev["SECRET_KEY"])
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default=_dev["FIELD_ENCRYPTION_KEY"])
ID_NUMBER_HMAC_KEY = env.str("ID_NUMBER_HMAC_KEY", default=_dev["ID_NUMBER_HMAC_KEY"])
