"""Surveys for the tests: a needs questionnaire and a safety quiz, and one
of every survey row for the access walk (tests/test_url_access.py)."""

from __future__ import annotations

import datetime

from services.models import Event, EventKind
from services.models.events import EventNote
from surveys.models import (
    Audience,
    Choice,
    NeedFinding,
    OnePer,
    Question,
    QuestionKind,
    Response,
    Section,
    Survey,
    SurveyKind,
)
from tests.factories import street

OPENS, CLOSES = datetime.date(2017, 6, 12), datetime.date(2017, 6, 18)
DURING = datetime.date(2017, 6, 14)


def question(survey, text, kind, choices=(), *, right=(), points=0, required=True, section=None):
    q = Question.objects.create(
        survey=survey,
        section=section,
        position=survey.questions.count() + 1,
        text=text,
        kind=kind,
        required=required,
        points=points,
    )
    for i, label in enumerate(choices, 1):
        Choice.objects.create(question=q, position=i, text=label, is_correct=label in right)
    return q


def needs_survey(**extra) -> Survey:
    """A questionnaire of each kind of question."""
    survey = Survey.objects.create(
        federation=street(),
        title="职工需求调查",
        opens_on=OPENS,
        closes_on=CLOSES,
        **extra,
    )
    part = Section.objects.create(survey=survey, position=1, title="工作与生活")
    question(
        survey,
        "您最需要工会提供哪项服务？",
        QuestionKind.SINGLE,
        ["法律咨询", "子女托管", "健康体检"],
        section=part,
    )
    question(
        survey,
        "您参加过哪些活动？",
        QuestionKind.MULTIPLE,
        ["培训", "春游", "健步走"],
        required=False,
    )
    question(survey, "每周加班几小时？", QuestionKind.NUMBER, required=False)
    question(survey, "对工会服务的满意度", QuestionKind.RATING)
    question(survey, "其他建议", QuestionKind.TEXT, required=False)
    return survey


def safety_quiz(**extra) -> Survey:
    survey = Survey.objects.create(
        federation=street(),
        kind=SurveyKind.QUIZ,
        title="安全生产知识答题",
        opens_on=OPENS,
        closes_on=CLOSES,
        **extra,
    )
    question(
        survey, "火警电话是？", QuestionKind.SINGLE, ["110", "119", "120"], right=["119"], points=10
    )
    question(
        survey,
        "灭火器的使用步骤包括？",
        QuestionKind.MULTIPLE,
        ["拔保险销", "对准火焰根部", "倒置摇晃"],
        right=["拔保险销", "对准火焰根部"],
        points=10,
    )
    return survey


def answers_for(survey: Survey, picks: dict[str, list[str]]) -> dict[int, list[str]]:
    """The form's answers from question text → choice texts (or values)."""
    out = {}
    for q in survey.questions.prefetch_related("choices"):
        values = picks.get(q.text, [])
        if q.has_choices:
            by_text = {c.text: str(c.pk) for c in q.choices.all()}
            out[q.pk] = [by_text.get(v, v) for v in values]
        else:
            out[q.pk] = list(values)
    return out


def surveys_of(world: dict, marker: str) -> dict:
    """A survey of the world's community (linked to its event), each of its
    rows, a response and a finding: for the access walk."""
    from django.core.files.base import ContentFile

    from accounts.models import User
    from enterprises.models import Community, Federation
    from services.models.events import EventAttachment

    community = world[Community]
    event = world[Event]
    survey = Survey.objects.create(
        federation=world[Federation],
        community=community,
        event=event,
        title=marker,
        opens_on=OPENS,
        closes_on=CLOSES,
    )
    section = Section.objects.create(survey=survey, title=marker)
    q = question(survey, marker, QuestionKind.SINGLE, [marker, f"{marker}2"], section=section)
    response = Response.objects.create(survey=survey, respondent=marker, community=community)
    note = EventNote.objects.create(event=event, text=marker, written_by=world[User])
    attachment = EventAttachment(
        event=event,
        original_name=f"{marker}.png",
        content_type="image/png",
        size=8,
        uploaded_by=world[User],
    )
    attachment.file.save("x", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    finding = NeedFinding.objects.create(event=event, title=marker, community=community)
    return {
        Survey: survey,
        Section: section,
        Question: q,
        Choice: q.choices.first(),
        Response: response,
        EventNote: note,
        EventAttachment: attachment,
        NeedFinding: finding,
    }


def promotion_week() -> Event:
    return Event.objects.create(
        federation=street(),
        kind=EventKind.PROMOTION,
        title="“情暖椿树”楼宇宣传周",
        starts_on=OPENS,
        ends_on=CLOSES,
    )


__all__ = ["Audience", "OnePer"]
