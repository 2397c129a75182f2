"""The deployment files agree with the code: production settings refuse to
start without their secrets, and the Dockerfile and docker-compose.yml run
the same steps and names as the Makefile and the settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEY": "22" * 32,
    "ID_NUMBER_HMAC_KEY": "33" * 32,
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "union.example",
}


def django_check(env_overrides: dict) -> subprocess.CompletedProcess:
    # Nothing of the test run's own environment leaks in (the browser tests
    # set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which --deploy rightly refuses).
    leaks = {*GOOD_ENV, "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in leaks}
    env.update({"DJANGO_SETTINGS_MODULE": "chunshu_union.settings.prod", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ID_NUMBER_HMAC_KEY", "REDIS_URL"]
)
def test_production_refuses_to_start_without_its_secrets(missing):
    result = django_check({k: v for k, v in GOOD_ENV.items() if k != missing})
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = django_check(GOOD_ENV)
    assert result.returncode == 0, result.stderr[-2000:]


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_the_dockerfile_installs_and_builds_like_the_makefile():
    dockerfile, makefile = read("Dockerfile"), read("Makefile")
    assert "pip install -r requirements.txt" in dockerfile
    assert "-r requirements.txt" in makefile
    for step in ("compilemessages", "collectstatic"):
        assert step in dockerfile
    assert "compilemessages" in makefile
    assert "FROM python:3.11" in dockerfile  # the Python the Makefile's venv is built with


def test_compose_runs_the_apps_the_code_defines():
    compose = read("docker-compose.yml")
    from chunshu_union import celery_app

    assert celery_app.main == "chunshu_union"
    assert compose.count('celery", "-A", "chunshu_union"') == 2
    assert "chunshu_union.wsgi:application" in read("Dockerfile")
    assert "django_celery_beat.schedulers:DatabaseScheduler" in compose
    # every variable compose hands the app is one the settings read
    settings_text = "".join(
        p.read_text() for p in (ROOT / "chunshu_union" / "settings").glob("*.py")
    )
    for name in re.findall(r"^\s{4}([A-Z_]+):", compose, flags=re.M):
        if name.startswith("POSTGRES_") or name == "DJANGO_SETTINGS_MODULE":
            continue
        assert f'"{name}"' in settings_text, f"{name} is set in compose but never read"


def test_the_healthcheck_url_exists(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
