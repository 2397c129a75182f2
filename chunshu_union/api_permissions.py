"""The API's permission classes, each a line on the rules of `access`."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from . import access


class SeesPersonalData(BasePermission):
    """Endpoints that return records about people (members, and anything
    else naming a person): street staff and chairs, whose querysets are
    scoped by `for_user`. Leaders get figures only (DESIGN), so they are
    refused with a 403 rather than served an empty list."""

    message = _("Leaders see figures only; this part of the API holds personal data.")

    def has_permission(self, request, view):
        return access.can_see_personal_data(request.user)
