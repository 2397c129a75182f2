"""Signing in: each role reaches its page; repeated failures lock the door."""

import pytest
from django.test import override_settings


def test_a_chair_signs_in_and_lands_in_the_portal(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/portal/"


def test_the_sign_in_page_is_in_chinese(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "登录" in page and "用户名" in page


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_even_with_the_right_password(client, alice):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice", "password": "password"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
