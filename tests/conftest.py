"""The people in our tests: alice chairs the first community and bob the
second; charlie chairs the third, an outsider to both; sam is street staff
and lee a leader."""

import pytest

from accounts.models import Role
from enterprises.demo import ensure_staff_group

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
    staff.groups.add(ensure_staff_group())
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


@pytest.fixture
def live_celery(transactional_db):
    """A real Celery worker on Redis (CI starts one for the PostgreSQL run,
    pointed at the test database). Elsewhere the test is skipped."""
    import os

    from chunshu_union.celery import app

    if not os.environ.get("CELERY_LIVE_WORKER"):
        pytest.skip("needs a real Celery worker: CI starts one for the PostgreSQL + Redis run")
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True
