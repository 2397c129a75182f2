"""The chair portal's service pages: a chair sees and records the visits of
their own community (another community's visit is a 404) and closes the
findings once they are followed up; requests menu services for the
community's enterprises, gives the dates they were accepted and fulfilled,
and records their ratings; hands out the street's welfare batches and
signs members in at events."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chunshu_union import access
from chunshu_union.decorators import portal_required
from members.models import Member

from . import services
from .forms import (
    AidApplicationForm,
    AttendanceForm,
    CloseFindingForm,
    HandoutForm,
    RatingForm,
    ServiceRequestForm,
    StepForm,
    VisitForm,
)
from .models import (
    AidCase,
    Attendance,
    Event,
    Finding,
    Handout,
    RequestStatus,
    ServiceRequest,
    Visit,
    WelfareBatch,
)


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


def _posted(http_request, form_class, invalid: str) -> dict | None:
    """The cleaned data of a portal form that posts and goes back; None,
    with `invalid` as the error message, when the form does not validate."""
    form = form_class(http_request.POST)
    if form.is_valid():
        return form.cleaned_data
    messages.error(http_request, invalid)
    return None


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
    data = _posted(request, CloseFindingForm, _("Give the date the finding was closed."))
    if data is not None:
        _run_and_report(
            request,
            _("The finding is closed."),
            services.finding_close,
            finding=finding,
            by=request.user,
            closed_on=data["closed_on"],
            follow_up=data.get("follow_up", ""),
        )
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
        "ratings": range(5, 0, -1),
        "status": RequestStatus,
    }
    return render(request, "services/portal/request_list.html", context)


@portal_required
@require_POST
def request_rate(request, pk: int):
    service_request = get_object_or_404(ServiceRequest.objects.for_user(request.user), pk=pk)
    data = _posted(request, RatingForm, _("The rating is a whole number from 1 to 5."))
    if data is not None:
        _run_and_report(
            request,
            _("Thank you: the rating is recorded."),
            services.service_request_rate,
            request=service_request,
            by=request.user,
            rating=data["rating"],
            comment=data.get("comment", ""),
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


_STEPS = {
    "accept": (services.service_request_accept, _("The request is accepted.")),
    "fulfil": (services.service_request_fulfil, _("The request is marked fulfilled.")),
}


@portal_required
@require_POST
def request_step(request, pk: int, step: str):
    """Accept or fulfil a request of the community on the date given (today
    unless the form says otherwise)."""
    if step not in _STEPS:
        raise Http404
    service_request = get_object_or_404(ServiceRequest.objects.for_user(request.user), pk=pk)
    data = _posted(request, StepForm, _("Give the date."))
    if data is not None:
        operation, done = _STEPS[step]
        _run_and_report(
            request, str(done), operation, request=service_request, by=request.user, on=data["on"]
        )
    return redirect("services_portal:request_list")


# --- Handouts and events -----------------------------------------------------------


def _members_found(request, query: str, present):
    """Up to 20 members of the user's community whose name holds `query`,
    each marked by `present` (an Exists over the member) as done already."""
    if not query:
        return []
    return list(
        Member.objects.for_user(request.user)
        .filter(name__icontains=query)
        .annotate(done=present)
        .order_by("name", "pk")[:20]
    )


@portal_required
def handout_list(request):
    batches = WelfareBatch.objects.for_user(request.user).select_related("item")
    page = Paginator(batches, 30).get_page(request.GET.get("page"))
    events = Event.objects.for_user(request.user)[:5]
    return render(
        request, "services/portal/handout_list.html", {"page": page, "events": events, "q": ""}
    )


@portal_required
def handout_batch(request, pk: int):
    """One batch: find a member of the community by name and hand it out;
    the handouts the community has recorded so far."""
    batch = get_object_or_404(
        WelfareBatch.objects.for_user(request.user).select_related("item"), pk=pk
    )
    return _find_and_record(
        request,
        "services/portal/handout_batch.html",
        {"batch": batch, "form": HandoutForm()},
        done=Exists(Handout.objects.filter(batch=batch, member=OuterRef("pk"))),
        records=Handout.objects.for_user(request.user)
        .filter(batch=batch)
        .select_related("member", "enterprise"),
    )


@portal_required
@require_POST
def handout_give(request, pk: int):
    batch = get_object_or_404(WelfareBatch.objects.for_user(request.user), pk=pk)
    data = _posted(request, HandoutForm, _("Give the date the item was handed out."))
    if data is None:
        return redirect("services_portal:handout_batch", batch.pk)
    member = get_object_or_404(Member.objects.for_user(request.user), pk=data["member"])
    _run_and_report(
        request,
        _("%(name)s received “%(batch)s”.") % {"name": member.name, "batch": batch.name},
        services.handout_give,
        batch=batch,
        member=member,
        by=request.user,
        handed_on=data["handed_on"],
    )
    return redirect(_back(request, "services_portal:handout_batch", batch.pk))


@portal_required
def event_list(request):
    events = Event.objects.for_user(request.user).select_related("community")
    page = Paginator(events, 30).get_page(request.GET.get("page"))
    return render(request, "services/portal/event_list.html", {"page": page, "q": ""})


@portal_required
def event_detail(request, pk: int):
    """One event: find a member of the community by name and sign them in;
    the community's members signed in so far."""
    event = get_object_or_404(Event.objects.for_user(request.user), pk=pk)
    mine = Member.objects.for_user(request.user).values("pk")
    return _find_and_record(
        request,
        "services/portal/event_detail.html",
        {"event": event, "form": AttendanceForm()},
        done=Exists(Attendance.objects.filter(event=event, member=OuterRef("pk"), attended=True)),
        records=Attendance.objects.for_user(request.user)
        .filter(event=event, member__in=mine)
        .select_related("member"),
    )


def _find_and_record(request, template: str, context: dict, *, done, records):
    """A page where the chair finds a member of the community by name (htmx
    as they type: only the results are sent back) and records something for
    them; `done` marks those who have it already, `records` is what the
    community has recorded so far, paged."""
    query = request.GET.get("q", "").strip()
    context |= {
        "q": query,
        "found": _members_found(request, query, done),
        "page": Paginator(records, 50).get_page(request.GET.get("page")),
    }
    if request.headers.get("HX-Request") and request.GET.get("found"):
        return render(request, "services/portal/_found.html", context)
    return render(request, template, context)


@portal_required
@require_POST
def event_attend(request, pk: int):
    event = get_object_or_404(Event.objects.for_user(request.user), pk=pk)
    data = _posted(request, AttendanceForm, _("Choose the member to sign in."))
    if data is None:
        return redirect("services_portal:event_detail", event.pk)
    member = get_object_or_404(Member.objects.for_user(request.user), pk=data["member"])
    _run_and_report(
        request,
        _("%(name)s is signed in.") % {"name": member.name},
        services.attendance_record,
        event=event,
        member=member,
        by=request.user,
        attended=True,
    )
    return redirect(_back(request, "services_portal:event_detail", event.pk))


def _back(request, name: str, pk: int) -> str:
    """The page the form was on, with the search it showed."""
    url = reverse(name, args=[pk])
    query = request.POST.get("q", "").strip()
    return f"{url}?{urlencode({'q': query})}" if query else url
