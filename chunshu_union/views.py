from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import access


@login_required
def home(request):
    """Each role has its own door."""
    user = request.user
    if access.is_street_staff(user):
        return redirect("admin:index")
    if access.is_chair(user):
        return redirect("portal:index")
    if access.is_leader(user):
        return redirect("dashboard:index")
    return HttpResponseForbidden(
        _("Your account has no role; please ask the street union's staff.")
    )


@require_GET
def healthz(request):
    """For the load balancer and docker compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
