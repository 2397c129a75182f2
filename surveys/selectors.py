"""The results of a survey, counted in SQL: per question counts and
percentages, free text, cross-tabs by community, building, sex and age band,
and the distribution of quiz scores. Every count is a GROUP BY over the
answers of the responses the user may see (`Response.objects.for_user`: a
chair counts only their community's people), never a loop over rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min
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
    responses = responses_seen(survey, user)
    return Answer.objects.filter(
        question__survey=survey, response__in=responses.order_by().values("pk")
    ).order_by()


def survey_results(*, survey: Survey, user) -> Results:
    questions = list(survey.questions.prefetch_related("choices"))
    responses = responses_seen(survey, user)
    total = responses.count()
    answers = _answers(survey, user)
    by_choice = {
        (r["question_id"], r["choice_id"]): r["n"]
        for r in answers.filter(choice__isnull=False)
        .values("question_id", "choice_id")
        .annotate(n=Count("id"))
    }
    numbers = {
        r["question_id"]: r
        for r in answers.filter(number__isnull=False)
        .values("question_id")
        .annotate(n=Count("id"), mean=Avg("number"), low=Min("number"), high=Max("number"))
    }
    ratings = {
        (r["question_id"], int(r["number"])): r["n"]
        for r in answers.filter(question__kind=QuestionKind.RATING, number__isnull=False)
        .values("question_id", "number")
        .annotate(n=Count("id"))
    }
    rows_per_question = {
        r["question_id"]: r["n"] for r in answers.values("question_id").annotate(n=Count("id"))
    }
    multiple = [q.pk for q in questions if q.kind == QuestionKind.MULTIPLE]
    respondents_multiple = {
        r["question_id"]: r["n"]
        for r in answers.filter(question_id__in=multiple)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
    }
    results = []
    for q in questions:
        answered = (
            respondents_multiple.get(q.pk, 0)
            if q.pk in multiple
            else rows_per_question.get(q.pk, 0)
        )
        result = QuestionResult(question=q, answered=answered)
        if q.has_choices:
            for c in q.choices.all():
                n = by_choice.get((q.pk, c.pk), 0)
                result.rows.append(Row(c.text, n, percent(n, answered), c.is_correct))
        elif q.kind == QuestionKind.RATING:
            for value in range(1, 6):
                n = ratings.get((q.pk, value), 0)
                result.rows.append(Row(str(value), n, percent(n, answered)))
        if q.kind in (QuestionKind.NUMBER, QuestionKind.RATING) and q.pk in numbers:
            figures = numbers[q.pk]
            result.mean = figures["mean"].quantize(Decimal("0.01")) if figures["mean"] else None
            result.low, result.high = figures["low"], figures["high"]
        results.append(result)
    return Results(
        survey=survey,
        responses=total,
        questions=results,
        scores=score_distribution(survey=survey, user=user, total=total),
        max_score=sum(q.points for q in questions),
    )


def score_distribution(*, survey: Survey, user, total: int | None = None) -> list[Row]:
    if not survey.is_quiz:
        return []
    responses = responses_seen(survey, user).order_by()
    total = responses.count() if total is None else total
    counts = responses.values("score").annotate(n=Count("id")).order_by("score")
    return [Row(str(r["score"]), r["n"], percent(r["n"], total)) for r in counts]


def text_answers(*, survey: Survey, user, question: Question):
    """The free text of one question, newest first (for a paginator)."""
    return (
        _answers(survey, user)
        .filter(question=question)
        .exclude(text="")
        .select_related("response")
        .order_by("-response__submitted_at", "-pk")
    )


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
    key = f"response__{dimension}"
    answers = _answers(survey, user).filter(question=question)
    if question.has_choices:
        choices = list(question.choices.all())
        columns = [c.text for c in choices]
        index = {c.pk: i for i, c in enumerate(choices)}
        grouped = answers.values(key, "choice_id").annotate(n=Count("id"))
        cell = "choice_id"
    else:
        columns = [str(v) for v in range(1, 6)]
        index = {Decimal(v): v - 1 for v in range(1, 6)}
        grouped = answers.filter(number__isnull=False).values(key, "number").annotate(n=Count("id"))
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
