"""The demo's publicity week: a questionnaire and a safety quiz with a few
hundred answers, so that the needs report has something true to show."""

import datetime
import io

from demo import surveys as demo_surveys
from enterprises.models import Building
from services.models import Event, EventKind
from surveys.models import Response, Survey
from surveys.services import survey_definition_errors
from tests.factories import EnterpriseFactory, community, street


def test_the_demo_week_gets_its_surveys_answers_and_report(client, db, sam):
    federation = street()
    buildings = [
        Building.objects.create(federation=federation, name=name)
        for name in ("庄胜广场", "海格国际大厦", "富卓大厦")
    ]
    for i, building in enumerate(buildings, 1):
        EnterpriseFactory(community=community(i), building=building)
    week = Event.objects.create(
        federation=federation,
        kind=EventKind.PROMOTION,
        title="“践行文明，尊享椿树”楼宇宣传周",
        starts_on=datetime.date(2017, 8, 28),
        ends_on=datetime.date(2017, 9, 1),
    )
    week.buildings.set(buildings)
    demo_surveys.load(federation=federation, users={"staff1": sam}, stdout=io.StringIO())
    demo_surveys.load(federation=federation, users={"staff1": sam}, stdout=io.StringIO())
    quiz, needs = Survey.objects.filter(event=week).order_by("kind")  # "quiz" < "survey"
    assert survey_definition_errors(needs) == [] and survey_definition_errors(quiz) == []
    assert Response.objects.filter(survey=needs).count() == demo_surveys.NEEDS_ANSWERS
    assert (
        Response.objects.filter(survey=quiz, score__isnull=False).count()
        == demo_surveys.QUIZ_ANSWERS
    )
    client.force_login(sam)
    page = client.get(f"/surveys/events/{week.pk}/report/").content.decode()
    assert "寒暑假职工子女托管班" in page and "安全生产知识答题" in page and "郑丽" in page
