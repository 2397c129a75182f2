"""What several sub-domains' admins share."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from chunshu_union.admin_mixins import ScopedModelAdmin
from members.models import Member


class _DryRun(Exception):
    pass


def check_by_running(form: forms.Form, run) -> None:
    """Run a service inside a savepoint that is always rolled back, turning
    its refusal into a form error: the form can never disagree with the
    rules the service enforces."""
    try:
        with transaction.atomic():
            run()
            raise _DryRun
    except _DryRun:
        pass
    except ValidationError as refused:
        form.add_error(None, refused)


class MemberScopedAdmin(ScopedModelAdmin):
    """Member choices in forms come from the scoped member list."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            kwargs["queryset"] = Member.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
