"""Roles and their rights, in code.

A user's role decides the door (`accounts.models.Role`): street staff use
`/admin/`, chairs the portal, leaders the dashboard; the portal and the
dashboard check the role and scope by community, they use no model rights.
Inside the admin, what staff may do is the model permissions of the groups
below. `sync_roles()` makes the groups hold exactly these rights; it runs
after every `migrate` (see `accounts.apps`), so an installation that never
loads the demo has working roles, and an edit of these groups anywhere else
comes undone at the next deployment.

No group ever carries rights over accounts: only a superuser (the street
union's chair) adds and changes users, groups, rights, other people's
passwords and other people's API tokens (`accounts/admin.py`). Every staff
member changes their own password and makes, sees and revokes their own API
tokens, whatever their groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q

from .models import Role

STAFF_GROUP = "街道工作人员"
AID_GROUP = "救助审批"

#: Apps whose rights no group may carry: accounts, rights, sign-in records,
#: the audit trail and scheduled jobs (a periodic task runs any task with any
#: arguments) belong to the superuser.
SUPERUSER_ONLY_APPS = frozenset(
    {
        "accounts",
        "auth",
        "admin",
        "contenttypes",
        "sessions",
        "axes",
        "auditlog",
        "django_celery_beat",
    }
)

#: Emergency aid is sensitive (hardship, health, bank details, scans): its
#: rights are in the aid group only, given to the staff who handle aid.
AID_MODELS = ("services.aidcase", "services.aidattachment")


@dataclass(frozen=True)
class GroupRights:
    """A group and its rights: every permission (add, change, delete, view
    and any custom one) of the models of `apps`, plus those of `models`
    ("app_label.model"), minus those of `excluded`."""

    name: str
    apps: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()


GROUPS = (
    # The street's work, as the admin shows it: enterprises and their
    # registers, members and rosters, union funds, services and the figures.
    GroupRights(
        name=STAFF_GROUP,
        apps=("enterprises", "members", "dues", "services", "surveys", "dashboard"),
        excluded=AID_MODELS,
    ),
    GroupRights(name=AID_GROUP, models=AID_MODELS),
)

#: The groups a new account of each role is put in when a superuser adds it
#: in the admin. Chairs and leaders hold no model rights.
ROLE_GROUPS = {Role.STAFF: (STAFF_GROUP,), Role.CHAIR: (), Role.LEADER: ()}


def sync_roles(*, using: str = DEFAULT_DB_ALIAS) -> list[Group]:
    """Make each group of GROUPS exist and hold exactly its rights: a removed
    right comes back, a right added by hand goes. Idempotent."""
    for rights in GROUPS:
        _check(rights)
    groups = []
    with transaction.atomic(using=using):
        for rights in GROUPS:
            group, _created = Group.objects.using(using).get_or_create(name=rights.name)
            group.permissions.set(_permissions(rights, using))
            groups.append(group)
    return groups


def group(name: str) -> Group:
    """One of the groups above (synced first, should migrate not have made
    it yet)."""
    found = Group.objects.filter(name=name).first()
    if found is None:
        sync_roles()
        found = Group.objects.get(name=name)
    return found


def groups_for_role(role: str) -> list[Group]:
    return [group(name) for name in ROLE_GROUPS.get(role, ())]


def sync_roles_after_migrate(sender, *, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """The post_migrate step. Accounts migrates before the apps its groups
    name, so their content types and permissions are made here first
    (Django's own step, run later for each app, then finds them present)."""
    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using, apps=apps)
    sync_roles(using=using)


def _check(rights: GroupRights) -> None:
    """Refuse, before anything is written, rights over accounts and names
    that match nothing (a misspelt model would silently grant nothing)."""
    for label in (*rights.apps, *(m.split(".")[0] for m in (*rights.models, *rights.excluded))):
        if label in SUPERUSER_ONLY_APPS:
            raise ValueError(f"Group {rights.name!r} may not carry rights over {label!r}.")
    for label in rights.apps:
        global_apps.get_app_config(label)
    for model in (*rights.models, *rights.excluded):
        global_apps.get_model(model)


def _model_q(model: str) -> Q:
    app_label, name = model.split(".")
    return Q(content_type__app_label=app_label, content_type__model=name)


def _permissions(rights: GroupRights, using: str):
    wanted = [Q(content_type__app_label=label) for label in rights.apps]
    wanted += [_model_q(model) for model in rights.models]
    qs = Permission.objects.using(using).filter(reduce(or_, wanted))
    for model in rights.excluded:
        qs = qs.exclude(_model_q(model))
    return qs.exclude(content_type__app_label__in=SUPERUSER_ONLY_APPS)
