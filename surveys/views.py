"""The public answering page (by link or QR code, server-rendered, made for
a cheap phone: docs/SURVEYS.md says why), and the pages staff and chairs
read: results, exports, the QR code, the needs report of an event."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chunshu_union import access, crypto, ratelimit
from chunshu_union.decorators import portal_required
from enterprises.models import Building, Community
from services.models import Event

from . import exports, selectors, services
from .models import AgeBand, Audience, NeedFinding, Response, Survey

DEVICE_COOKIE = "cs_survey_device"
HOUR = 3600


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


# --- Answering (public) -----------------------------------------------------


def _device_token(request) -> str:
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    return token if 16 <= len(token) <= 64 and token.isalnum() else ""


def _with_device(request, response, token: str):
    if request.COOKIES.get(DEVICE_COOKIE) != token:
        response.set_cookie(
            DEVICE_COOKIE,
            token,
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _already(survey: Survey, token: str) -> bool:
    if survey.one_per != "device" or not token:
        return False
    digest = crypto.digest(f"survey:{survey.pk}:device:{token}")
    return Response.objects.filter(survey=survey, respondent=digest).exists()


def _refused(request, survey, status: int, sentence: str, **headers):
    response = render(
        request, "surveys/refused.html", {"survey": survey, "sentence": sentence}, status=status
    )
    for name, value in headers.items():
        response[name] = value
    return response


def _guard(request, survey):
    """Before the form is read: a body too large, a flood from one address."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 10**9
    if length > _limit("SURVEY_MAX_REQUEST_BYTES", 64 * 1024):
        return _refused(request, survey, 413, _("The form is too large."))
    verdict = ratelimit.hit(
        "survey-ip",
        ratelimit.address_of(request),
        limit=_limit("SURVEY_PER_ADDRESS_PER_HOUR", 120),
        window=HOUR,
    )
    if not verdict.allowed:
        return _refused(
            request,
            survey,
            429,
            _("Too many answers from this network. Please try again later."),
            **{"Retry-After": str(verdict.retry_after)},
        )
    return None


def _respondent(request, survey: Survey, token: str) -> services.Respondent:
    post = request.POST
    respondent = services.Respondent(device_token=token)
    if survey.audience == Audience.MEMBERS:
        id_number = post.get("id_number", "")
        verdict = ratelimit.hit(
            "survey-id",
            crypto.digest(id_number.strip().upper()),
            limit=_limit("SURVEY_TRIES_PER_ID_PER_HOUR", 5),
            window=HOUR,
        )
        if not verdict.allowed:
            raise ValidationError(
                _("Too many attempts for this ID number. Please try again later."),
                code="too_many",
            )
        respondent.member = services.member_identify(
            id_number=id_number, phone=post.get("phone", "")
        )
        return respondent
    if survey.ask_about_you:
        respondent.sex = post.get("sex", "")
        respondent.age_band = post.get("age_band", "")
        respondent.building = _picked(_buildings(survey), post.get("building"))
        respondent.community = _picked(_communities(survey), post.get("community"))
    return respondent


def _picked(rows, value):
    return next((r for r in rows if str(r.pk) == (value or "")), None)


def _buildings(survey: Survey) -> list:
    if survey.event_id and survey.event.buildings.exists():
        return list(survey.event.buildings.all())
    if survey.building_id:
        return [survey.building]
    return list(Building.objects.filter(federation=survey.federation_id))


def _communities(survey: Survey) -> list:
    if survey.community_id:
        return [survey.community]
    return list(Community.objects.filter(federation=survey.federation_id))


def _page(request, survey, *, errors=(), status=200, token=""):
    questions = list(survey.questions.select_related("section").prefetch_related("choices"))
    context = {
        "survey": survey,
        "questions": questions,
        "errors": errors,
        "posted": {k: request.POST.getlist(k) for k in request.POST} if request.POST else {},
        "members_only": survey.audience == Audience.MEMBERS,
        "buildings": _buildings(survey) if survey.ask_about_you else [],
        "communities": _communities(survey) if survey.ask_about_you else [],
        "age_bands": AgeBand.choices,
    }
    response = render(request, "surveys/answer.html", context, status=status)
    return _with_device(request, response, token)


def answer(request, key: str):
    survey = get_object_or_404(Survey.objects.select_related("event", "building"), key=key)
    token = _device_token(request) or secrets.token_hex(16)
    if not survey.is_open_on(timezone.localdate()):
        return _refused(
            request,
            survey,
            200,
            _("This survey is open from %(opens)s to %(closes)s.")
            % {"opens": survey.opens_on, "closes": survey.closes_on},
        )
    if services.survey_definition_errors(survey):
        return _refused(request, survey, 200, _("This survey is not ready yet."))
    if _already(survey, token):
        return _refused(
            request, survey, 200, _("You have already answered this survey. Thank you!")
        )
    if request.method != "POST":
        return _page(request, survey, token=token)
    refused = _guard(request, survey)
    if refused:
        return refused
    answers = {q.pk: request.POST.getlist(f"q{q.pk}") for q in survey.questions.all()}
    try:
        respondent = _respondent(request, survey, token)
        made = services.response_submit(survey=survey, respondent=respondent, answers=answers)
    except ValidationError as refused_answer:
        return _page(request, survey, errors=refused_answer.messages, status=400, token=token)
    request.session[f"survey_done_{survey.pk}"] = made.pk
    return _with_device(request, redirect("surveys_public:done", key=survey.key), token)


