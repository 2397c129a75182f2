"""The chair portal's service pages: a chair sees and records the visits of
their own community (another community's visit is a 404) and closes the
findings once they are followed up; requests menu services for the
community's enterprises and records their ratings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chunshu_union import access
from chunshu_union.decorators import portal_required

from . import services
from .forms import AidApplicationForm, CloseFindingForm, RatingForm, ServiceRequestForm, VisitForm
from .models import AidCase, Finding, RequestStatus, ServiceRequest, Visit


@portal_required
def visit_list(request):
    form = VisitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        findings = form.findings()
        if form.is_valid():
            try:
                visit = services.visit_record(
                    by=request.user,
                    visited_on=form.cleaned_data["visited_on"],
                    enterprise=form.cleaned_data.get("enterprise"),
                    community=form.cleaned_data.get("community"),
                    summary=form.cleaned_data.get("summary", ""),
                    findings=findings,
                )
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                messages.success(request, _("The visit is recorded."))
                return redirect("services_portal:visit_detail", visit.pk)
    visits = (
        Visit.objects.for_user(request.user)
        .select_related("visitor", "community", "enterprise")
        .annotate(n_open=Count("findings", filter=Q(findings__closed_on__isnull=True)))
        .order_by("-visited_on", "-pk")
    )
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(request, "services/portal/visit_list.html", {"page": page, "form": form})


@portal_required
def visit_detail(request, pk: int):
    visit = get_object_or_404(
        Visit.objects.for_user(request.user).select_related("visitor", "community", "enterprise"),
        pk=pk,
    )
    return render(
        request,
        "services/portal/visit_detail.html",
        {"visit": visit, "findings": visit.findings.all(), "close_form": CloseFindingForm()},
    )


def _run_and_report(http_request, done: str, operation, /, **arguments) -> None:
    """Run a service operation for a portal form that posts and goes back:
    its refusals become error messages, success the message `done`."""
    try:
        operation(**arguments)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(http_request, message)
    else:
        messages.success(http_request, done)


@portal_required
@require_POST
def finding_close(request, pk: int):
    finding = get_object_or_404(
        Finding.objects.for_user(request.user).select_related("visit__community"), pk=pk
    )
    form = CloseFindingForm(request.POST)
    if form.is_valid():
        _run_and_report(
            request,
            _("The finding is closed."),
            services.finding_close,
            finding=finding,
            by=request.user,
            closed_on=form.cleaned_data["closed_on"],
            follow_up=form.cleaned_data.get("follow_up", ""),
        )
    else:
        messages.error(request, _("Give the date the finding was closed."))
    return redirect("services_portal:visit_detail", finding.visit_id)


@portal_required
def request_list(request):
    form = ServiceRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_request_create(by=request.user, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("The request is sent to the street union."))
            return redirect("services_portal:request_list")
    requests = (
        ServiceRequest.objects.for_user(request.user)
        .select_related("offer", "enterprise")
        .order_by("-requested_on", "-pk")
    )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "rating_form": RatingForm(),
        "fulfilled": RequestStatus.FULFILLED,
    }
    return render(request, "services/portal/request_list.html", context)


@portal_required
@require_POST
def request_rate(request, pk: int):
    service_request = get_object_or_404(ServiceRequest.objects.for_user(request.user), pk=pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The rating is a whole number from 1 to 5."))
        return redirect("services_portal:request_list")
    _run_and_report(
        request,
        _("Thank you: the rating is recorded."),
        services.service_request_rate,
        request=service_request,
        by=request.user,
        rating=form.cleaned_data["rating"],
        comment=form.cleaned_data.get("comment", ""),
    )
    return redirect("services_portal:request_list")


@portal_required
def aid_apply(request):
    """A chair records an emergency-aid application for a member of their
    community, with a scan. Afterwards the chair sees only the state of
    what they submitted; the case itself is for aid staff."""
    if not access.is_chair(request.user):
        return redirect("admin:services_aidcase_add")
    form = AidApplicationForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                case = services.aid_submit(
                    by=request.user,
                    member=form.member,
                    applied_on=form.cleaned_data["applied_on"],
                    reason=form.cleaned_data["reason"],
                    amount_requested=form.cleaned_data["amount_requested"],
                )
                if form.cleaned_data.get("scan"):
                    services.aid_attach(
                        case=case, by=request.user, upload=form.cleaned_data["scan"]
                    )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("The application is submitted to the street union."))
            return redirect("services_portal:aid_apply")
    mine = (
        AidCase.objects.filter(submitted_by=request.user)
        .select_related("member")
        .order_by("-applied_on", "-pk")[:50]
    )
    return render(request, "services/portal/aid_apply.html", {"form": form, "mine": mine})
