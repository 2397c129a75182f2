"""The people in our tests: alice chairs the first community and bob the
second; charlie chairs the third, an outsider to both; sam is street staff
and lee a leader."""

import importlib
import os

import pytest

from accounts import roles
from accounts.models import Role

from .factories import EnterpriseFactory, MembershipFactory, community, user


@pytest.fixture
def community1(db):
    return community(1)


@pytest.fixture
def community2(db):
    return community(2)


@pytest.fixture
def sam(db):
    staff = user("sam", Role.STAFF)
    staff.groups.add(roles.group(roles.STAFF_GROUP))
    return staff


@pytest.fixture
def alice(community1):
    return user("alice", Role.CHAIR, community1)


@pytest.fixture
def bob(community2):
    return user("bob", Role.CHAIR, community2)


@pytest.fixture
def lee(db):
    return user("lee", Role.LEADER)


@pytest.fixture
def charlie(db):
    return user("charlie", Role.CHAIR, community(3))


@pytest.fixture
def alices_enterprise(community1):
    return EnterpriseFactory(name="北京椿树一号科技有限公司", community=community1)


@pytest.fixture
def bobs_enterprise(community2):
    return EnterpriseFactory(name="北京红线二号商贸有限公司", community=community2)


@pytest.fixture
def alices_member(alices_enterprise):
    return MembershipFactory(enterprise=alices_enterprise, member__name="张三").member


@pytest.fixture
def bobs_member(bobs_enterprise):
    return MembershipFactory(enterprise=bobs_enterprise, member__name="李四").member


def pytest_collection_modifyitems(config, items):
    """Tests that need the real Celery worker are skipped before any
    database is set up for them, where CI has not started one. Each is
    marked celery_worker, which CI's RabbitMQ run selects."""
    for item in items:
        if "live_celery" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.celery_worker)
    if os.environ.get("CELERY_LIVE_WORKER"):
        return
    skip = pytest.mark.skip(
        reason="needs a real Celery worker: CI starts one for the PostgreSQL + Redis run"
    )
    for item in items:
        if "live_celery" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _street_reference_data(request):
    """The street and its seven communities come from a data migration. A
    transactional test (a real worker, a live server) ends with a flush that
    empties every table, so they are put back for whatever test comes next
    — rather than serialized rollback, which clashes with the content types
    Django recreates after a flush."""
    uses_db = _DB_FIXTURES & set(request.fixturenames) or request.node.get_closest_marker(
        "django_db"
    )
    if not uses_db:
        yield
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    street = importlib.import_module("enterprises.migrations.0002_street_and_communities")
    from django.apps import apps

    street.create(apps, None)
    yield


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture
def private_uploads(settings, tmp_path):
    """Uploaded import files go under the test's own tmp_path (a module that
    uploads marks itself with usefixtures("private_uploads")); returns that root."""
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_ROOT


@pytest.fixture
def acme(community1):
    """The roster samples' enterprise, in alice's community."""
    from tests.factories import EnterpriseFactory
    from tests.samples import ACME

    return EnterpriseFactory(name=ACME, community=community1)


@pytest.fixture
def live_celery(transactional_db):
    """A real Celery worker on Redis (CI starts one for the PostgreSQL run,
    pointed at the test database). Elsewhere the test is skipped."""
    from chunshu_union.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


@pytest.fixture
def calamine_opened(monkeypatch):
    """Which files calamine was asked to open (the real calamine opens them)."""
    import python_calamine

    opened = []
    real = python_calamine.CalamineWorkbook.from_filelike

    def spy(filelike):
        opened.append(filelike)
        return real(filelike)

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", spy)
    return opened
