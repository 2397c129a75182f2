"""Excel exports of a survey: the raw answers (one row per response, one
column per question) and the summary (counts and percentages). Scoped like
the results page, every cell formula-safe (chunshu_union.tabular.export),
identifiers masked unless the user may see personal data, and every export
in the access log (`export_made`, as the admin's exports)."""

from __future__ import annotations

import io
from collections import defaultdict
from urllib.parse import quote

import openpyxl
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union import access
from chunshu_union.admin_exports import export_made
from chunshu_union.masks import mask_phone
from chunshu_union.tabular.export import append_row

from . import selectors
from .models import AgeBand, Answer, Survey

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEX = {"M": "男", "F": "女"}


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _response(book, survey: Survey, user, *, rows: int, kind: str) -> HttpResponse:
    export_made.send(sender=Answer, user=user, rows=rows, file_format="xlsx")
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"{survey.title}-{kind}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"survey.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def answers_xlsx(*, survey: Survey, user) -> HttpResponse:
    questions = list(survey.questions.prefetch_related("choices"))
    choice_text = {c.pk: c.text for q in questions for c in q.choices.all()}
    responses = list(
        selectors.responses_seen(survey, user)
        .select_related("member", "community", "building")
        .order_by("submitted_at", "pk")
    )
    cells = defaultdict(list)
    answers = Answer.objects.filter(
        response__in=selectors.responses_seen(survey, user).order_by().values("pk")
    ).order_by("pk")
    for a in answers.values_list("response_id", "question_id", "choice_id", "text", "number"):
        response_id, question_id, choice_id, text, number = a
        value = choice_text.get(choice_id) if choice_id else (text or number)
        cells[(response_id, question_id)].append(value)
    entitled = access.can_see_personal_data(user)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Answers")[:31]
    header = [
        _("No."),
        _("submitted at"),
        _("community"),
        _("building"),
        _("sex"),
        _("age band"),
        _("member"),
        _("ID number"),
        _("phone"),
    ]
    if survey.is_quiz:
        header.append(_("score"))
    append_row(sheet, header + [q.text for q in questions])
    bands = dict(AgeBand.choices)
    for r in responses:
        member = r.member
        row = [
            r.pk,
            timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
            r.community.name if r.community else "",
            r.building.name if r.building else "",
            SEX.get(r.sex, ""),
            str(bands.get(r.age_band, "")),
            (member.name if entitled else _mask_name(member.name)) if member else "",
            member.id_masked if member else "",  # never in clear in a file
            (member.phone if entitled else mask_phone(member.phone)) if member else "",
        ]
        if survey.is_quiz:
            row.append(r.score)
        for q in questions:
            values = cells.get((r.pk, q.pk), [])
            row.append("；".join(str(v) for v in values) if values else "")
        append_row(sheet, row)
    return _response(book, survey, user, rows=len(responses), kind=_("answers"))


def summary_xlsx(*, survey: Survey, user) -> HttpResponse:
    found = selectors.survey_results(survey=survey, user=user)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    append_row(sheet, [survey.title])
    append_row(sheet, [_("responses"), found.responses])
    append_row(sheet, [])
    append_row(sheet, [_("question"), _("answer"), _("count"), _("percent")])
    for result in found.questions:
        q = result.question
        if not result.rows:
            extra = f"{_('average')} {result.mean}" if result.mean is not None else ""
            append_row(sheet, [q.text, extra, result.answered, ""])
        for row in result.rows:
            label = f"{row.label} ✓" if row.correct else row.label
            append_row(sheet, [q.text, label, row.count, float(row.percent or 0)])
    if found.scores:
        append_row(sheet, [])
        append_row(sheet, [_("score"), "", _("count"), _("percent")])
        for row in found.scores:
            append_row(sheet, [row.label, "", row.count, float(row.percent or 0)])
    return _response(book, survey, user, rows=found.responses, kind=_("summary"))
