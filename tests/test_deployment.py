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


# --- The image holds no secret (issue 13, item 8) ---------------------------

#: Files that hold keys or personal data on a developer's or server's disk:
#: each must be git-ignored and kept out of the image's build context.
SECRET_FILES = [
    ".env",
    ".env.production",
    ".dev-keys.env",
    "db.sqlite3",
    "db.sqlite3-wal",
    "db.sqlite3-shm",
    "db.sqlite3-journal",
    "media/private/rosters/2017/03/1.upload",
    "media/aid/scan.pdf",
]
#: What the build needs (Dockerfile: pip install, compilemessages, collectstatic).
BUILD_NEEDS = [
    "requirements.txt",
    "manage.py",
    "chunshu_union/settings/prod.py",
    "locale/zh_Hans/LC_MESSAGES/django.po",
    "static/vendor/echarts/echarts.min.js",
    "templates/base.html",
]


def dockerignore_rules() -> list[tuple[bool, re.Pattern]]:
    """.dockerignore as Docker reads it: each line a pattern from the root of
    the build context (`*` within a folder, `**` across folders, `!` takes a
    file back in); the last matching line decides."""
    rules = []
    for line in read(".dockerignore").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((negate, re.compile(regex)))
    return rules


def docker_ignores(path: str, rules) -> bool:
    """A path is left out when it, or a folder above it, matches."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    excluded = False
    for negate, regex in rules:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not negate
    return excluded


IN_GIT = (
    subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True
    ).returncode
    == 0
)
needs_git = pytest.mark.skipif(not IN_GIT, reason="needs the project's git work tree")


def git_ignores(path: str) -> bool:
    result = subprocess.run(
        ["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT, capture_output=True
    )
    return result.returncode == 0


def test_the_image_is_built_from_the_whole_tree():
    # Why .dockerignore matters: the Dockerfile copies the project folder.
    assert re.search(r"^COPY \. \.$", read("Dockerfile"), flags=re.M)


@pytest.mark.parametrize("path", SECRET_FILES)
def test_no_key_or_personal_data_goes_into_the_image(path):
    assert docker_ignores(path, dockerignore_rules()), f"{path} would be copied into the image"


@needs_git
@pytest.mark.parametrize("path", SECRET_FILES)
def test_no_key_or_personal_data_is_committed(path):
    assert git_ignores(path)


@needs_git
def test_what_git_ignores_here_stays_out_of_the_image():
    """Every file git ignores in this working tree (keys, databases, media,
    the virtualenv, caches) is left out of the build context too."""
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "--directory"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    rules = dockerignore_rules()
    assert [path for path in listed if not docker_ignores(path, rules)] == []


def test_the_build_still_has_what_it_needs():
    rules = dockerignore_rules()
    assert [path for path in BUILD_NEEDS if docker_ignores(path, rules)] == []


# --- Production checks its data keys at start-up ----------------------------


@pytest.mark.parametrize("name", ["FIELD_ENCRYPTION_KEY", "ID_NUMBER_HMAC_KEY"])
@pytest.mark.parametrize(
    "malformed",
    ["22" * 31, "zz" * 32, "22" * 32 + "00", "00 11 22 33"],
    ids=["62 digits", "not hex", "66 digits", "spaces"],
)
def test_production_refuses_to_start_with_a_malformed_data_key(name, malformed):
    result = django_check({**GOOD_ENV, name: malformed})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be 64 hexadecimal digits" in result.stderr
    assert malformed not in result.stderr  # the message does not echo the key
