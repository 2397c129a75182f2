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


def test_pages_are_chinese_even_when_the_browser_asks_for_english(client, sam, alices_enterprise):
    client.force_login(sam)
    page = client.get(
        "/admin/enterprises/enterprise/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert "统一社会信用代码" in page
    assert "输入以搜索" in page and "Type to search" not in page  # unfold's own words too


def test_english_is_available_when_chosen(client, sam, alices_enterprise):
    client.force_login(sam)
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = client.get("/admin/enterprises/enterprise/").content.decode()
    assert "Unified social credit code" in page


def test_names_read_in_chinese_order(sam):
    sam.last_name, sam.first_name = "郝", "冬梅"
    assert sam.get_full_name() == "郝冬梅"
