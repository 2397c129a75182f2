"""Rights in code: the staff and aid groups come from accounts/roles.py and
are synced on every migrate, so an installation that never loads the demo
has working roles. The test database is built by migrate, without the demo:
what it holds is what a fresh installation holds."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from accounts import roles
from accounts.models import Role
from tests.factories import user


def codenames(group_name):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group_name).permissions.select_related("content_type")
    }


def test_a_fresh_database_has_the_staff_group_with_the_street_work(db):
    staff = codenames(roles.STAFF_GROUP)
    assert {
        "enterprises.view_enterprise",
        "enterprises.change_enterprise",
        "members.view_member",
        "members.add_membership",
        "dues.add_declaration",
        "dues.change_zombieflag",
        "services.add_visit",
        "services.view_welfarebatch",
        "dashboard.view_quarterfigures",
    } <= staff


def test_aid_is_only_in_the_aid_group(db):
    aid = codenames(roles.AID_GROUP)
    assert aid == {
        f"services.{action}_{model}"
        for action in ("add", "change", "delete", "view")
        for model in ("aidcase", "aidattachment")
    }
    assert not aid & codenames(roles.STAFF_GROUP)


@pytest.mark.parametrize("group_name", [roles.STAFF_GROUP, roles.AID_GROUP])
def test_no_group_carries_rights_over_accounts_or_the_system(db, group_name):
    labels = {p.split(".")[0] for p in codenames(group_name)}
    assert not labels & {
        "auth",
        "accounts",
        "admin",
        "contenttypes",
        "sessions",
        "django_celery_beat",
        "axes",
        "auditlog",
    }


def test_a_staff_member_put_in_the_staff_group_does_the_street_work(client, db):
    tom = user("tom", Role.STAFF)
    tom.groups.add(Group.objects.get(name=roles.STAFF_GROUP))
    client.force_login(tom)
    for url in (
        "/admin/enterprises/enterprise/",
        "/admin/members/member/",
        "/admin/dues/declaration/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/services/aidcase/").status_code == 403


def test_the_aid_group_opens_the_aid_cases(client, db):
    ann = user("ann", Role.STAFF)
    ann.groups.add(*Group.objects.filter(name__in=[roles.STAFF_GROUP, roles.AID_GROUP]))
    client.force_login(ann)
    assert client.get("/admin/services/aidcase/").status_code == 200


def test_sync_restores_a_removed_right_and_drops_a_foreign_one(db):
    group = Group.objects.get(name=roles.STAFF_GROUP)
    before = codenames(roles.STAFF_GROUP)
    group.permissions.remove(Permission.objects.get(codename="change_enterprise"))
    group.permissions.add(Permission.objects.get(codename="change_user"))
    roles.sync_roles()
    assert codenames(roles.STAFF_GROUP) == before


def test_sync_is_idempotent(db):
    groups = {g.name: codenames(g.name) for g in Group.objects.all()}
    roles.sync_roles()
    roles.sync_roles()
    assert {g.name: codenames(g.name) for g in Group.objects.all()} == groups


def test_migrate_syncs_the_roles(db):
    """The post_migrate step, not only the function: a deployment that runs
    migrate puts a removed right back."""
    Group.objects.get(name=roles.AID_GROUP).permissions.clear()
    call_command("migrate", verbosity=0)
    assert "services.view_aidcase" in codenames(roles.AID_GROUP)


def test_a_deleted_group_comes_back(db):
    Group.objects.get(name=roles.AID_GROUP).delete()
    roles.sync_roles()
    assert "services.change_aidcase" in codenames(roles.AID_GROUP)


def test_rights_that_name_accounts_are_refused(db, monkeypatch):
    """The guard: a future edit of roles.py that hands staff rights over
    accounts fails loudly instead of granting them."""
    monkeypatch.setattr(
        roles,
        "GROUPS",
        (*roles.GROUPS, roles.GroupRights(name="坏组", models=("accounts.user",))),
    )
    with pytest.raises(ValueError, match="accounts"):
        roles.sync_roles()
    assert not Group.objects.filter(name="坏组").exists()


def test_the_demo_uses_the_same_groups(db):
    from demo.enterprises import ensure_staff_group
    from demo.services import ensure_aid_group

    assert ensure_staff_group() == Group.objects.get(name=roles.STAFF_GROUP)
    assert ensure_aid_group() == Group.objects.get(name=roles.AID_GROUP)
    assert Group.objects.count() == 2


def test_the_access_log_is_read_by_the_superuser_not_by_staff(client, sam):
    """It records what staff looked at; they do not audit themselves."""
    client.force_login(sam)
    assert client.get("/admin/accounts/accesslog/").status_code == 403
