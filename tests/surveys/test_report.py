"""The needs report: one printable page of an event; a finding becomes a
service-menu offer or a follow-up visit with one action."""

from services.models import ServiceOffer, Visit
from surveys.models import FindingOutcome, NeedFinding
from surveys.services import Respondent, response_submit

from .factories import answers_for, needs_survey, promotion_week


def test_the_report_gathers_the_linked_surveys_results(client, db, sam, community1):
    week = promotion_week()
    survey = needs_survey(event=week)
    response_submit(
        survey=survey,
        respondent=Respondent(device_token="d" * 32, community=community1),
        answers=answers_for(
            survey, {"您最需要工会提供哪项服务？": ["子女托管"], "对工会服务的满意度": ["5"]}
        ),
    )
    client.force_login(sam)
    page = client.get(f"/surveys/events/{week.pk}/report/").content.decode()
    assert "职工需求调查" in page and "子女托管" in page and "100.00" in page
    assert "data-print" in page


def test_a_finding_becomes_an_offer_of_the_service_menu(client, db, sam):
    week = promotion_week()
    finding = NeedFinding.objects.create(
        event=week, title="午间子女托管", detail="双职工家庭需求大"
    )
    client.force_login(sam)
    client.post(f"/surveys/findings/{finding.pk}/offer/")
    finding.refresh_from_db()
    assert finding.outcome == FindingOutcome.OFFER
    assert ServiceOffer.objects.get(name="午间子女托管").is_active
    # Once acted on, the buttons are gone.
    page = client.get(f"/surveys/events/{week.pk}/report/").content.decode()
    assert f"/surveys/findings/{finding.pk}/offer/" not in page


def test_a_finding_becomes_a_follow_up_visit(client, db, sam, community1):
    week = promotion_week()
    finding = NeedFinding.objects.create(event=week, title="加班费争议", community=community1)
    client.force_login(sam)
    client.post(f"/surveys/findings/{finding.pk}/visit/")
    visit = Visit.objects.get()
    assert visit.community == community1 and "加班费争议" in visit.findings.get().description


def test_a_chair_cannot_act_on_a_finding(client, db, alice, community1):
    week = promotion_week()
    finding = NeedFinding.objects.create(event=week, title="心理疏导", community=community1)
    client.force_login(alice)
    client.post(f"/surveys/findings/{finding.pk}/offer/")
    finding.refresh_from_db()
    assert (
        finding.outcome == FindingOutcome.OPEN
        and not ServiceOffer.objects.filter(name="心理疏导").exists()
    )
