"""Fixtures the dues tests share."""

import io

import pytest


@pytest.fixture
def demo_street(db):
    """The demo street with its users, enterprises and dues loaded:
    (federation, users, enterprises)."""
    from demo import dues as dues_demo
    from demo import enterprises as demo

    federation = demo.street()
    users = demo.load_users(federation)
    enterprises = demo.load_enterprises(federation, users["staff1"])
    dues_demo.load(
        federation=federation, users=users, enterprises=enterprises, stdout=io.StringIO()
    )
    return federation, users, enterprises
