"""What several sub-domains' admins share."""

from chunshu_union.admin_mixins import ScopedModelAdmin
from members.models import Member


class MemberScopedAdmin(ScopedModelAdmin):
    """Member choices in forms come from the scoped member list."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            kwargs["queryset"] = Member.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
