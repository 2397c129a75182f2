"""Operations on surveys: the definition's rules, an answer taken from a
phone (checked against the definition, scored, held to one per person or
device), and a finding of the needs report turned into an offer of the
service menu or a follow-up visit. Keyword-only, atomic; a refusal is a
`ValidationError` with a Chinese sentence and a code."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union import access, crypto
from enterprises.models import Building, Community
from members.id_numbers import normalise
from members.models import Member
from services import services as service_ops
from services.models import ServiceOffer

from .models import (
    AgeBand,
    Answer,
    FindingOutcome,
    NeedFinding,
    OnePer,
    Question,
    QuestionKind,
    Response,
    Survey,
)

#: What a number question accepts (a count of hours, of years, of yuan).
NUMBER_LIMIT = Decimal("9999999999")
TEXT_LIMIT = 2000


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


# --- The definition -------------------------------------------------------


def survey_definition_errors(survey: Survey) -> list[str]:
    """Every way the survey's questions break the rules, as sentences; an
    empty list when it may be answered."""
    errors = []
    questions = list(survey.questions.prefetch_related("choices"))
    if not questions:
        errors.append(_("The survey has no question."))
    for number, question in enumerate(questions, 1):
        choices = list(question.choices.all())
        where = _("Question %(n)s (“%(text)s”)") % {"n": number, "text": question.text[:30]}
        if question.has_choices and len(choices) < 2:
            errors.append(_("%(where)s needs at least two choices.") % {"where": where})
        if not question.has_choices and choices:
            errors.append(
                _("%(where)s is not a choice question but has choices.") % {"where": where}
            )
        if question.section_id and question.section.survey_id != survey.pk:
            errors.append(_("%(where)s is in another survey's section.") % {"where": where})
        right = [c for c in choices if c.is_correct]
        if survey.is_quiz and question.points:
            if not question.has_choices:
                errors.append(
                    _("%(where)s scores points but only a choice question can be marked.")
                    % {"where": where}
                )
            elif not right:
                errors.append(_("%(where)s needs a right answer.") % {"where": where})
            elif question.kind == QuestionKind.SINGLE and len(right) > 1:
                errors.append(
                    _("%(where)s is single choice but has several right answers.")
                    % {"where": where}
                )
        if not survey.is_quiz and (right or question.points):
            errors.append(
                _("%(where)s has right answers or points, but the survey is not a quiz.")
                % {"where": where}
            )
    if survey.is_quiz and not any(q.points for q in questions):
        errors.append(_("A quiz needs at least one question that scores points."))
    return errors


def survey_check_definition(*, survey: Survey) -> None:
    errors = survey_definition_errors(survey)
    if errors:
        raise ValidationError(errors, code="bad_definition")


# --- Answering ------------------------------------------------------------


@dataclass
class Respondent:
    """Who is answering: a member (found by ID number and phone), or a
    device (its cookie token); and what they said about themselves."""

    member: Member | None = None
    device_token: str = ""
    community: Community | None = None
    building: Building | None = None
    sex: str = ""
    age_band: str = ""
    extra: dict = field(default_factory=dict)


def age_band_of(birth_date: datetime.date | None, on: datetime.date) -> str:
    if birth_date is None:
        return ""
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for upper, band in ((25, AgeBand.UNDER_25), (35, AgeBand.FROM_25), (45, AgeBand.FROM_35)):
        if age < upper:
            return band
    return AgeBand.FROM_45 if age < 55 else AgeBand.FROM_55


def member_identify(*, id_number: str, phone: str) -> Member:
    """The member with this ID number and phone, holding an open membership;
    otherwise one sentence that says neither which of the two was wrong."""

    number = normalise(id_number)
    member = Member.objects.with_id_number(number).first() if number else None
    phone = "".join(c for c in (phone or "") if c.isdigit())
    if member is None or not phone or "".join(c for c in member.phone if c.isdigit()) != phone:
        _refuse(_("No member of the street has this ID number and phone number."), "not_a_member")
    if member.open_membership() is None:
        _refuse(_("Only current members may answer this survey."), "not_a_member")
    return member


def respondent_digest(survey: Survey, respondent: Respondent) -> str:
    if survey.one_per == OnePer.PERSON:
        if respondent.member is None:
            _refuse(_("This survey is answered by members only."), "members_only")
        return crypto.digest(f"survey:{survey.pk}:member:{respondent.member.pk}")
    if not respondent.device_token:
        _refuse(
            _("Your browser did not keep our cookie: allow cookies and try again."), "no_device"
        )
    return crypto.digest(f"survey:{survey.pk}:device:{respondent.device_token}")


def _clean_answer(question: Question, raw, choices_by_pk: dict) -> list[dict]:
    """The answer rows for one question from what the form sent (a list of
    strings); a ValidationError naming the question when it is wrong."""
    values = [str(v).strip() for v in (raw or []) if str(v).strip()]
    if not values:
        if question.required:
            _refuse(_("“%(q)s” must be answered.") % {"q": question.text}, "required")
        return []
    if question.has_choices:
        picked = []
        for value in values:
            choice = choices_by_pk.get(value)
            if choice is None or choice.question_id != question.pk:
                _refuse(_("“%(q)s”: this is not one of its choices.") % {"q": question.text}, "bad")
            picked.append(choice)
        if len(set(picked)) != len(picked):
            _refuse(_("“%(q)s”: a choice was sent twice.") % {"q": question.text}, "bad")
        if question.kind == QuestionKind.SINGLE and len(picked) > 1:
            _refuse(_("“%(q)s”: pick only one.") % {"q": question.text}, "one_only")
        return [{"choice": c} for c in picked]
    if len(values) > 1:
        _refuse(_("“%(q)s”: give one answer.") % {"q": question.text}, "bad")
    value = values[0]
    if question.kind == QuestionKind.TEXT:
        if len(value) > TEXT_LIMIT:
            _refuse(
                _("“%(q)s”: at most %(n)s characters.") % {"q": question.text, "n": TEXT_LIMIT},
                "too_long",
            )
        return [{"text": value}]
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) > NUMBER_LIMIT:
        _refuse(_("“%(q)s” takes a number.") % {"q": question.text}, "not_a_number")
    if question.kind == QuestionKind.RATING and (number not in range(1, 6)):
        _refuse(_("“%(q)s” takes a whole number from 1 to 5.") % {"q": question.text}, "rating")
    return [{"number": number.quantize(Decimal("0.01"))}]


def quiz_score(questions: list[Question], rows_by_question: dict[int, list[dict]]) -> int:
    """A question scores its points when the choices ticked are exactly its
    right answers (all of them, nothing else)."""
    score = 0
    for question in questions:
        if not question.points:
            continue
        right = {c.pk for c in question.choices.all() if c.is_correct}
        ticked = {row["choice"].pk for row in rows_by_question.get(question.pk, [])}
        if right and ticked == right:
            score += question.points
    return score


def max_score(survey: Survey) -> int:
    return sum(q.points for q in survey.questions.all())


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    respondent: Respondent,
    answers: dict[int, list[str]],
    today: datetime.date | None = None,
) -> Response:
    """Take one person's answers: refused outside the survey's window, from
    a non-member when members answer, a second time from the same person or
    device, or when any answer breaks the definition. A quiz is scored."""
    today = today or timezone.localdate()
    if not survey.is_open_on(today):
        _refuse(
            _("This survey is open from %(opens)s to %(closes)s.")
            % {"opens": survey.opens_on, "closes": survey.closes_on},
            "closed",
        )
    if survey.audience == "members" and respondent.member is None:
        _refuse(_("This survey is answered by members only."), "members_only")
    digest = respondent_digest(survey, respondent)
    if Response.objects.filter(survey=survey, respondent=digest).exists():
        _refuse(_("You have already answered this survey. Thank you!"), "already")
    questions = list(survey.questions.prefetch_related("choices"))
    choices_by_pk = {str(c.pk): c for q in questions for c in q.choices.all()}
    rows_by_question, errors = {}, []
    for question in questions:
        try:
            rows_by_question[question.pk] = _clean_answer(
                question, answers.get(question.pk), choices_by_pk
            )
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors, code="bad_answers")
    response = _response_row(survey, respondent, digest, today)
    if survey.is_quiz:
        response.score = quiz_score(questions, rows_by_question)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:  # the same person, a moment ago, from another tab
        _refuse(_("You have already answered this survey. Thank you!"), "already")
    Answer.objects.bulk_create(
        Answer(
            response=response,
            survey=survey,
            community_id=response.community_id,
            question_id=qid,
            **row,
        )
        for qid, rows in rows_by_question.items()
        for row in rows
    )
    return response


def _response_row(survey: Survey, respondent: Respondent, digest: str, today) -> Response:
    member = respondent.member
    response = Response(survey=survey, respondent=digest, member=member)
    if member is not None:
        membership = member.open_membership()
        response.community_id = membership.enterprise.community_id if membership else None
        response.building_id = membership.enterprise.building_id if membership else None
        response.sex = member.sex
        response.age_band = age_band_of(member.birth_date, today)
    else:
        response.community = respondent.community or survey.community
        response.building = respondent.building or survey.building
        response.sex = respondent.sex if respondent.sex in ("M", "F") else ""
        response.age_band = respondent.age_band if respondent.age_band in AgeBand.values else ""
    if response.building is None and survey.building_id:
        response.building_id = survey.building_id
    return response


# --- Findings of the needs report ----------------------------------------


def _locked_finding(finding: NeedFinding, by) -> NeedFinding:
    if not access.is_street_staff(by):
        _refuse(_("Only street staff act on the findings of a needs report."), "no_permission")
    finding = NeedFinding.objects.select_for_update().get(pk=finding.pk)
    if not NeedFinding.objects.for_user(by).filter(pk=finding.pk).exists():
        _refuse(_("You may not change this event."), "no_permission")
    if finding.outcome != FindingOutcome.OPEN:
        _refuse(_("This finding has already been acted on."), "done")
    return finding


@transaction.atomic
def finding_to_offer(*, finding: NeedFinding, by) -> ServiceOffer:
    """The finding becomes an offer of the service menu (菜单式服务), under
    its own title; an offer of that name already on the menu is reused
    (and offered again)."""
    finding = _locked_finding(finding, by)
    offer, created = ServiceOffer.objects.get_or_create(
        name=finding.title[:100],
        defaults={"description": finding.detail, "is_active": True},
    )
    if not created and not offer.is_active:
        offer.is_active = True
        offer.save(update_fields=["is_active"])
    finding.offer, finding.outcome = offer, FindingOutcome.OFFER
    finding.save(update_fields=["offer", "outcome"])
    return offer


@transaction.atomic
def finding_to_visit(*, finding: NeedFinding, by, on: datetime.date | None = None):
    """The finding becomes a follow-up visit into its community (or the
    event's), with the finding recorded as the visit's own finding."""
    finding = _locked_finding(finding, by)
    community = finding.community or finding.event.community
    if community is None:
        _refuse(
            _("Name the community the follow-up visit goes to (the event is street-wide)."),
            "no_community",
        )
    visit = service_ops.visit_record(
        by=by,
        visited_on=on or timezone.localdate(),
        community=community,
        summary=_("Follow-up of the needs report of “%(event)s”: %(finding)s")
        % {"event": finding.event.title, "finding": finding.title},
        findings=(("hot_issue", f"{finding.title}\n{finding.detail}".strip()),),
    )
    finding.visit, finding.outcome = visit, FindingOutcome.VISIT
    finding.save(update_fields=["visit", "outcome"])
    return visit
