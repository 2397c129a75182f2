"""Aid needs four different people (submit, review, approve, pay): ann,
ben, cat and dan are street staff holding the aid permission; sam (from the
main conftest) is staff without it."""

import datetime

import pytest
import time_machine

from accounts.models import Role
from demo.enterprises import ensure_staff_group
from demo.services import ensure_aid_group
from tests.factories import user


def _aid_staff(name):
    person = user(name, Role.STAFF)
    person.groups.add(ensure_staff_group(), ensure_aid_group())
    return person


def _aid_staff_fixture(name):
    return pytest.fixture(lambda db: _aid_staff(name), name=name)


#: Four staff with the aid right: a case's steps need four different people.
ann, ben, cat, dan = map(_aid_staff_fixture, ("ann", "ben", "cat", "dan"))


@pytest.fixture(autouse=True)
def in_2017():
    """The services tests live in the demo year: 2017-12-20."""
    with time_machine.travel(datetime.datetime(2017, 12, 20, 10, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
