"""Accounts in the admin: only a superuser (sue, the street union's chair)
manages accounts, groups, rights and other people's passwords. Sam, street
staff, changes his own password and nothing else about accounts — whatever
he posts."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts import roles
from accounts.models import Role, User
from tests.factories import user


@pytest.fixture
def sue(db):
    return user("sue", Role.STAFF, is_superuser=True)


def aid_group():
    return Group.objects.get(name=roles.AID_GROUP)


def forged_user_form(person, **extra):
    """Every field of the admin's user change form, filled so that the form
    is valid, with the rights a taker-over would want."""
    return {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [aid_group().pk],
        "user_permissions": [Permission.objects.get(codename="change_user").pk],
        "date_joined_0": "2017-01-01",
        "date_joined_1": "00:00:00",
        "role": Role.STAFF,
        "federation": "",
        "community": "",
        **extra,
    }


def rights_of(person):
    person = User.objects.get(pk=person.pk)
    return (
        person.is_superuser,
        person.role,
        sorted(person.groups.values_list("name", flat=True)),
        list(person.user_permissions.all()),
    )


def test_staff_posting_is_superuser_to_their_own_page_stay_plain_staff(client, sam):
    before = rights_of(sam)
    client.force_login(sam)
    response = client.post(f"/admin/accounts/user/{sam.pk}/change/", forged_user_form(sam))
    assert response.status_code == 403
    assert rights_of(sam) == before == (False, Role.STAFF, [roles.STAFF_GROUP], [])
    assert not User.objects.get(pk=sam.pk).has_perm("services.view_aidcase")


def test_staff_cannot_raise_anyone_else_either(client, sam, alice):
    before = rights_of(alice)
    client.force_login(sam)
    response = client.post(f"/admin/accounts/user/{alice.pk}/change/", forged_user_form(alice))
    assert response.status_code == 403
    assert rights_of(alice) == before


def _set_password(client, whose, password):
    """The admin's set-password form for `whose`, posted by whoever is logged in."""
    return client.post(
        f"/admin/accounts/user/{whose.pk}/password/",
        {"password1": password, "password2": password},
    )


@pytest.mark.parametrize(
    ("who", "whose", "status", "taken"),
    [
        pytest.param("sam", "sue", 403, False, id="staff-cannot-set-the-superusers"),
        pytest.param("sam", "sam", 403, False, id="staff-cannot-set-their-own-without-the-old"),
        pytest.param("sue", "sam", 302, True, id="the-superuser-sets-a-forgotten-one"),
    ],
)
def test_only_the_superuser_sets_a_password_without_the_old_one(
    client, request, who, whose, status, taken
):
    actor, person = request.getfixturevalue(who), request.getfixturevalue(whose)
    client.force_login(actor)
    assert client.get(f"/admin/accounts/user/{person.pk}/password/").status_code == (
        403 if status == 403 else 200
    )
    assert _set_password(client, person, "chunshu-reset-2017").status_code == status
    person.refresh_from_db()
    assert person.check_password("chunshu-reset-2017") is taken
    assert person.check_password("password") is not taken


def test_staff_change_their_own_password_with_the_old_one(client, sam):
    client.force_login(sam)
    response = client.post(
        "/admin/password_change/",
        {
            "old_password": "password",
            "new_password1": "chunshu-new-2017",
            "new_password2": "chunshu-new-2017",
        },
    )
    assert response.status_code == 302
    sam.refresh_from_db()
    assert sam.check_password("chunshu-new-2017")


@pytest.mark.parametrize(
    "url", ["/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/auth/group/"]
)
def test_staff_see_no_user_or_group_page(client, sam, url):
    client.force_login(sam)
    assert client.get(url).status_code == 403


def test_staff_cannot_open_another_users_page(client, sam, sue):
    client.force_login(sam)
    assert client.get(f"/admin/accounts/user/{sue.pk}/change/").status_code == 403


def test_staff_cannot_add_a_superuser(client, sam):
    client.force_login(sam)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "mallory",
            "password1": "chunshu-2017-x",
            "password2": "chunshu-2017-x",
            "role": Role.STAFF,
            "is_superuser": "on",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="mallory").exists()


def test_staff_cannot_put_rights_into_their_group(client, sam):
    group = Group.objects.get(name=roles.STAFF_GROUP)
    before = set(group.permissions.all())
    client.force_login(sam)
    response = client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {
            "name": group.name,
            "permissions": [p.pk for p in Permission.objects.all()],
        },
    )
    assert response.status_code == 403
    assert set(group.permissions.all()) == before


def test_the_admin_index_shows_staff_no_accounts_but_their_tokens(client, sam):
    client.force_login(sam)
    page = client.get("/admin/").content.decode()
    assert "/admin/accounts/user/" not in page and "/admin/auth/group/" not in page
    assert "/admin/accounts/apitoken/" in page


def test_the_superuser_gives_sam_the_aid_group(client, sue, sam):
    client.force_login(sue)
    response = client.post(
        f"/admin/accounts/user/{sam.pk}/change/",
        forged_user_form(
            sam,
            is_superuser="",
            user_permissions=[],
            groups=[
                Group.objects.get(name=roles.STAFF_GROUP).pk,
                aid_group().pk,
            ],
        ),
    )
    assert response.status_code == 302
    assert rights_of(sam) == (False, Role.STAFF, sorted([roles.STAFF_GROUP, roles.AID_GROUP]), [])


def test_a_staff_member_added_by_the_superuser_can_work_at_once(client, sue):
    client.force_login(sue)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "tom",
            "password1": "chunshu-2017-x",
            "password2": "chunshu-2017-x",
            "role": Role.STAFF,
        },
    )
    assert response.status_code == 302
    tom = User.objects.get(username="tom")
    assert list(tom.groups.values_list("name", flat=True)) == [roles.STAFF_GROUP]
    client.force_login(tom)
    assert client.get("/admin/enterprises/enterprise/").status_code == 200


def test_a_chair_added_by_the_superuser_gets_no_group(client, sue, community1):
    client.force_login(sue)
    client.post(
        "/admin/accounts/user/add/",
        {
            "username": "cora",
            "password1": "chunshu-2017-x",
            "password2": "chunshu-2017-x",
            "role": Role.CHAIR,
            "community": community1.pk,
        },
    )
    assert not User.objects.get(username="cora").groups.exists()


def test_the_rights_of_the_code_groups_are_not_edited_in_the_admin(client, sue):
    """They are synced from accounts/roles.py on every migrate; an edit here
    would silently come undone at the next deployment."""
    group = Group.objects.get(name=roles.STAFF_GROUP)
    before = set(group.permissions.all())
    client.force_login(sue)
    client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": "随便", "permissions": [Permission.objects.get(codename="change_user").pk]},
    )
    group.refresh_from_db()
    assert group.name == roles.STAFF_GROUP and set(group.permissions.all()) == before
    assert client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Group.objects.filter(name=roles.STAFF_GROUP).exists()


def test_the_superusers_account_pages_open(client, sue, sam):
    client.force_login(sue)
    staff_group = Group.objects.get(name=roles.STAFF_GROUP)
    for url in (
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{sam.pk}/change/",
        f"/admin/accounts/user/{sam.pk}/password/",
        "/admin/auth/group/",
        f"/admin/auth/group/{staff_group.pk}/change/",
        "/admin/accounts/accesslog/",
    ):
        assert client.get(url).status_code == 200, url
