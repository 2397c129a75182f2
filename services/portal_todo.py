"""What waits for a chair in the services: open visit findings, fulfilled
service requests to rate, the aid applications they submitted that are
still being decided."""

from django.urls import reverse
from django.utils.translation import gettext as _

from members.portal import Todo, todo_provider

from .models import AidCase, AidStatus, Finding, RequestStatus, ServiceRequest

AID_IN_PROGRESS = (AidStatus.SUBMITTED, AidStatus.REVIEWED, AidStatus.APPROVED)


@todo_provider
def services_todo(user) -> list[Todo]:
    return [
        Todo(
            60,
            _("Open visit findings"),
            Finding.objects.for_user(user).open().count(),
            reverse("services_portal:visit_list"),
        ),
        Todo(
            70,
            _("Service requests waiting for a rating"),
            ServiceRequest.objects.for_user(user)
            .filter(status=RequestStatus.FULFILLED, rating__isnull=True)
            .count(),
            reverse("services_portal:request_list"),
        ),
        Todo(
            80,
            _("Aid applications in progress"),
            AidCase.objects.filter(submitted_by=user, status__in=AID_IN_PROGRESS).count(),
            reverse("services_portal:aid_apply"),
        ),
    ]
