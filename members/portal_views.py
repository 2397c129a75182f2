"""The chair portal's page of one member: masked identifiers, memberships,
history, and what a chair may do in their own community, each through a
service (members.services, members.coverage, members.retirement,
members.corrections). Another community's member is a 404, never a 403;
every action posts, and a refusal comes back as a message on the page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chunshu_union.decorators import portal_required

from . import corrections, coverage, retirement, services
from .models import (
    Correction,
    JingCardChange,
    Member,
    Membership,
    MembershipEvent,
    TransferRequest,
    VerificationCampaign,
)
from .portal_forms import (
    CorrectionForm,
    DetailsForm,
    EndForm,
    HoldForm,
    JingCardForm,
    ResumeForm,
    TransferForm,
    VerifyForm,
)


def _member(request, pk: int) -> Member:
    """A member of the user's community (a chair) or street (staff); any
    other is a 404."""
    return get_object_or_404(Member.objects.for_user(request.user), pk=pk)


def open_campaign(user) -> VerificationCampaign | None:
    """The verification campaign running today in the user's street."""
    today = timezone.localdate()
    return (
        VerificationCampaign.objects.for_user(user)
        .filter(started_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("-started_on", "-pk")
        .first()
    )


@portal_required
def member_detail(request, pk: int):
    member = _member(request, pk)
    memberships = list(
        Membership.objects.for_user(request.user)
        .filter(member=member)
        .select_related("enterprise")
        .order_by("-joined_on", "-pk")
    )
    current = next((m for m in memberships if m.left_on is None), None)
    seen = [m.pk for m in memberships]
    today = timezone.localdate()
    context = {
        "member": member,
        "current": current,
        "memberships": memberships,
        "events": MembershipEvent.objects.filter(member=member)
        .filter(Q(membership__in=seen) | Q(membership__isnull=True))
        .select_related("recorded_by")[:30],
        "jingcard_changes": JingCardChange.objects.filter(member=member)[:10],
        "transfer_requests": TransferRequest.objects.for_user(request.user)
        .filter(member=member)
        .select_related("to_enterprise")[:10],
        "corrections": Correction.objects.filter(member=member, requested_by__isnull=False)[:10],
        "campaign": open_campaign(request.user),
        "retirement_reached": current is not None
        and current.held_on is None
        and retirement.has_reached(member, today),
        "retirement_age": retirement.retirement_age_of(member),
        "forms": {
            "details": DetailsForm(
                initial={
                    f: getattr(member, f)
                    for f in (
                        "phone",
                        "education",
                        "political_status",
                        "is_migrant_worker",
                        "is_model_worker",
                        "is_in_hardship",
                    )
                }
            ),
            "jingcard": JingCardForm(initial={"to_status": _next_jingcard(member.jingcard_status)}),
            "verify": VerifyForm(),
            "hold": HoldForm(),
            "resume": ResumeForm(),
            "end": EndForm(),
            "transfer": TransferForm(user=request.user),
            "correction": CorrectionForm(),
        },
    }
    return render(request, "portal/member_detail.html", context)


def _next_jingcard(status: str) -> str:
    steps = [s for s in coverage.JINGCARD_NEXT.get(status, ()) if s != "not_applied"]
    order = ["applied", "issued", "activated"]
    return min(steps, key=order.index) if steps else status


def _act(request, pk: int, form_class, run, done: str, **form_kwargs):
    """Read the posted form, run the service, go back to the member's page
    with what happened as a message."""
    member = _member(request, pk)
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("portal:member_detail", pk=member.pk)
    try:
        run(member, form.cleaned_data)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("portal:member_detail", pk=member.pk)


def _member_action(form_class, run, done, *, form_for_user: bool = False):
    """A view for one of the chair's actions on a member's page: the posted
    form, then `run(request, member, data)` (a service), then back to the
    page with `done` or the refusal as a message."""

    @require_POST
    @portal_required
    def view(request, pk: int):
        form_kwargs = {"user": request.user} if form_for_user else {}
        return _act(
            request,
            pk,
            form_class,
            lambda member, data: run(request, member, data),
            str(done),
            **form_kwargs,
        )

    return view


def _verify(request, member, data):
    campaign = open_campaign(request.user)
    if campaign is None:
        raise ValidationError(_("No verification campaign is running; the street opens one."))
    coverage.member_verify(campaign=campaign, member=member, by=request.user, note=data["note"])


member_details = _member_action(
    DetailsForm,
    lambda request, member, data: services.member_update_details(
        member=member, by=request.user, **data
    ),
    gettext_lazy("The member's details are saved."),
)
member_jingcard = _member_action(
    JingCardForm,
    lambda request, member, data: coverage.member_set_jingcard(
        member=member, to_status=data["to_status"], on=data["on"], by=request.user
    ),
    gettext_lazy("The Jing card step is recorded."),
)
member_verify = _member_action(VerifyForm, _verify, gettext_lazy("The member is verified."))
member_hold = _member_action(
    HoldForm,
    lambda request, member, data: services.membership_hold(by=request.user, member=member, **data),
    gettext_lazy("The membership is held."),
)
# Confirmed retired: the membership is held at the community (reason
# retired) and the decision recorded (members.retirement).
member_retired = _member_action(
    ResumeForm,
    lambda request, member, data: retirement.retirement_confirm(
        member=member, by=request.user, on=data["on"], note=data["note"]
    ),
    gettext_lazy("Confirmed retired: the membership is held at the community."),
)
member_keep_working = _member_action(
    ResumeForm,
    lambda request, member, data: retirement.retirement_keep_working(
        member=member, by=request.user, on=data["on"], note=data["note"]
    ),
    gettext_lazy("Recorded as still at work."),
)
member_resume = _member_action(
    ResumeForm,
    lambda request, member, data: services.membership_resume(
        by=request.user, member=member, **data
    ),
    gettext_lazy("The membership is in good standing again."),
)
member_end = _member_action(
    EndForm,
    lambda request, member, data: services.membership_end(by=request.user, member=member, **data),
    gettext_lazy("The membership has ended."),
)
member_transfer = _member_action(
    TransferForm,
    lambda request, member, data: services.membership_transfer(
        by=request.user,
        member=member,
        to_enterprise=data["to_enterprise"],
        on=data["on"],
        reason=data["reason"],
    ),
    gettext_lazy("The member is transferred."),
    form_for_user=True,
)
# A name or ID number is never changed by a chair: the request goes to
# street staff, who apply or refuse it.
member_correction = _member_action(
    CorrectionForm,
    lambda request, member, data: corrections.correction_request(
        member=member, by=request.user, **data
    ),
    gettext_lazy("The correction is requested; street staff will apply or refuse it."),
)
