"""Surveys (问卷调研) and quizzes (知识答题) defined by staff, the answers
workers give on their phones, and the findings of a needs report.

A survey belongs to a street, optionally to one community, and may be
linked to an event (a building publicity week) and a building. Its
definition rules (a choice question has two choices or more, a quiz
question has a right answer …) are checked by `surveys.services.
survey_definition_errors`, which the admin runs before a survey can open.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chunshu_union import access


class SurveyKind(models.TextChoices):
    SURVEY = "survey", _("Questionnaire")
    QUIZ = "quiz", _("Quiz")


class Audience(models.TextChoices):
    LINK = "link", _("Anyone with the link")
    MEMBERS = "members", _("Members (ID number and phone)")


class OnePer(models.TextChoices):
    PERSON = "person", _("One answer per person")
    DEVICE = "device", _("One answer per device")


class SurveyQuerySet(models.QuerySet):
    def for_user(self, user):
        """A community's survey within it; a street-wide one to everyone of
        that street (chairs see their community's answers to it)."""
        return access.scope(
            self,
            user,
            community="community",
            street="federation",
            street_wide_to_chairs=True,
            needs=access.can_see_personal_data,
        )


def _new_key() -> str:
    return secrets.token_urlsafe(9)


class Survey(models.Model):
    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        help_text=_("Leave empty for a street-wide survey."),
    )
    event = models.ForeignKey(
        "services.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
    )
    building = models.ForeignKey(
        "enterprises.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=SurveyKind.choices, default=SurveyKind.SURVEY
    )
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    key = models.CharField(
        _("link key"), max_length=20, unique=True, default=_new_key, editable=False
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    audience = models.CharField(
        _("who may answer"), max_length=8, choices=Audience.choices, default=Audience.LINK
    )
    one_per = models.CharField(
        _("one answer per"), max_length=8, choices=OnePer.choices, default=OnePer.DEVICE
    )
    show_score = models.BooleanField(
        _("show the score at the end"), default=True, help_text=_("Quizzes only.")
    )
    ask_about_you = models.BooleanField(
        _("ask sex, age band and building"),
        default=True,
        help_text=_(
            "For answers by link: optional questions that feed the cross-tabs "
            "(members' answers take them from the member's record)."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys and quizzes")
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="survey_closes_after_it_opens",
                violation_error_message=_("A survey cannot close before it opens."),
            ),
            models.CheckConstraint(
                condition=~Q(audience="link", one_per="person"),
                name="survey_per_person_needs_members",
                violation_error_message=_(
                    "One answer per person needs answers by members (ID number and phone); "
                    "anyone with the link can only be held to one answer per device."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_quiz(self) -> bool:
        return self.kind == SurveyKind.QUIZ

    def is_open_on(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on


class ThroughSurveyQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "survey")


class Section(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="sections"
    )

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)

    objects = ThroughSurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    RATING = "rating", _("Rating 1–5")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Question(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )

    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=True)
    points = models.PositiveSmallIntegerField(
        _("points"), default=0, help_text=_("Quizzes: what a right answer scores.")
    )

    objects = ThroughSurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS


class ChoiceQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "question")


class Choice(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("choice"), max_length=200)
    is_correct = models.BooleanField(_("right answer"), default=False)

    objects = ChoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class AgeBand(models.TextChoices):
    UNDER_25 = "<25", _("under 25")
    FROM_25 = "25-34", _("25–34")
    FROM_35 = "35-44", _("35–44")
    FROM_45 = "45-54", _("45–54")
    FROM_55 = "55+", _("55 and over")


class ResponseQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff see every answer to their street's surveys; a chair only
        the answers of their own community's people (a member's community,
        or the one a respondent by link named), even to a street-wide
        survey."""
        return access.scope(
            self,
            user,
            community="community",
            street="survey__federation",
            needs=access.can_see_personal_data,
        )


class Response(models.Model):
    """One person's answers to a survey. The demographic columns are
    written once, at submission, so that every cross-tab is one GROUP BY."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    #: A keyed digest of who answered (the member, or the device's cookie
    #: token): one answer per person or per device is a unique constraint.
    respondent = models.CharField(_("respondent digest"), max_length=64, editable=False)
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    building = models.ForeignKey(
        "enterprises.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    age_band = models.CharField(_("age band"), max_length=6, blank=True, choices=AgeBand.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                name="one_response_per_respondent",
                violation_error_message=_("You have already answered this survey."),
            ),
        ]
        indexes = [models.Index(fields=["survey", "community"], name="response_survey_community")]

    def __str__(self):
        return f"{self.survey} #{self.pk}"


class AnswerQuerySet(models.QuerySet):
    def for_user(self, user):
        """The answers of the responses the user sees (the same rule as
        `ResponseQuerySet.for_user`, read from the answer's own copy of the
        response's survey and community: no join for the results)."""
        return access.scope(
            self,
            user,
            community="community",
            street="survey__federation",
            needs=access.can_see_personal_data,
        )


class Answer(models.Model):
    """One question's answer: a choice (one row per choice ticked), a text,
    or a number (a rating is a number from 1 to 5).

    The survey and the community are copies of the response's, written with
    it and never changed: the results are GROUP BYs over one index of this
    table alone (docs/PERFORMANCE.md, "Surveys")."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,  # the results index below starts with it
    )
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    choice = models.ForeignKey(
        Choice,
        verbose_name=_("choice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
    )
    text = models.TextField(_("text"), blank=True)
    number = models.DecimalField(_("number"), max_digits=12, decimal_places=2, null=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            # Every count of the results page reads only this index.
            models.Index(
                fields=["survey", "community", "question", "choice", "number"],
                name="answer_results",
            ),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.choice_id or self.number or self.text[:20]}"


class FindingOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    OFFER = "offer", _("Became a service-menu offer")
    VISIT = "visit", _("Became a visit follow-up")


class NeedFindingQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.through(self, user, "event")


class NeedFinding(models.Model):
    """What the needs report (调研报告) found, written by staff; with one
    action it becomes an offer of the service menu or a follow-up visit."""

    event = models.ForeignKey(
        "services.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="need_findings",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("finding"), max_length=100)
    detail = models.TextField(_("detail"), blank=True)
    community = models.ForeignKey(
        "enterprises.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where a follow-up visit goes (the event's community when empty)."),
    )
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=FindingOutcome.choices, default=FindingOutcome.OPEN
    )
    offer = models.ForeignKey(
        "services.ServiceOffer",
        verbose_name=_("service offer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    visit = models.ForeignKey(
        "services.Visit",
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )

    objects = NeedFindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding of the needs report")
        verbose_name_plural = _("findings of the needs report")
        ordering = ["event", "position", "pk"]

    def __str__(self):
        return self.title
