"""Benchmark: a survey's results with 100,000 answers on PostgreSQL.

    .venv/bin/python bench/surveys.py                  # 100,000 responses
    .venv/bin/python bench/surveys.py --responses 10000

It builds its own database (`surveys_bench` unless BENCH_DATABASE_URL says
otherwise; dropped and re-created on each run, dropped at the end unless
--keep): the street's seven communities, three buildings, one quiz of nine
questions (single and multiple choice with right answers and points, two
more choice questions, a number, a rating, a text), and N responses with
their answers — about 11 answer rows per response (1.1 million at 100,000)
— written with COPY.

Then it times, in the same process, what the results page computes (median
of five runs):

- results_staff: `surveys.selectors.survey_results` for street staff (every
  question's counts and percentages, numbers' mean/min/max, the ratings,
  the score distribution);
- crosstab_community / crosstab_age_band: one cross-tab of a choice
  question (the page shows one at a time);
- results_chair: the same results for a community chair (one community's
  answers only);
- page_staff: the results page's whole work, results + one cross-tab.

The target (issue 20): the results in under one second. Numbers go to
standard output and to bench/out/surveys.json.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/surveys_bench"

# Run as a script: the project root goes on the path before the shared helpers.
from bench._common import finish, fresh_database  # noqa: E402

SEED = 20_17_08


def _definition():
    from accounts.models import Role, User
    from enterprises.models import Building, Community, Federation
    from surveys.models import Choice, Question, QuestionKind, Survey, SurveyKind

    street = Federation.objects.get(name="椿树街道总工会")
    communities = list(Community.objects.filter(federation=street).order_by("position"))
    buildings = [
        Building.objects.create(federation=street, name=n)
        for n in ("庄胜广场", "海格国际大厦", "富卓大厦")
    ]
    survey = Survey.objects.create(
        federation=street,
        kind=SurveyKind.QUIZ,
        title="基准答题",
        opens_on=datetime.date(2017, 8, 28),
        closes_on=datetime.date(2017, 9, 1),
    )
    plan = [
        ("火警电话是？", QuestionKind.SINGLE, ["110", "119", "120", "122"], {"119"}, 10),
        (
            "灭火器使用步骤？",
            QuestionKind.MULTIPLE,
            ["拔销", "对准根部", "倒置"],
            {"拔销", "对准根部"},
            10,
        ),
        ("单位性质", QuestionKind.SINGLE, ["民营", "外资", "国有", "个体", "其他"], set(), 0),
        (
            "最需要的服务",
            QuestionKind.MULTIPLE,
            ["法律", "托管", "体检", "培训", "交友", "心理", "午间"],
            set(),
            0,
        ),
        ("劳动合同", QuestionKind.SINGLE, ["是", "否", "不清楚"], set(), 0),
        ("纠纷找谁", QuestionKind.SINGLE, ["工会", "总工会", "监察", "律师", "自己"], set(), 0),
        ("每周加班小时", QuestionKind.NUMBER, [], set(), 0),
        ("满意度", QuestionKind.RATING, [], set(), 0),
        ("建议", QuestionKind.TEXT, [], set(), 0),
    ]
    questions = []
    for position, (text, kind, choices, right, points) in enumerate(plan, 1):
        q = Question.objects.create(
            survey=survey, position=position, text=text, kind=kind, points=points
        )
        q.choice_ids = [
            Choice.objects.create(question=q, position=i, text=c, is_correct=c in right).pk
            for i, c in enumerate(choices, 1)
        ]
        q.right_ids = {pk for pk, c in zip(q.choice_ids, choices, strict=True) if c in right}
        questions.append(q)
    staff = User.objects.create(username="bench_staff", role=Role.STAFF, federation=street)
    chair = User.objects.create(username="bench_chair", role=Role.CHAIR, community=communities[0])
    return survey, questions, communities, buildings, staff, chair


def _generate(n: int, survey, questions, communities, buildings) -> int:
    """N responses and their answers, by COPY; returns the answer rows."""
    from django.db import connection
    from django.utils import timezone

    from surveys.models import QuestionKind

    rng = random.Random(SEED)
    start = timezone.make_aware(datetime.datetime(2017, 8, 28, 9, 0))
    bands = ["<25", "25-34", "35-44", "45-54", "55+"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM surveys_response")
        first_id = cursor.fetchone()[0] + 1
        raw = cursor.cursor
        with raw.copy(
            "COPY surveys_response (id, survey_id, submitted_at, respondent, community_id,"
            " building_id, sex, age_band, score) FROM STDIN"
        ) as copy:
            answers = []
            for i in range(n):
                rid = first_id + i
                score = 0
                community = rng.choice(communities).pk if rng.random() < 0.95 else None
                for q in questions:
                    picked = _pick(rng, q, QuestionKind)
                    if q.points and picked and {c for c, _n, _t in picked} == q.right_ids:
                        score += q.points
                    answers.extend(
                        (rid, survey.pk, community, q.pk, c, num, text) for c, num, text in picked
                    )
                copy.write_row(
                    (
                        rid,
                        survey.pk,
                        start + datetime.timedelta(seconds=i * 4),
                        f"{rid:064x}",
                        community,
                        rng.choice(buildings).pk,
                        rng.choice("MF"),
                        rng.choice(bands),
                        score,
                    )
                )
        with raw.copy(
            "COPY surveys_answer (response_id, survey_id, community_id, question_id, choice_id,"
            " number, text) FROM STDIN"
        ) as copy:
            for row in answers:
                copy.write_row(row)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('surveys_response', 'id'), %s)", [first_id + n]
        )
        # As autovacuum would leave them: statistics, and the visibility map
        # that lets the results read the answers' index alone.
        cursor.execute("VACUUM ANALYZE surveys_response")
        cursor.execute("VACUUM ANALYZE surveys_answer")
    return len(answers)


def _pick(rng, q, kinds) -> list[tuple]:
    """(choice_id, number, text) rows of one answer."""
    if q.kind == kinds.SINGLE:
        return [(rng.choice(q.choice_ids), None, "")]
    if q.kind == kinds.MULTIPLE:
        picked = [c for c in q.choice_ids if rng.random() < 0.4] or q.choice_ids[:1]
        return [(c, None, "") for c in picked]
    if q.kind == kinds.NUMBER:
        return [(None, rng.randrange(0, 20), "")] if rng.random() < 0.85 else []
    if q.kind == kinds.RATING:
        return [(None, rng.randrange(1, 6), "")]
    return [(None, None, "希望多办午间讲座")] if rng.random() < 0.2 else []


def _timed(label: str, fn, results: dict, *, repeat: int = 5):
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        timings.append(time.perf_counter() - started)
    seconds = statistics.median(timings)
    results[label] = round(seconds, 4)
    print(f"{label:<22} {seconds * 1000:8.1f} ms")
    return value


def measure(n: int) -> dict:
    from django.db import connection

    from surveys import selectors

    survey, questions, communities, buildings, staff, chair = _definition()
    started = time.perf_counter()
    rows = _generate(n, survey, questions, communities, buildings)
    results = {
        "responses": n,
        "answer_rows": rows,
        "generate_seconds": round(time.perf_counter() - started, 1),
        "postgresql": connection.pg_version,
    }
    print(f"{n:,} responses, {rows:,} answer rows ({results['generate_seconds']} s to COPY)")
    choice_q = questions[3]
    found = _timed(
        "results_staff", lambda: selectors.survey_results(survey=survey, user=staff), results
    )
    assert found.responses == n, found.responses
    _timed(
        "crosstab_community",
        lambda: selectors.crosstab(
            survey=survey, user=staff, question=choice_q, dimension="community"
        ),
        results,
    )
    _timed(
        "crosstab_age_band",
        lambda: selectors.crosstab(
            survey=survey, user=staff, question=choice_q, dimension="age_band"
        ),
        results,
    )
    mine = _timed(
        "results_chair", lambda: selectors.survey_results(survey=survey, user=chair), results
    )
    assert 0 < mine.responses < n

    def page():
        selectors.survey_results(survey=survey, user=staff)
        selectors.crosstab(survey=survey, user=staff, question=choice_q, dimension="community")

    _timed("page_staff", page, results)
    results["under_one_second"] = results["page_staff"] < 1.0
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    fresh_database(url)
    results = measure(args.responses)
    finish(url, "surveys", results, keep=args.keep)


if __name__ == "__main__":
    main()
