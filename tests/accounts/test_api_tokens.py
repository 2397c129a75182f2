"""API tokens for other systems: hashed, expiring, dead with their user, and
bound by the same scoping as everything else. Sam (street staff) makes and
revokes his own; sue, the superuser, also makes them for other accounts
(service accounts). Every making and revoking is logged, never the key."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import AccessLog, ApiToken, Role
from accounts.tokens import api_token_create, api_token_revoke
from tests.factories import user


@pytest.fixture
def sue(db):
    return user("sue", Role.STAFF, is_superuser=True)


def get(client, url, key):
    return client.get(url, HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_reads_what_its_user_may_see(client, alice, alices_enterprise, bobs_enterprise):
    _token, key = api_token_create(user=alice, name="社区系统", by=alice)
    body = get(client, "/api/v1/enterprises/", key).json()
    assert [e["name"] for e in body["results"]] == [alices_enterprise.name]


def test_only_the_digest_is_stored(alice):
    token, key = api_token_create(user=alice, name="x", by=alice)
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.digest, stored.prefix + stored.name) and stored.prefix == key[:8]


def test_an_expired_token_is_refused(client, alice):
    _token, key = api_token_create(
        user=alice, name="x", by=alice, lifetime=datetime.timedelta(seconds=-1)
    )
    assert get(client, "/api/v1/enterprises/", key).status_code == 401


def test_a_token_dies_with_its_user(client, alice):
    _token, key = api_token_create(user=alice, name="x", by=alice)
    alice.is_active = False
    alice.save()
    assert get(client, "/api/v1/enterprises/", key).status_code == 401


def test_a_made_up_token_is_refused(client, db):
    assert get(client, "/api/v1/enterprises/", "not-a-token").status_code == 401


def make_in_admin(client, **fields):
    return client.post(
        "/admin/accounts/apitoken/add/",
        {"expires_at_0": "2030-01-01", "expires_at_1": "00:00:00", **fields},
    )


def key_on(response) -> str:
    return re.search(r'id="api-token-key">([A-Za-z0-9_-]{43})<', response.content.decode()).group(1)


def test_the_superuser_makes_a_token_for_a_service_account_and_sees_the_key_once(
    client, sue, alice
):
    client.force_login(sue)
    response = make_in_admin(client, user=alice.pk, name="数据交换")
    token = ApiToken.objects.get(name="数据交换")
    key = key_on(response)
    assert token.user == alice and key.startswith(token.prefix)
    assert "no-store" in response["Cache-Control"]
    client.logout()
    assert get(client, "/api/v1/enterprises/", key).status_code == 200
    # the list page never shows it again
    client.force_login(sue)
    assert key not in client.get("/admin/accounts/apitoken/").content.decode()


def test_the_key_is_never_put_in_a_cookie_or_the_session(client, sam):
    client.force_login(sam)
    response = make_in_admin(client, name="自用")
    key = key_on(response)
    assert key not in response.cookies.output()
    assert key not in str(dict(client.session))


def test_staff_make_their_own_token(client, sam):
    client.force_login(sam)
    key = key_on(make_in_admin(client, name="自用"))
    token = ApiToken.objects.get(name="自用")
    assert token.user == sam
    client.logout()
    assert get(client, "/api/v1/enterprises/", key).status_code == 200


def test_staff_cannot_mint_a_token_for_the_superuser(client, sam, sue):
    client.force_login(sam)
    make_in_admin(client, user=sue.pk, name="借用")
    assert not sue.api_tokens.exists()
    # the forged owner is ignored: the token, if any, is sam's own
    assert set(ApiToken.objects.values_list("user__username", flat=True)) <= {"sam"}


def test_the_service_refuses_a_token_for_someone_else_too(sam, sue):
    with pytest.raises(PermissionDenied):
        api_token_create(user=sue, name="借用", by=sam)
    assert not ApiToken.objects.exists()


def test_a_token_in_the_past_is_refused_with_a_message(client, sam):
    client.force_login(sam)
    response = make_in_admin(client, name="过期", expires_at_0="2001-01-01")
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert "到期时间必须晚于现在" in response.content.decode()


def test_staff_see_only_their_own_tokens(client, sam, sue):
    sues, _key = api_token_create(user=sue, name="总工会数据交换", by=sue)
    api_token_create(user=sam, name="萨姆自用", by=sam)
    client.force_login(sam)
    page = client.get("/admin/accounts/apitoken/").content.decode()
    assert "萨姆自用" in page and "总工会数据交换" not in page
    assert client.get(f"/admin/accounts/apitoken/{sues.pk}/change/").status_code in (302, 404)
    client.post(f"/admin/accounts/apitoken/{sues.pk}/delete/", {"post": "yes"})
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "delete_selected", "_selected_action": [sues.pk], "post": "yes"},
    )
    assert ApiToken.objects.filter(pk=sues.pk).exists()


def test_staff_revoke_their_own_token_and_it_stops_working(client, sam):
    token, key = api_token_create(user=sam, name="自用", by=sam)
    client.force_login(sam)
    response = client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not ApiToken.objects.exists()
    client.logout()
    assert get(client, "/api/v1/enterprises/", key).status_code == 401


def test_making_and_revoking_are_logged_without_the_key(client, sam, sue, alice):
    client.force_login(sue)
    key = key_on(make_in_admin(client, user=alice.pk, name="数据交换"))
    token = ApiToken.objects.get()
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"},
    )
    assert not ApiToken.objects.exists()
    logged = list(
        AccessLog.objects.order_by("pk").values_list(
            "user__username", "action", "object_type", "object_id", "detail"
        )
    )
    assert logged == [
        ("sue", "token_create", "accounts.apitoken", str(token.pk), "alice: 数据交换"),
        ("sue", "token_revoke", "accounts.apitoken", str(token.pk), "alice: 数据交换"),
    ]
    assert not any(key[:8] in "".join(row) for row in logged)


def test_the_superuser_revokes_a_service_accounts_token(sue, alice):
    token, _key = api_token_create(user=alice, name="社区系统", by=sue)
    api_token_revoke(token=token, by=sue)
    assert not ApiToken.objects.exists()


def test_a_chair_cannot_revoke_another_accounts_token(alice, bob):
    token, _key = api_token_create(user=bob, name="社区系统", by=bob)
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, by=alice)
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_staffs_token_pages_open_without_a_choice_of_owner(client, sam):
    token, _key = api_token_create(user=sam, name="自用", by=sam)
    client.force_login(sam)
    add_page = client.get("/admin/accounts/apitoken/add/")
    assert add_page.status_code == 200 and 'name="user"' not in add_page.content.decode()
    for url in (
        "/admin/accounts/apitoken/",
        f"/admin/accounts/apitoken/{token.pk}/change/",
        f"/admin/accounts/apitoken/{token.pk}/delete/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_superuser_chooses_the_owner(client, sue):
    client.force_login(sue)
    assert 'name="user"' in client.get("/admin/accounts/apitoken/add/").content.decode()
