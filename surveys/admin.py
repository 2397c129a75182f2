"""Surveys and quizzes in the admin: the survey with its sections and
questions, each question with its choices; the definition's problems shown
on the page (and a survey with problems cannot be answered). The events'
admin gets the needs report's findings and a link to the report."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from chunshu_union.admin_mixins import ScopedModelAdmin, ScopedTabularInline
from services.admin.events import EventAdmin

from . import services
from .models import Choice, NeedFinding, Question, Section, Survey


class SectionInline(ScopedTabularInline):
    model = Section
    extra = 0
    fields = ["position", "title"]
    allow_delete = True


class QuestionInline(ScopedTabularInline):
    model = Question
    extra = 1
    fields = ["position", "section", "text", "kind", "required", "points", "choices_link"]
    readonly_fields = ["choices_link"]
    allow_delete = True
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "section":
            survey_id = request.resolver_match.kwargs.get("object_id")
            field.queryset = field.queryset.filter(survey_id=survey_id or 0)
        return field

    @admin.display(description=_("choices"))
    def choices_link(self, obj):
        if not obj.pk or not obj.has_choices:
            return "—"
        url = reverse("admin:surveys_question_change", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a>', url, _("%(n)s choices") % {"n": obj.choices.count()}
        )


def _problems(survey) -> str:
    errors = services.survey_definition_errors(survey) if survey.pk else []
    if not errors:
        return _("None: the survey may be answered.")
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((e,) for e in errors)))


@admin.register(Survey)
class SurveyAdmin(ScopedModelAdmin):
    list_display = ["title", "kind", "opens_on", "closes_on", "audience", "event", "results_link"]
    list_filter = ["kind", "audience", ("opens_on", admin.DateFieldListFilter)]
    search_fields = ["title"]
    autocomplete_fields = ["event"]
    inlines = [SectionInline, QuestionInline]
    readonly_fields = ["public_link", "problems", "results_link"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "intro", ("opens_on", "closes_on")]}),
        (
            _("Who answers"),
            {"fields": ["audience", "one_per", "ask_about_you", "show_score"]},
        ),
        (_("Linked to"), {"fields": ["federation", "community", "event", "building"]}),
        (_("Answering"), {"fields": ["public_link", "problems", "results_link"]}),
    ]

    @admin.display(description=_("link for answering"))
    def public_link(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("surveys_public:answer", args=[obj.key])
        qr = reverse("surveys:qr", args=[obj.pk])
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', url, url, qr, _("QR code"))

    @admin.display(description=_("problems of the definition"))
    def problems(self, obj):
        return _problems(obj)

    @admin.display(description=_("results"))
    def results_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("surveys:results", args=[obj.pk]), _("results")
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for error in services.survey_definition_errors(form.instance):
            messages.warning(request, error)


class ChoiceInline(ScopedTabularInline):
    model = Choice
    extra = 2
    fields = ["position", "text", "is_correct"]
    allow_delete = True


@admin.register(Question)
class QuestionAdmin(ScopedModelAdmin):
    list_display = ["text", "survey", "kind", "required", "points"]
    list_filter = ["kind"]
    search_fields = ["text", "survey__title"]
    inlines = [ChoiceInline]
    fields = ["survey", "section", "position", "text", "kind", "required", "points"]

    def has_module_permission(self, request):
        return False  # reached from its survey's page

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for error in services.survey_definition_errors(form.instance.survey):
            messages.warning(request, error)


class NeedFindingInline(ScopedTabularInline):
    model = NeedFinding
    extra = 1
    fields = ["position", "title", "detail", "community", "outcome"]
    readonly_fields = ["outcome"]
    allow_delete = True


# The events' page (services, a floor below) gets the needs report from here.
EventAdmin.inlines = [*EventAdmin.inlines, NeedFindingInline]
EventAdmin.readonly_fields = [*EventAdmin.readonly_fields, "needs_report"]


@admin.display(description=_("needs report"))
def _needs_report(self, obj):
    if not obj or not obj.pk:
        return "—"
    url = reverse("surveys:report", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, _("needs report"))


EventAdmin.needs_report = _needs_report
