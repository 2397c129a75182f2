from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from . import access


def portal_required(view):
    """The chair portal: community chairs, and staff helping them."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (access.is_chair(request.user) or access.is_street_staff(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def figures_required(view):
    """The dashboard: leaders and staff."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.can_see_figures(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
