"""API tokens for other systems: hashed, expiring, dead with their user, and
bound by the same scoping as everything else."""

import datetime

from accounts.models import ApiToken
from accounts.tokens import api_token_create


def get(client, url, key):
    return client.get(url, HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_reads_what_its_user_may_see(client, alice, alices_enterprise, bobs_enterprise):
    _token, key = api_token_create(user=alice, name="社区系统")
    body = get(client, "/api/v1/enterprises/", key).json()
    assert [e["name"] for e in body["results"]] == [alices_enterprise.name]


def test_only_the_digest_is_stored(alice):
    token, key = api_token_create(user=alice, name="x")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.digest, stored.prefix + stored.name) and stored.prefix == key[:8]


def test_an_expired_token_is_refused(client, alice):
    _token, key = api_token_create(user=alice, name="x", lifetime=datetime.timedelta(seconds=-1))
    assert get(client, "/api/v1/enterprises/", key).status_code == 401


def test_a_token_dies_with_its_user(client, alice):
    _token, key = api_token_create(user=alice, name="x")
    alice.is_active = False
    alice.save()
    assert get(client, "/api/v1/enterprises/", key).status_code == 401


def test_a_made_up_token_is_refused(client, db):
    assert get(client, "/api/v1/enterprises/", "not-a-token").status_code == 401


def test_staff_make_a_token_in_the_admin_and_see_the_key_once(client, sam, alice):
    import re

    client.force_login(sam)
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {
            "user": alice.pk,
            "name": "数据交换",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00:00",
        },
        follow=True,
    )
    token = ApiToken.objects.get(name="数据交换")
    message = " ".join(str(m.message) for m in response.context["messages"])
    key = re.search(r"[A-Za-z0-9_-]{43}", message).group(0)
    assert key.startswith(token.prefix)
    client.logout()
    assert get(client, "/api/v1/enterprises/", key).status_code == 200
    # the list page never shows it again
    client.force_login(sam)
    assert key not in client.get("/admin/accounts/apitoken/").content.decode()
