"""The demo year 2017 of the street's service work (filled in below)."""

from django.contrib.auth.models import Group, Permission

AID_GROUP = "救助审批"


def ensure_aid_group() -> Group:
    """Emergency-aid permissions live in their own group, given only to the
    staff who handle aid (the street staff group does not carry them)."""
    group, _created = Group.objects.get_or_create(name=AID_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="services",
            content_type__model__in=["aidcase", "aidattachment"],
        )
    )
    return group


def load(*, federation, users, stdout) -> None:
    group = ensure_aid_group()
    for name in ("staff1", "staff2", "staff3", "staff4"):
        users[name].groups.add(group)
