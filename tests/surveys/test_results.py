"""Results: counts and percentages per question, cross-tabs computed in SQL,
quiz scores; a chair sees only their community's answers; the exports are
scoped, masked and logged."""

import io
import itertools

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccessLog
from surveys import selectors
from surveys.services import Respondent, response_submit
from tests.factories import MembershipFactory

from .factories import answers_for, needs_survey, safety_quiz

_devices = itertools.count(1)


def _answer(survey, picks, *, member=None, community=None, sex="", age_band=""):
    respondent = Respondent(
        member=member,
        device_token=f"{next(_devices):032d}",
        community=community,
        sex=sex,
        age_band=age_band,
    )
    return response_submit(survey=survey, respondent=respondent, answers=answers_for(survey, picks))


def _needs(survey, service, rating="4", text=""):
    return {
        "您最需要工会提供哪项服务？": [service],
        "对工会服务的满意度": [rating],
        "其他建议": [text] if text else [],
    }


def test_counts_and_percentages_per_question(db, sam, community1):
    survey = needs_survey()
    for service in ["法律咨询", "法律咨询", "法律咨询", "子女托管"]:
        _answer(survey, _needs(survey, service), community=community1)
    found = selectors.survey_results(survey=survey, user=sam)
    first = found.questions[0]
    assert found.responses == 4
    assert [(r.label, r.count, str(r.percent)) for r in first.rows] == [
        ("法律咨询", 3, "75.00"),
        ("子女托管", 1, "25.00"),
        ("健康体检", 0, "0.00"),
    ]
    rating = found.questions[3]
    assert rating.mean == 4 and rating.rows[3].count == 4


def test_cross_tabs_are_one_group_by_whatever_the_number_of_answers(
    db, sam, community1, community2
):
    survey = needs_survey()
    for service, community, sex in [
        ("法律咨询", community1, "F"),
        ("法律咨询", community1, "F"),
        ("子女托管", community2, "M"),
    ]:
        _answer(survey, _needs(survey, service), community=community, sex=sex)
    question = survey.questions.first()
    with CaptureQueriesContext(connection) as few:
        tab = selectors.crosstab(survey=survey, user=sam, question=question, dimension="sex")
    for _ in range(20):
        _answer(survey, _needs(survey, "健康体检"), community=community2, sex="M")
    with CaptureQueriesContext(connection) as many:
        selectors.crosstab(survey=survey, user=sam, question=question, dimension="sex")
    assert len(few.captured_queries) == len(many.captured_queries) <= 3
    assert any("GROUP BY" in q["sql"] for q in few.captured_queries)
    assert ("女", [2, 0, 0], 2) in tab.rows and ("男", [0, 1, 0], 1) in tab.rows
    by_community = selectors.crosstab(
        survey=survey, user=sam, question=question, dimension="community"
    )
    assert [row[0] for row in by_community.rows] == [community1.name, community2.name]


def test_a_chair_sees_only_their_communitys_answers(client, db, alice, community1, community2):
    survey = needs_survey()
    _answer(survey, _needs(survey, "法律咨询", text="一社区的建议"), community=community1)
    _answer(survey, _needs(survey, "子女托管", text="二社区的建议"), community=community2)
    client.force_login(alice)
    page = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "一社区的建议" in page and "二社区的建议" not in page
    found = selectors.survey_results(survey=survey, user=alice)
    assert found.responses == 1 and found.questions[0].rows[1].count == 0
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/surveys/{survey.pk}/answers.xlsx").content)
    )
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "一社区的建议" in cells and "二社区的建议" not in cells


def test_another_communitys_survey_is_a_404_for_a_chair(client, db, alice, community2):
    survey = needs_survey(community=community2)
    client.force_login(alice)
    assert client.get(f"/surveys/{survey.pk}/results/").status_code == 404


def test_the_answers_export_masks_the_id_number_and_is_logged(client, db, sam, alices_member):
    survey = needs_survey(audience="members", one_per="person")
    _answer(survey, _needs(survey, "法律咨询"), member=alices_member)
    client.force_login(sam)
    response = client.get(f"/surveys/{survey.pk}/answers.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row]
    assert alices_member.id_masked in cells and alices_member.id_number not in cells
    assert "法律咨询" in cells
    log = AccessLog.objects.get(user=sam)
    assert log.action == AccessLog.Action.EXPORT and log.object_type == "surveys.answer"


def test_the_summary_export_has_the_counts(client, db, sam):
    survey = needs_survey()
    _answer(survey, _needs(survey, "法律咨询"))
    client.force_login(sam)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/surveys/{survey.pk}/summary.xlsx").content)
    )
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert ["您最需要工会提供哪项服务？", "法律咨询", 1, 100.0] in rows


def test_the_quiz_score_distribution(db, sam):
    quiz = safety_quiz()
    right = {"火警电话是？": ["119"], "灭火器的使用步骤包括？": ["拔保险销", "对准火焰根部"]}
    half = {"火警电话是？": ["119"], "灭火器的使用步骤包括？": ["倒置摇晃"]}
    for picks in [right, right, half]:
        _answer(quiz, picks)
    scores = selectors.score_distribution(survey=quiz, user=sam)
    assert [(r.label, r.count) for r in scores] == [("10", 1), ("20", 2)]


def test_a_members_answer_is_counted_under_their_community_and_age(db, sam, community1):
    member = MembershipFactory(enterprise__community=community1, member__name="王五").member
    survey = needs_survey(audience="members", one_per="person")
    made = _answer(survey, _needs(survey, "健康体检"), member=member)
    assert made.community == community1 and made.sex == member.sex
    assert made.age_band == "25-34"  # born 1985, answering in 2017
