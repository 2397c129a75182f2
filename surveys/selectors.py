"""The results of a survey, counted in SQL: per question counts and
percentages, free text, cross-tabs by community, building, sex and age band,
and the distribution of quiz scores. Every count is a GROUP BY over the
answers of the responses the user may see (`Response.objects.for_user`: a
chair counts only their community's people), never a loop over rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chunshu_union.figures import percent
from enterprises.models import Building, Community

from .models import AgeBand, Answer, Question, QuestionKind, Response, Survey

DIMENSIONS = {
    "community": gettext_lazy("community"),
    "building": gettext_lazy("building"),
    "sex": gettext_lazy("sex"),
    "age_band": gettext_lazy("age band"),
}


@dataclass
class Row:
    label: str
    count: int
    percent: Decimal | None
    correct: bool = False


@dataclass
class QuestionResult:
    question: Question
    answered: int
    rows: list[Row] = field(default_factory=list)
    mean: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def is_text(self) -> bool:
        return self.question.kind == QuestionKind.TEXT


@dataclass
class Results:
    survey: Survey
    responses: int
    questions: list[QuestionResult]
    scores: list[Row]
    max_score: int


def responses_seen(survey: Survey, user):
    return Response.objects.for_user(user).filter(survey=survey)


def _answers(survey: Survey, user):
    """The answers the user may count: one index of the answers, no join
    (each answer carries its response's survey and community)."""
    return Answer.objects.for_user(user).filter(survey=survey).order_by()


def survey_results(*, survey: Survey, user) -> Results:
    questions = list(survey.questions.prefetch_related("choices"))
    total = responses_seen(survey, user).count()
    answers = _answers(survey, user)
    # One pass over the index: every (question, choice, number) and its
    # count; choices, ratings, numbers' mean, low and high all come from it.
    cells = defaultdict(list)
    for row in answers.values_list("question_id", "choice_id", "number").annotate(n=Count("*")):
        cells[row[0]].append(row[1:])
    multiple = [q.pk for q in questions if q.kind == QuestionKind.MULTIPLE]
    respondents_multiple = (
        _respondents(answers.filter(question_id__in=multiple)) if multiple else {}
    )
    return Results(
        survey=survey,
        responses=total,
        questions=[_result(q, cells[q.pk], respondents_multiple) for q in questions],
        scores=score_distribution(survey=survey, user=user, total=total),
        max_score=sum(q.points for q in questions),
    )


def _respondents(answers) -> dict[int, int]:
    """How many responses answered each question: the distinct (question,
    response) pairs hashed, then counted — COUNT(DISTINCT) would sort them,
    and at 100,000 responses that sort no longer fits in memory."""
    pairs = answers.values("question_id", "response_id").distinct()
    sql, params = pairs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pairs.question_id, COUNT(*) FROM ({sql}) AS pairs GROUP BY 1",  # noqa: S608
            params,
        )
        return dict(cursor.fetchall())


def _result(q: Question, cells: list, respondents_multiple: dict) -> QuestionResult:
    if q.kind == QuestionKind.MULTIPLE:
        answered = respondents_multiple.get(q.pk, 0)
    else:
        answered = sum(n for _c, _v, n in cells)
    result = QuestionResult(question=q, answered=answered)
    if q.has_choices:
        by_choice = {c: n for c, _v, n in cells}
        for c in q.choices.all():
            n = by_choice.get(c.pk, 0)
            result.rows.append(Row(c.text, n, percent(n, answered), c.is_correct))
        return result
    numbers = [(v, n) for _c, v, n in cells if v is not None]
    if q.kind == QuestionKind.RATING:
        by_value = {int(v): n for v, n in numbers}
        for value in range(1, 6):
            n = by_value.get(value, 0)
            result.rows.append(Row(str(value), n, percent(n, answered)))
    if numbers and q.kind in (QuestionKind.NUMBER, QuestionKind.RATING):
        count = sum(n for _v, n in numbers)
        result.mean = (sum(v * n for v, n in numbers) / count).quantize(Decimal("0.01"))
        result.low = min(v for v, _n in numbers)
        result.high = max(v for v, _n in numbers)
    return result


def score_distribution(*, survey: Survey, user, total: int | None = None) -> list[Row]:
    if not survey.is_quiz:
        return []
    responses = responses_seen(survey, user).order_by()
    total = responses.count() if total is None else total
    counts = responses.values("score").annotate(n=Count("*")).order_by("score")
    return [Row(str(r["score"]), r["n"], percent(r["n"], total)) for r in counts]


def text_answers(*, survey: Survey, user, question: Question):
    """The free text of one question, newest first (for a paginator)."""
    return _answers(survey, user).filter(question=question).exclude(text="").order_by("-pk")


@dataclass
class CrossTab:
    question: Question
    dimension: str
    columns: list[str]
    rows: list[tuple[str, list[int], int]]  # label, counts per column, total


def _dimension_labels(dimension: str, keys) -> dict:
    keys = [k for k in keys if k not in (None, "")]
    if dimension == "community":
        return dict(Community.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "building":
        return dict(Building.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "sex":
        return {"M": _("Male"), "F": _("Female")}
    return dict(AgeBand.choices)


def crosstab(*, survey: Survey, user, question: Question, dimension: str) -> CrossTab:
    """The answers to a choice or rating question counted by one dimension
    of the respondents, in one GROUP BY."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    # The community is on the answer itself; the others are the response's.
    key = "community" if dimension == "community" else f"response__{dimension}"
    answers = _answers(survey, user).filter(question=question)
    if question.has_choices:
        choices = list(question.choices.all())
        columns = [c.text for c in choices]
        index = {c.pk: i for i, c in enumerate(choices)}
        grouped = answers.values(key, "choice_id").annotate(n=Count("*"))
        cell = "choice_id"
    else:
        columns = [str(v) for v in range(1, 6)]
        index = {Decimal(v): v - 1 for v in range(1, 6)}
        grouped = answers.filter(number__isnull=False).values(key, "number").annotate(n=Count("*"))
        cell = "number"
    table: dict = {}
    for r in grouped:
        if r[cell] in index:
            table.setdefault(r[key], [0] * len(columns))[index[r[cell]]] += r["n"]
    labels = _dimension_labels(dimension, table)
    unknown = _("not given")
    rows = sorted(
        ((str(labels.get(k, unknown)), counts, sum(counts)) for k, counts in table.items()),
        key=lambda row: (row[0] == unknown, row[0]),
    )
    return CrossTab(question=question, dimension=dimension, columns=columns, rows=rows)