def done(request, key: str):
    survey = get_object_or_404(Survey, key=key)
    made = Response.objects.filter(
        survey=survey, pk=request.session.get(f"survey_done_{survey.pk}")
    ).first()
    if made is None:
        return redirect("surveys_public:answer", key=key)
    context = {"survey": survey, "response": made}
    if survey.is_quiz and survey.show_score:
        context["max_score"] = services.max_score(survey)
    return render(request, "surveys/done.html", context)


# --- Results (staff, and chairs for their own community) ---------------------


def _survey_for(request, pk: int) -> Survey:
    """Another community's or street's survey is a 404, never a 403."""
    return get_object_or_404(Survey.objects.for_user(request.user), pk=pk)


def public_url(request, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("surveys_public:answer", args=[survey.key]))


@portal_required
def survey_list(request):
    surveys = (
        Survey.objects.for_user(request.user)
        .select_related("event", "community")
        .annotate(
            n=Count("responses", filter=Q(responses__in=Response.objects.for_user(request.user)))
        )
    )
    return render(request, "surveys/list.html", {"surveys": surveys})


@portal_required
def results(request, pk: int):
    survey = _survey_for(request, pk)
    found = selectors.survey_results(survey=survey, user=request.user)
    questions = {r.question.pk: r.question for r in found.questions}
    tab_question = questions.get(_int(request.GET.get("q")))
    dimension = request.GET.get("by", "community")
    if dimension not in selectors.DIMENSIONS:
        dimension = "community"
    if tab_question is None:
        tab_question = next(
            (q for q in questions.values() if q.kind != "text" and q.kind != "number"), None
        )
    tab = None
    if tab_question is not None and tab_question.kind not in ("text", "number"):
        tab = selectors.crosstab(
            survey=survey, user=request.user, question=tab_question, dimension=dimension
        )
    texts = {}
    for result in found.questions:
        if result.is_text:
            page_no = request.GET.get(f"t{result.question.pk}", 1)
            rows = selectors.text_answers(
                survey=survey, user=request.user, question=result.question
            )
            texts[result.question.pk] = Paginator(rows, 20).get_page(page_no)
    chart = {
        "questions": [
            {
                "id": r.question.pk,
                "labels": [row.label for row in r.rows],
                "counts": [row.count for row in r.rows],
            }
            for r in found.questions
            if r.rows
        ],
        "scores": {
            "labels": [row.label for row in found.scores],
            "counts": [row.count for row in found.scores],
        },
    }
    context = {
        "survey": survey,
        "found": found,
        "texts": texts,
        "tab": tab,
        "tab_question": tab_question,
        "dimension": dimension,
        "dimensions": selectors.DIMENSIONS.items(),
        "chart": chart,
        "link": public_url(request, survey),
        "is_staff": access.is_street_staff(request.user),
    }
    return render(request, "surveys/results.html", context)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@portal_required
def export_answers(request, pk: int):
    survey = _survey_for(request, pk)
    return exports.answers_xlsx(survey=survey, user=request.user)


@portal_required
def export_summary(request, pk: int):
    survey = _survey_for(request, pk)
    return exports.summary_xlsx(survey=survey, user=request.user)


@portal_required
def qr(request, pk: int):
    """The link as a QR code (SVG), to print on the week's posters."""
    survey = _survey_for(request, pk)
    try:
        import segno
    except ImportError:  # segno is in requirements.txt; an install without it
        return HttpResponse(_("The QR code needs the segno package."), status=503)
    response = HttpResponse(content_type="image/svg+xml")
    segno.make(public_url(request, survey), error="m").save(response, kind="svg", scale=10)
    return response


# --- The needs report of an event -------------------------------------------


@portal_required
def report(request, pk: int):
    event = get_object_or_404(Event.objects.for_user(request.user), pk=pk)
    context = selectors_report(request, event)
    return render(request, "surveys/report.html", context)


def selectors_report(request, event: Event) -> dict:
    from services.models import Attendance
    from services.models.events import EventAttachment, EventNote

    user = request.user
    attendance = Attendance.objects.for_user(user).filter(event=event)
    counts = attendance.aggregate(
        members=Count("pk", filter=Q(member__isnull=False)),
        members_came=Count("pk", filter=Q(member__isnull=False, attended=True)),
        guests=Count("pk", filter=Q(member__isnull=True)),
        guests_came=Count("pk", filter=Q(member__isnull=True, attended=True)),
    )
    surveys = [
        selectors.survey_results(survey=s, user=user)
        for s in Survey.objects.for_user(user).filter(event=event)
    ]
    return {
        "event": event,
        "counts": counts,
        "guests": attendance.filter(member__isnull=True).order_by("guest_name"),
        "surveys": surveys,
        "notes": EventNote.objects.for_user(user).filter(event=event).select_related("written_by"),
        "attachments": EventAttachment.objects.for_user(user).filter(event=event),
        "findings": NeedFinding.objects.for_user(user).filter(event=event),
        "is_staff": access.is_street_staff(user),
        "buildings": list(event.buildings.all()),
    }


@portal_required
@require_POST
def finding_act(request, pk: int, action: str):
    finding = get_object_or_404(NeedFinding.objects.for_user(request.user), pk=pk)
    operation = {"offer": services.finding_to_offer, "visit": services.finding_to_visit}.get(action)
    if operation is None:
        raise Http404
    try:
        operation(finding=finding, by=request.user)
    except ValidationError as refused:
        for sentence in refused.messages:
            messages.error(request, sentence)
    else:
        messages.success(
            request,
            _("“%(title)s” is now on the service menu.") % {"title": finding.title}
            if action == "offer"
            else _("A follow-up visit is recorded for “%(title)s”.") % {"title": finding.title},
        )
    return redirect("surveys:report", pk=finding.event_id)
