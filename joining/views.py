"""The public join form and status look-up (no sign-in: abuse is held off
by rate limits per address and per ID number, a small request size, no
file uploads, and nothing shown back but a reference code), and the chair's
portal pages that decide."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chunshu_union import crypto, ratelimit
from chunshu_union.decorators import portal_required
from members import id_numbers

from . import services
from .forms import ApplicationForm, RefuseForm, StatusForm
from .models import ApplicationState, JoinApplication, JoinLink

HOUR, DAY = 3600, 86400


def _too_big(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.JOIN_MAX_REQUEST_BYTES


def _refused(request, status: int, sentence: str, **extra):
    response = render(request, "joining/refused.html", {"sentence": sentence}, status=status)
    for name, value in extra.items():
        response[name] = value
    return response


def _guard(request):
    """Refuse, before the form is read: a body too large, an upload, a
    flood from one address."""
    if _too_big(request):
        return _refused(request, 413, _("The form is too large."))
    if request.content_type != "application/x-www-form-urlencoded":
        return _refused(request, 415, _("This form takes no files."))
    verdict = ratelimit.hit(
        "join-ip",
        ratelimit.address_of(request),
        limit=settings.JOIN_PER_ADDRESS_PER_HOUR,
        window=HOUR,
    )
    if not verdict.allowed:
        return _refused(
            request,
            429,
            _("Too many applications from this network. Please try again later."),
            **{"Retry-After": str(verdict.retry_after)},
        )
    return None


def apply(request, code: str):
    link = get_object_or_404(JoinLink.objects.select_related("community"), code=code)
    if not link.is_active:
        return _refused(request, 410, _("This join link is closed."))
    employers = list(services.employers_of(link))
    if request.method == "POST":
        refused = _guard(request)
        if refused:
            return refused
        form = ApplicationForm(request.POST, employers=employers)
        if form.is_valid():
            application = _submit(request, link, form)
            if application is not None:
                return render(request, "joining/done.html", {"reference": application.reference})
            if getattr(form, "too_many", False):
                return _refused(request, 429, _("Too many applications for this ID number today."))
    else:
        form = ApplicationForm(employers=employers)
    context = {"link": link, "form": form, "keep_days": settings.JOIN_KEEP_DAYS}
    return render(request, "joining/apply.html", context)


def _submit(request, link, form):
    data = form.cleaned_data
    number, error = id_numbers.read(data["id_number"])
    if not error:
        verdict = ratelimit.hit(
            "join-id", crypto.digest(number), limit=settings.JOIN_PER_ID_PER_DAY, window=DAY
        )
        if not verdict.allowed:
            form.too_many = True
            return None
    try:
        return services.application_submit(
            link=link,
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            enterprise=form.chosen_enterprise(),
            employer_typed=data["employer_typed"],
            consent=data["consent"],
        )
    except ValidationError as refusal:
        if hasattr(refusal, "error_dict"):
            for field, errors in refusal.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, refusal.messages)
        return None


def status(request):
    """The applicant's look-up: reference code and phone, nothing else."""
    found, form = None, StatusForm()
    if request.method == "POST":
        refused = _guard_lookup(request)
        if refused:
            return refused
        form = StatusForm(request.POST)
        if form.is_valid():
            found = services.application_find(
                reference=form.cleaned_data["reference"], phone=form.cleaned_data["phone"]
            )
            if found is None:
                form.add_error(None, _("No application matches this code and phone number."))
    return render(
        request, "joining/status.html", {"form": form, "found": found, "State": ApplicationState}
    )


def _guard_lookup(request):
    if _too_big(request):
        return _refused(request, 413, _("The form is too large."))
    verdict = ratelimit.hit(
        "join-lookup",
        ratelimit.address_of(request),
        limit=settings.JOIN_LOOKUPS_PER_ADDRESS_PER_HOUR,
        window=HOUR,
    )
    if not verdict.allowed:
        return _refused(
            request,
            429,
            _("Too many look-ups from this network. Please try again later."),
            **{"Retry-After": str(verdict.retry_after)},
        )
    return None


# --- The chair's portal -------------------------------------------------------------


def _visible(user):
    return JoinApplication.objects.for_user(user).select_related("community", "enterprise")


@portal_required
def portal_list(request):
    applications = _visible(request.user)
    context = {
        "pending": applications.pending()[:200],
        "decided": applications.exclude(state=ApplicationState.PENDING)[:50],
        "links": JoinLink.objects.for_user(request.user).select_related("community"),
    }
    return render(request, "joining/portal_list.html", context)


@portal_required
def portal_detail(request, pk: int):
    """Another community's application is a 404, never a 403."""
    application = get_object_or_404(_visible(request.user), pk=pk)
    context = {"application": application, "refuse_form": RefuseForm()}
    return render(request, "joining/portal_detail.html", context)


@require_POST
@portal_required
def portal_approve(request, pk: int):
    application = get_object_or_404(_visible(request.user), pk=pk)
    try:
        services.application_approve(application=application, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("joining_portal:detail", pk=pk)
    messages.success(request, _("%(name)s is now a member.") % {"name": application.name})
    return redirect("joining_portal:list")


@require_POST
@portal_required
def portal_refuse(request, pk: int):
    application = get_object_or_404(_visible(request.user), pk=pk)
    form = RefuseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why; the applicant reads it."))
        services.application_refuse(
            application=application, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("joining_portal:detail", pk=pk)
    messages.success(request, _("The application is refused; the applicant is told why."))
    return redirect("joining_portal:list")


def link_url(request, link: JoinLink) -> str:
    return request.build_absolute_uri(reverse("joining:apply", args=[link.code]))


def qr_response(request, link: JoinLink) -> HttpResponse:
    import segno

    response = HttpResponse(content_type="image/svg+xml")
    segno.make(link_url(request, link), error="m").save(response, kind="svg", scale=10)
    return response
