"""Fast, repeatable test settings (cookiecutter-django's habit)."""

import tempfile

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="00" * 32)
ID_NUMBER_HMAC_KEY = env.str("ID_NUMBER_HMAC_KEY", default="11" * 32)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Tasks run inline unless a test asks for the real worker (the live_celery
# fixture, used in CI's PostgreSQL + Redis run).
CELERY_TASK_ALWAYS_EAGER = True
# A replica alias mirroring the primary, for the router's tests
# (tests/test_scaling_router.py turns the reads on with override_settings).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_REPLICA_READS = False
# Uploads waiting in the import flow go to a throw-away folder, never the
# checkout's media/ (a test that looks at them points it at its tmp_path).
IMPORT_UPLOAD_ROOT = env.path(
    "IMPORT_UPLOAD_ROOT", default=tempfile.mkdtemp(prefix="chunshu-imports-")
)
# SMS into a throw-away file (a test that reads it points it at its tmp_path).
NOTICE_SMS_FILE = tempfile.mkdtemp(prefix="chunshu-sms-") + "/sms.jsonl"
