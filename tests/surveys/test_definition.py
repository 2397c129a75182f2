"""The definition's rules: what staff are told is wrong, and that a survey
with a broken definition cannot be answered."""

from django.db import IntegrityError

from surveys.models import QuestionKind, Survey
from surveys.services import survey_definition_errors
from tests.factories import street

from .factories import CLOSES, OPENS, needs_survey, question, safety_quiz


def test_a_well_made_survey_and_quiz_have_no_problems(db):
    assert survey_definition_errors(needs_survey()) == []
    assert survey_definition_errors(safety_quiz()) == []


def test_a_choice_question_needs_two_choices(db):
    survey = needs_survey()
    question(survey, "只有一个选项", QuestionKind.SINGLE, ["是"])
    (error,) = survey_definition_errors(survey)
    assert "至少需要两个选项" in error


def test_a_quiz_question_that_scores_needs_a_right_answer(db):
    quiz = safety_quiz()
    question(quiz, "没有正确答案", QuestionKind.SINGLE, ["甲", "乙"], points=5)
    (error,) = survey_definition_errors(quiz)
    assert "正确答案" in error


def test_a_single_choice_quiz_question_has_one_right_answer(db):
    quiz = safety_quiz()
    question(quiz, "两个都对？", QuestionKind.SINGLE, ["甲", "乙"], right=["甲", "乙"], points=5)
    assert any("多个正确答案" in e for e in survey_definition_errors(quiz))


def test_a_questionnaire_has_no_right_answers(db):
    survey = needs_survey()
    question(survey, "考题？", QuestionKind.SINGLE, ["甲", "乙"], right=["甲"])
    assert any("不是答题" in e for e in survey_definition_errors(survey))


def test_an_empty_survey_is_not_ready_and_its_page_says_so(client, db):
    survey = Survey.objects.create(
        federation=street(), title="空问卷", opens_on=OPENS, closes_on=CLOSES
    )
    assert survey_definition_errors(survey)
    page = client.get(f"/s/{survey.key}/")
    assert "尚未准备好" in page.content.decode()


def test_anyone_with_the_link_cannot_be_held_to_one_answer_per_person(db):
    try:
        Survey.objects.create(
            federation=street(),
            title="x",
            opens_on=OPENS,
            closes_on=CLOSES,
            audience="link",
            one_per="person",
        )
    except IntegrityError:
        return
    raise AssertionError("the database took a link survey held to one answer per person")
