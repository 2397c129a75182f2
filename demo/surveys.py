"""The questionnaire and the safety quiz of the 2017 building publicity week
(“践行文明，尊享椿树”楼宇宣传周, 8/28–9/1, at 庄胜广场, 海格国际大厦 and
富卓大厦): the article's “问卷调研和安全生产知识答题”. A few hundred workers
answer by the link on the week's posters; staff's notes, a few people who
are not members signed in, and the findings of the needs report, so that
the report page has something true to show. Idempotent."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union import crypto
from enterprises.models import Building, Enterprise
from services.models import Attendance, Event, EventKind
from services.models.events import EventNote
from surveys.models import (
    AgeBand,
    Answer,
    Choice,
    NeedFinding,
    Question,
    QuestionKind,
    Response,
    Section,
    Survey,
    SurveyKind,
)
from surveys.services import quiz_score

SEED = 2017_08_28
NEEDS_TITLE = "楼宇职工需求调查问卷"
QUIZ_TITLE = "安全生产知识答题"
NEEDS_ANSWERS, QUIZ_ANSWERS = 320, 240

S, M, N, R, T = (
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.NUMBER,
    QuestionKind.RATING,
    QuestionKind.TEXT,
)

#: (section, question, kind, choices with their weights, required)
NEEDS = [
    (
        "基本情况",
        "您所在单位的性质",
        S,
        {"民营企业": 55, "外资企业": 15, "国有企业": 12, "个体工商户": 8, "其他": 10},
        True,
    ),
    ("基本情况", "您在本单位工作了几年？", N, None, False),
    ("工作与权益", "您每周平均加班多少小时？", N, None, False),
    ("工作与权益", "单位是否与您签订了书面劳动合同？", S, {"是": 82, "否": 9, "不清楚": 9}, True),
    (
        "工作与权益",
        "您最希望工会提供哪些服务？（可多选）",
        M,
        {
            "法律咨询": 38,
            "子女托管（寒暑假）": 46,
            "健康体检": 52,
            "技能培训": 35,
            "婚恋交友": 14,
            "心理疏导": 18,
            "午间休闲活动（午间共享圈）": 41,
        },
        True,
    ),
    (
        "工作与权益",
        "遇到劳动纠纷时，您首先会找谁？",
        S,
        {"单位工会": 24, "街道总工会": 21, "劳动监察部门": 25, "律师": 10, "自己解决": 20},
        True,
    ),
    (
        "评价与建议",
        "您对街道工会服务的满意度",
        R,
        {"1": 3, "2": 6, "3": 21, "4": 42, "5": 28},
        True,
    ),
    (
        "评价与建议",
        "您是否了解12351职工服务热线和京卡？",
        S,
        {"了解并使用过": 27, "听说过": 44, "不了解": 29},
        True,
    ),
    ("评价与建议", "您对工会工作还有哪些意见和建议？", T, None, False),
]

SUGGESTIONS = [
    "希望寒暑假能有孩子托管班，双职工接送困难。",
    "午休时间能否在楼里办些讲座或者健身活动。",
    "希望多组织法律知识讲座，特别是劳动合同方面的。",
    "体检项目希望增加颈椎、腰椎检查。",
    "京卡办理流程希望在楼宇里现场办理。",
    "加班多，希望工会帮助协调调休。",
    "希望组织单身青年联谊活动。",
    "楼宇里外卖和快递太多，希望改善午餐条件。",
    "工会活动通知能否发到手机上。",
    "希望有心理咨询的渠道，工作压力大。",
]

#: (question, choices, right answers, kind)
QUIZ = [
    ("火警电话是？", ["110", "119", "120", "122"], ["119"], S),
    ("使用干粉灭火器时，喷嘴应对准火焰的？", ["顶部", "中部", "根部"], ["根部"], S),
    (
        "《安全生产法》规定，从业人员有权拒绝？",
        ["违章指挥和强令冒险作业", "单位安排的加班", "安全生产教育培训"],
        ["违章指挥和强令冒险作业"],
        S,
    ),
    (
        "楼宇发生火灾时，下列做法正确的是？（多选）",
        ["用湿毛巾捂住口鼻", "乘电梯逃生", "沿疏散指示标志撤离", "弯腰低姿前进"],
        ["用湿毛巾捂住口鼻", "沿疏散指示标志撤离", "弯腰低姿前进"],
        M,
    ),
    ("电器着火时，首先应当？", ["用水浇灭", "切断电源", "打开门窗通风"], ["切断电源"], S),
    ("全国“安全生产月”是每年的几月？", ["5月", "6月", "10月"], ["6月"], S),
    ("安全色中表示“禁止、停止”的是？", ["红色", "黄色", "蓝色", "绿色"], ["红色"], S),
    (
        "楼宇的安全出口和疏散通道可以堆放杂物吗？",
        ["短时间可以", "任何时候都不可以"],
        ["任何时候都不可以"],
        S,
    ),
    (
        "发现燃气泄漏时，应当？（多选）",
        ["关闭燃气阀门", "开窗通风", "打开排风扇", "撤离到室外再报警"],
        ["关闭燃气阀门", "开窗通风", "撤离到室外再报警"],
        M,
    ),
    (
        "职工发现事故隐患，应当？",
        ["立即报告现场安全管理人员或单位负责人", "等下班后再说", "自己处理，不必报告"],
        ["立即报告现场安全管理人员或单位负责人"],
        S,
    ),
]

#: How often a worker gets each quiz question right: the extinguisher and
#: the gas leak are the weak points the report's finding names.
QUIZ_RIGHT = [0.97, 0.58, 0.81, 0.62, 0.86, 0.55, 0.9, 0.93, 0.49, 0.92]

GUESTS = [
    ("郑丽", "13911238801", "庄胜广场物业服务中心"),
    ("刘强", "13601157722", "海格国际大厦物业管理处"),
    ("陈晓", "13810024563", "富卓大厦入驻企业（未建会）"),
    ("王建国", "13701096645", "椿树街道工委"),
    ("黄敏", "13522807719", "富卓大厦入驻企业（未建会）"),
]

NOTES = [
    "三座楼宇共设咨询台 5 个，发放《工会法》宣传册 600 余份，现场扫码答卷。",
    "海格国际大厦多家企业职工反映加班多、调休难，个别企业未签书面劳动合同，需走访核实。",
    "答题中灭火器使用和燃气泄漏处置两题错误率最高，建议结合“安全生产月”开展实操培训。",
]

FINDINGS = [
    (
        "寒暑假职工子女托管班",
        "问卷中近半数职工希望工会提供子女托管，双职工家庭接送困难，建议列入服务菜单。",
        None,
    ),
    (
        "走访海格国际大厦未签劳动合同的企业",
        "约一成职工表示单位未签书面劳动合同，由社区联合工会跟进走访。",
        "海格国际大厦",
    ),
    (
        "楼宇消防器材实操培训",
        "安全答题中灭火器使用、燃气泄漏处置两题正确率不足六成。",
        None,
    ),
]


def load(*, federation, users, stdout) -> None:
    week = (
        Event.objects.filter(federation=federation, kind=EventKind.PROMOTION)
        .order_by("starts_on")
        .first()
    )
    if week is None:
        stdout.write(_("Surveys: no building publicity week to survey."))
        return
    if Survey.objects.filter(event=week, title=NEEDS_TITLE).exists():
        stdout.write(_("Surveys: the publicity week's surveys are already loaded."))
        return
    _load(federation, users["staff1"], week, random.Random(SEED))


@transaction.atomic
def _load(federation, staff, week: Event, rng: random.Random) -> None:
    buildings = list(week.buildings.all()) or list(Building.objects.filter(federation=federation))
    communities = {
        b.pk: list(
            Enterprise.objects.filter(building=b).values_list("community_id", flat=True).distinct()
        )
        for b in buildings
    }
    needs = _needs_survey(federation, week)
    quiz = _quiz(federation, week)
    _answers(needs, NEEDS_ANSWERS, rng, week, buildings, communities)
    _answers(quiz, QUIZ_ANSWERS, rng, week, buildings, communities)
    registered = week.starts_on - datetime.timedelta(days=3)
    Attendance.objects.bulk_create(
        Attendance(
            event=week,
            guest_name=name,
            guest_phone=phone,
            guest_employer=employer,
            registered_on=registered,
            attended=True,
        )
        for name, phone, employer in GUESTS
    )
    for text in NOTES:
        EventNote.objects.create(event=week, text=text, written_by=staff)
    by_building = {b.name: b for b in buildings}
    for position, (title, detail, building) in enumerate(FINDINGS, 1):
        home = communities.get(by_building[building].pk) if building in by_building else None
        NeedFinding.objects.create(
            event=week,
            position=position,
            title=title,
            detail=detail,
            community_id=home[0] if home else None,
            written_by=staff,
        )


def _needs_survey(federation, week: Event) -> Survey:
    survey = Survey.objects.create(
        federation=federation,
        event=week,
        title=NEEDS_TITLE,
        intro="椿树街道总工会“问计于企业、问需于职工”：请花三分钟告诉我们您的需求，匿名填写。",
        opens_on=week.starts_on,
        closes_on=week.ends_on,
    )
    sections = {}
    for position, (section, text, kind, choices, required) in enumerate(NEEDS, 1):
        if section not in sections:
            sections[section] = Section.objects.create(
                survey=survey, position=len(sections) + 1, title=section
            )
        q = Question.objects.create(
            survey=survey,
            section=sections[section],
            position=position,
            text=text,
            kind=kind,
            required=required,
        )
        if kind in (S, M):
            Choice.objects.bulk_create(
                Choice(question=q, position=i, text=label) for i, label in enumerate(choices, 1)
            )
    return survey


def _quiz(federation, week: Event) -> Survey:
    quiz = Survey.objects.create(
        federation=federation,
        event=week,
        kind=SurveyKind.QUIZ,
        title=QUIZ_TITLE,
        intro="共 10 题，每题 10 分，答完即可看到得分。",
        opens_on=week.starts_on,
        closes_on=week.ends_on,
    )
    for position, (text, choices, right, kind) in enumerate(QUIZ, 1):
        q = Question.objects.create(survey=quiz, position=position, text=text, kind=kind, points=10)
        Choice.objects.bulk_create(
            Choice(question=q, position=i, text=label, is_correct=label in right)
            for i, label in enumerate(choices, 1)
        )
    return quiz


def _answers(survey: Survey, how_many: int, rng, week: Event, buildings, communities) -> None:
    questions = list(survey.questions.prefetch_related("choices"))
    days = (week.ends_on - week.starts_on).days + 1
    bands = [AgeBand.UNDER_25, AgeBand.FROM_25, AgeBand.FROM_35, AgeBand.FROM_45, AgeBand.FROM_55]
    rows = []
    for n in range(how_many):
        building = rng.choice(buildings)
        day = week.starts_on + datetime.timedelta(days=rng.randrange(days))
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(11, 30)))
        response = Response(
            survey=survey,
            respondent=crypto.digest(f"demo:{survey.pk}:{n}"),
            submitted_at=at + datetime.timedelta(minutes=rng.randrange(150)),
            community_id=rng.choice(communities[building.pk]) if communities[building.pk] else None,
            building=building,
            sex=rng.choice("MMF" if rng.random() < 0.5 else "MFF"),
            age_band=rng.choices(bands, weights=[18, 41, 24, 12, 5])[0],
        )
        picked = {q.pk: _pick(q, rng, survey.is_quiz) for q in questions}
        if survey.is_quiz:
            response.score = quiz_score(
                questions,
                {
                    qid: [{"choice": c} for c in v if isinstance(c, Choice)]
                    for qid, v in picked.items()
                },
            )
        rows.append((response, picked))
    Response.objects.bulk_create([r for r, _p in rows])
    Answer.objects.bulk_create(
        _answer(r, qid, v) for r, picked in rows for qid, values in picked.items() for v in values
    )


def _answer(response: Response, question_id: int, value) -> Answer:
    row = Answer(
        response=response,
        survey_id=response.survey_id,
        community_id=response.community_id,
        question_id=question_id,
    )
    if isinstance(value, Choice):
        row.choice = value
    elif isinstance(value, str):
        row.text = value
    else:
        row.number = value
    return row


def _pick(question: Question, rng, quiz: bool) -> list:
    choices = list(question.choices.all())
    if quiz:
        right = [c for c in choices if c.is_correct]
        if rng.random() < QUIZ_RIGHT[question.position - 1]:
            return right
        wrong = [c for c in choices if not c.is_correct]
        return [rng.choice(wrong)] if question.kind == S else [*right[:-1], rng.choice(wrong)]
    weights = dict(NEEDS_WEIGHTS.get(question.text) or {})
    if question.kind == S:
        return rng.choices(choices, weights=[weights[c.text] for c in choices])
    if question.kind == M:
        return [c for c in choices if rng.random() < weights[c.text] / 100] or [choices[0]]
    if question.kind == R:
        return [rng.choices(range(1, 6), weights=[weights[str(v)] for v in range(1, 6)])[0]]
    if question.kind == N:
        if rng.random() < 0.15:
            return []
        if "加班" in question.text:
            return [rng.choice([0, 0, 2, 4, 5, 6, 8, 10, 12, 15])]
        return [rng.choice([1, 1, 2, 3, 3, 4, 5, 6, 8, 10])]
    return [rng.choice(SUGGESTIONS)] if rng.random() < 0.3 else []


NEEDS_WEIGHTS = {text: choices for _s, text, _k, choices, _r in NEEDS if choices}
