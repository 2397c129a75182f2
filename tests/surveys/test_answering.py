"""Answering on a phone: validated on the server against the definition,
one answer per device or per person, rate-limited, the quiz scored."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from surveys.models import Answer, Response
from surveys.services import Respondent, response_submit
from tests.factories import id_number

from .factories import answers_for, needs_survey, safety_quiz

GOOD = {
    "您最需要工会提供哪项服务？": ["法律咨询"],
    "您参加过哪些活动？": ["培训", "春游"],
    "每周加班几小时？": ["6"],
    "对工会服务的满意度": ["4"],
    "其他建议": ["希望多办午间讲座"],
}


def _post(client, survey, picks, **extra):
    data = {f"q{qid}": values for qid, values in answers_for(survey, picks).items()}
    data.update(extra)
    return client.post(f"/s/{survey.key}/", data)


def test_a_worker_answers_on_the_link_and_the_answers_are_kept(client, db):
    survey = needs_survey()
    client.get(f"/s/{survey.key}/")  # the device's cookie
    response = _post(client, survey, GOOD, sex="F", age_band="25-34")
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert "感谢" in thanks
    made = Response.objects.get(survey=survey)
    assert (made.sex, made.age_band) == ("F", "25-34")
    assert Answer.objects.filter(response=made).count() == 6  # two choices for the multiple


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"您最需要工会提供哪项服务？": []}, "必须回答"),
        ({"您最需要工会提供哪项服务？": ["法律咨询", "子女托管"]}, "只能选一项"),
        ({"每周加班几小时？": ["很多"]}, "请填数字"),
        ({"对工会服务的满意度": ["7"]}, "1 到 5"),
        ({"您最需要工会提供哪项服务？": ["999999"]}, "不是本题的选项"),
    ],
)
def test_a_wrong_answer_is_refused_with_the_question_named(client, db, change, sentence):
    survey = needs_survey()
    client.get(f"/s/{survey.key}/")
    response = _post(client, survey, {**GOOD, **change})
    assert response.status_code == 400
    assert sentence in response.content.decode()
    assert not Response.objects.exists()


def test_a_choice_of_another_question_is_not_an_answer(db):
    survey = needs_survey()
    q1, q2 = survey.questions.all()[:2]
    answers = answers_for(survey, GOOD)
    answers[q1.pk] = [str(q2.choices.first().pk)]
    with pytest.raises(ValidationError):
        response_submit(
            survey=survey, respondent=Respondent(device_token="a" * 32), answers=answers
        )


def test_one_answer_per_device(client, db):
    survey = needs_survey()
    client.get(f"/s/{survey.key}/")
    assert _post(client, survey, GOOD).status_code == 302
    again = client.get(f"/s/{survey.key}/")
    assert "已经填写过" in again.content.decode()
    assert _post(client, survey, GOOD).status_code == 200  # the page says so again
    assert Response.objects.count() == 1


def test_one_answer_per_member_whatever_the_device(client, db, alices_member):
    survey = needs_survey(audience="members", one_per="person")
    alices_member.phone = "13911112222"
    alices_member.save()
    who = {"id_number": alices_member.id_number, "phone": "139 1111 2222"}
    client.get(f"/s/{survey.key}/")
    assert _post(client, survey, GOOD, **who).status_code == 302
    client.cookies.clear()  # another phone
    client.get(f"/s/{survey.key}/")
    second = _post(client, survey, GOOD, **who)
    assert "已经填写过" in second.content.decode()
    made = Response.objects.get()
    assert (
        made.member == alices_member
        and made.community == alices_member.open_membership().enterprise.community
    )


def test_a_stranger_is_not_taken_for_a_member(client, db, alices_member):
    survey = needs_survey(audience="members", one_per="person")
    client.get(f"/s/{survey.key}/")
    response = _post(client, survey, GOOD, id_number=id_number(), phone="13800138000")
    assert "没有这个身份证号和手机号" in response.content.decode()
    assert not Response.objects.exists()


def test_answers_from_one_network_are_limited(client, db, settings):
    settings.SURVEY_PER_ADDRESS_PER_HOUR = 2
    survey = needs_survey()
    codes = []
    for _ in range(3):
        client.cookies.clear()
        client.get(f"/s/{survey.key}/")
        codes.append(_post(client, survey, GOOD).status_code)
    assert codes == [302, 302, 429]
    assert Response.objects.count() == 2


def test_guessing_a_members_phone_is_limited_per_id_number(client, db, settings, alices_member):
    settings.SURVEY_TRIES_PER_ID_PER_HOUR = 2
    survey = needs_survey(audience="members", one_per="person")
    client.get(f"/s/{survey.key}/")
    pages = [
        _post(client, survey, GOOD, id_number=alices_member.id_number, phone=f"1390000000{i}")
        for i in range(3)
    ]
    assert "尝试次数过多" in pages[-1].content.decode()


def test_the_quiz_score_is_shown_at_the_end(client, db):
    quiz = safety_quiz()
    client.get(f"/s/{quiz.key}/")
    response = _post(
        client,
        quiz,
        {"火警电话是？": ["119"], "灭火器的使用步骤包括？": ["拔保险销"]},  # half right: no points
    )
    page = client.get(response["Location"]).content.decode()
    assert "您的得分：10 / 20" in page


def test_a_multiple_choice_scores_only_when_exactly_right(db):
    quiz = safety_quiz()
    token = iter("abc")

    def score(picks):
        return response_submit(
            survey=quiz,
            respondent=Respondent(device_token=next(token) * 32),
            answers=answers_for(quiz, picks),
        ).score

    assert (
        score({"火警电话是？": ["119"], "灭火器的使用步骤包括？": ["拔保险销", "对准火焰根部"]})
        == 20
    )
    assert (
        score(
            {
                "火警电话是？": ["110"],
                "灭火器的使用步骤包括？": ["拔保险销", "对准火焰根部", "倒置摇晃"],
            }
        )
        == 0
    )


def test_the_score_is_hidden_when_staff_say_so(client, db):
    quiz = safety_quiz(show_score=False)
    client.get(f"/s/{quiz.key}/")
    response = _post(
        client, quiz, {"火警电话是？": ["119"], "灭火器的使用步骤包括？": ["拔保险销"]}
    )
    assert "得分" not in client.get(response["Location"]).content.decode()


def test_outside_its_window_a_survey_takes_no_answer(client, db):
    survey = needs_survey()
    survey.closes_on = survey.opens_on
    survey.save()
    page = client.get(f"/s/{survey.key}/").content.decode()
    assert "开放时间" in page


def test_the_answering_page_is_light_and_needs_no_script(client, db):
    """A cheap phone on a building's Wi-Fi: the page and its one style sheet,
    no JavaScript at all (docs/SURVEYS.md, why not SurveyJS)."""
    from django.contrib.staticfiles import finders

    survey = needs_survey()
    html = client.get(f"/s/{survey.key}/").content
    css = Path(finders.find("surveys/answer.css")).read_bytes()
    assert b"<script" not in html
    assert len(html) + len(css) < 20_000
