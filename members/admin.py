from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessLog
from accounts.services import access_log_record
from chunshu_union import access, crypto
from chunshu_union.admin_mixins import (
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceAdminMixin,
    ServiceForm,
)
from chunshu_union.imports.engine import job_undo
from chunshu_union.tabular.normalize import parse_phone
from enterprises.admin import EnterpriseAdmin
from enterprises.models import Community, Enterprise

# The members admin spans several modules; importing them here registers
# their pages (Django's autodiscover imports only members.admin).
# (admin_statistics: member statistics and list exports)
from . import (  # noqa: F401
    admin_auditlog,
    admin_corrections,
    admin_coverage,
    admin_duplicates,
    admin_enterprises,
    admin_retirement,
    admin_statistics,
    admin_transfers,
    coverage,
    masking,
)
from .admin_find import IdNumberFindMixin
from .id_numbers import EXCEL_DAMAGE, id_number_problem, normalise
from .models import (
    EndReason,
    HoldLevel,
    HoldReason,
    ImportBatch,
    Member,
    Membership,
    Transfer,
)
from .services import (
    membership_end,
    membership_hold,
    membership_join,
    membership_resume,
    membership_transfer,
)


class MemberForm(forms.ModelForm):
    """The ID number is typed once, when the member is created; after that it
    is shown (masked, or in clear to those entitled) but never edited."""

    id_number_input = forms.CharField(label=_("ID number"), max_length=30, required=False)
    confirm_ends_in_000 = forms.BooleanField(
        label=_("This number really ends in 000 (I checked it on the ID card)"),
        help_text=_(
            "A number ending in 000 is usually one Excel damaged; tick this only after"
            " reading the number from the card itself."
        ),
        required=False,
    )

    class Meta:
        model = Member
        fields = [
            "name",
            "phone",
            "ethnicity",
            "education",
            "political_status",
            "is_migrant_worker",
            "is_model_worker",
            "is_in_hardship",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["id_number_input"]
            del self.fields["confirm_ends_in_000"]
        else:
            self.fields["id_number_input"].required = True

    def clean_id_number_input(self):
        # The same reader as the roster's (members.id_numbers): full-width
        # digits and spaces inside are read, anything else is named.
        number = normalise(self.cleaned_data["id_number_input"])
        confirm = self.fields["confirm_ends_in_000"]
        confirmed = confirm.widget.value_from_datadict(
            self.data, self.files, self.add_prefix("confirm_ends_in_000")
        )
        code, error = id_number_problem(number, allow_excel_damage=confirmed)
        if code == EXCEL_DAMAGE:
            error = format_lazy(
                "{} {}",
                error,
                _("If the card really says so, tick the confirmation below and save again."),
            )
        if error:
            raise forms.ValidationError(error)
        if Member.objects.filter(id_digest=crypto.digest(number)).exists():
            raise forms.ValidationError(_("A member with this ID number already exists."))
        return number

    def clean_phone(self):
        try:
            return parse_phone(self.cleaned_data.get("phone", ""))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def save(self, commit=True):
        if "id_number_input" in self.cleaned_data:
            self.instance.id_number = self.cleaned_data["id_number_input"]
        return super().save(commit)


class AppRegistrationForm(forms.Form):
    registered_on = forms.DateField(label=_("12351 app registered on"))


class MembershipInline(ScopedTabularInline):
    """Read-only: a membership changes on its own page, through a service
    (transfer, hold, resume, end); a joining is the memberships' add page."""

    model = Membership
    extra = 0
    fields = ["enterprise", "joined_on", "state", "held_on", "left_on"]
    readonly_fields = fields
    can_delete = False
    max_num = 0
    show_change_link = True
    verbose_name_plural = _("memberships")

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.state_label


class TransferInline(ScopedTabularInline):
    model = Transfer
    fk_name = "member"
    extra = 0
    fields = ["transferred_on", "from_membership", "to_membership", "external_party", "reason"]
    readonly_fields = fields
    can_delete = False
    max_num = 0
    verbose_name_plural = _("transfers")


class OpenMembershipInline(ScopedTabularInline):
    model = Membership
    extra = 0
    fields = ["member_name", "member_id_number", "joined_on"]
    readonly_fields = ["member_name", "member_id_number", "joined_on"]
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("current members")
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).filter(left_on__isnull=True).select_related("member")

    @admin.display(description=_("full name"))
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description=_("ID number"))
    def member_id_number(self, obj):
        return obj.member.id_masked


# The enterprise's page lists its current members; members extends the
# enterprises admin (a lower app) rather than the other way round.
EnterpriseAdmin.inlines = [*EnterpriseAdmin.inlines, OpenMembershipInline]


class CommunityFilter(admin.SimpleListFilter):
    title = _("community")
    parameter_name = "community"

    def lookups(self, request, model_admin):
        return [(c.pk, c.name) for c in Community.objects.for_user(request.user)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        here = Membership.objects.filter(
            member=OuterRef("pk"), left_on__isnull=True, community_id=self.value()
        )
        return queryset.filter(Exists(here))


@admin.register(Member)
class MemberAdmin(IdNumberFindMixin, ScopedModelAdmin):
    form = MemberForm
    list_display = ["name", "id_masked", "sex", "birth_year", "masked_phone", "jingcard_status"]
    list_filter = [
        CommunityFilter,
        "sex",
        "jingcard_status",
        "is_migrant_worker",
        "is_model_worker",
        "is_in_hardship",
        "education",
        "political_status",
    ]
    search_fields = ["name"]
    readonly_fields = [
        "id_in_clear",
        "sex",
        "born",
        "jingcard",
        "app",
        "verification",
        "membership_now",
        "created_at",
        "updated_at",
    ]
    inlines = [MembershipInline, TransferInline]

    def get_fieldsets(self, request, obj=None):
        identity = (
            ["id_in_clear", "name", "sex", "born"]
            if obj
            else ["id_number_input", "confirm_ends_in_000", "name"]
        )
        return [
            (None, {"fields": [*identity, "phone", "ethnicity", "education", "political_status"]}),
            (_("Flags"), {"fields": ["is_migrant_worker", "is_model_worker", "is_in_hardship"]}),
            *(
                [
                    (_("Membership"), {"fields": ["membership_now"]}),
                    (_("Services"), {"fields": ["jingcard", "app", "verification"]}),
                ]
                if obj
                else []
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # The page is rendered after the view returns, so the decision to
        # unmask travels on this request's own instance, never on the admin.
        if access.can_see_personal_data(request.user):
            obj._unmask_for = request.user
        return self.readonly_fields

    def lookup_allowed(self, lookup, value, request=None):
        """No filtering by birth date (`?birth_date__month=3`): a day at a
        time, it would tell which masks hide which date."""
        if masking.is_hidden_lookup(lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    # 京卡, the 12351 app and verification are shown here, never edited: each
    # changes through its own service (members.coverage), on the page linked.

    @admin.display(description=_("Jing card"))
    def jingcard(self, obj):
        add = reverse("admin:members_jingcardchange_add")
        return format_html(
            '{} · <a href="{}?member={}">{}</a>',
            obj.get_jingcard_status_display(),
            add,
            obj.pk,
            _("record a change"),
        )

    @admin.display(description=_("12351 app registered on"))
    def app(self, obj):
        return format_html(
            '{} · <a href="{}">{}</a>',
            obj.app_registered_on or "—",
            reverse("admin:members_member_app", args=[obj.pk]),
            _("record the registration"),
        )

    @admin.display(description=_("verified at"))
    def verification(self, obj):
        done = (
            format_html(
                "{} ({})", obj.verified_at.strftime("%Y-%m-%d %H:%M"), obj.verified_by or ""
            )
            if obj.verified_at
            else "—"
        )
        return format_html(
            '{} · <a href="{}?member={}">{}</a>',
            done,
            reverse("admin:members_verification_add"),
            obj.pk,
            _("record a verification"),
        )

    @admin.display(description=_("membership"))
    def membership_now(self, obj):
        """The open membership's state, with the page that changes it (or,
        with none open, the joining page)."""
        current = obj.memberships.filter(left_on__isnull=True).select_related("enterprise").first()
        if current is None:
            return format_html(
                '{} · <a href="{}?member={}">{}</a>',
                _("No open membership"),
                reverse("admin:members_membership_add"),
                obj.pk,
                _("record a joining"),
            )
        return format_html(
            '{} · {} · <a href="{}">{}</a>',
            current.enterprise,
            current.state_label,
            reverse("admin:members_membership_change", args=[current.pk]),
            _("transfer, hold, resume or end"),
        )

    admin_views = (("<int:pk>/app/", "app_view", "members_member_app"),)

    def app_view(self, request, pk: int):
        """Record the member's 12351 app registration through its service
        (members.coverage.member_register_app)."""
        member = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, member):
            raise PermissionDenied
        form = AppRegistrationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                coverage.member_register_app(
                    member=member, on=form.cleaned_data["registered_on"], by=request.user
                )
            except ValidationError as refused:
                form.add_error(None, " ".join(refused.messages))
            else:
                self.message_user(request, _("The app registration was recorded."))
                return redirect("admin:members_member_change", member.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("12351 app registration: %(name)s") % {"name": member.name},
            "form": form,
            "opts": self.model._meta,
            "back": reverse("admin:members_member_change", args=[member.pk]),
        }
        return TemplateResponse(request, "members/admin/small_form.html", context)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return obj.phone_masked

    @admin.display(description=_("birth year"))
    def birth_year(self, obj):
        return masking.birth_year(obj)

    @staticmethod
    def _in_clear(obj) -> bool:
        """Whether this page shows `obj` in clear; the first time it says
        yes, the showing is logged."""
        viewer = getattr(obj, "_unmask_for", None)
        if obj is None or obj.pk is None or viewer is None:
            return False
        if not getattr(obj, "_unmask_logged", False):  # the page may render a field twice
            access_log_record(
                user=viewer, action=AccessLog.Action.UNMASK, obj=obj, detail="admin member page"
            )
            obj._unmask_logged = True
        return True

    @admin.display(description=_("ID number"))
    def id_in_clear(self, obj):
        """The detail page shows the number in clear to those entitled, and
        every such showing is logged."""
        if not self._in_clear(obj):
            return obj.id_masked if obj else ""
        return obj.id_number

    @admin.display(description=_("birth date"))
    def born(self, obj):
        """The full date only beside the number in clear (members.masking)."""
        if obj is None:
            return ""
        return obj.birth_date if self._in_clear(obj) else masking.birth_year(obj)


#: What staff may do to an open membership, from its page.
LIFECYCLE_ACTIONS = [
    ("transfer", _("Transfer to another enterprise of the street")),
    ("transfer_out", _("Transfer out of the street")),
    ("hold", _("Hold the membership (会籍保留)")),
    ("resume", _("Resume the held membership")),
    ("end", _("End the membership")),
]


class MembershipForm(ServiceForm):
    """A membership is never edited. Its add page is a joining
    (membership_join); the page of an open membership offers one step of its
    life — transfer, transfer out, hold, resume, end — each through its
    members service."""

    member = forms.ModelChoiceField(label=_("member"), queryset=Member.objects.none())
    action = forms.ChoiceField(label=_("what happens"), choices=LIFECYCLE_ACTIONS)
    on = forms.DateField(label=_("on"))
    to_enterprise = forms.ModelChoiceField(
        label=_("enterprise"),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_("For a joining or a transfer within the street."),
    )
    hold_reason = forms.ChoiceField(
        label=_("hold reason"), choices=[("", "---------"), *HoldReason.choices], required=False
    )
    hold_level = forms.ChoiceField(
        label=_("held at"), choices=HoldLevel.choices, required=False, initial=HoldLevel.COMMUNITY
    )
    end_reason = forms.ChoiceField(
        label=_("end reason"),
        choices=[("", "---------"), *[c for c in EndReason.choices if c[0] != "transferred"]],
        required=False,
    )
    external_party = forms.CharField(
        label=_("outside unit"),
        max_length=200,
        required=False,
        help_text=_("The union outside the street the member came from or goes to."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    class Meta:
        model = Membership
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        self.fields["to_enterprise"].queryset = Enterprise.objects.for_user(user)
        if self.instance.pk is None:
            self.fields["member"].queryset = Member.objects.for_user(user)
            self.fields["member"].widget = forms.NumberInput()
            self.fields["to_enterprise"].required = True
            for name in ("action", "hold_reason", "hold_level", "end_reason", "note"):
                del self.fields[name]
        else:
            del self.fields["member"]
            if self.instance.held_on is None:
                self.fields["action"].choices = [c for c in LIFECYCLE_ACTIONS if c[0] != "resume"]
            else:
                self.fields["action"].choices = [c for c in LIFECYCLE_ACTIONS if c[0] != "hold"]


@admin.register(Membership)
class MembershipAdmin(ServiceAdminMixin, ScopedModelAdmin):
    """Memberships are read-only: their enterprise and dates change only by
    a transfer, a hold, a resumption or an end, chosen on the page of an
    open membership and written by members.services (the one admin bridge,
    chunshu_union.admin_mixins.ServiceAdminMixin). "Add" is a joining."""

    form = MembershipForm
    list_display = [
        "member_name",
        "member_id_number",
        "enterprise",
        "joined_on",
        "state",
        "held_on",
        "left_on",
    ]
    list_filter = ["enterprise__community", "hold_reason", "end_reason", "left_on"]
    search_fields = ["member__name", "enterprise__name", "=enterprise__credit_code"]
    list_select_related = ["member", "enterprise"]
    facts = [
        "member_link",
        "enterprise",
        "community",
        "joined_on",
        "state",
        "held_on",
        "hold_level",
        "left_on",
        "end_note",
        "history",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["member", "to_enterprise", "on", "external_party"]
        if not self._can_act(request, obj):
            return self.facts
        return [
            *self.facts,
            "action",
            "on",
            "to_enterprise",
            "hold_reason",
            "hold_level",
            "end_reason",
            "external_party",
            "note",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.facts

    def _can_act(self, request, obj) -> bool:
        return (
            obj is not None and obj.left_on is None and super().has_change_permission(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        # An ended membership is history: shown, never changed.
        if obj is not None and obj.left_on is not None:
            return False
        return super().has_change_permission(request, obj)

    def run_service(self, request, obj, data):
        by, on = request.user, data["on"]
        if obj.pk is None:
            return membership_join(
                member=data["member"],
                enterprise=data["to_enterprise"],
                joined_on=on,
                external_party=data.get("external_party", ""),
                by=by,
            )
        member, action, note = obj.member, data["action"], data.get("note", "")
        current = Membership.objects.filter(member=member, left_on__isnull=True).first()
        if current is None or current.pk != obj.pk:
            raise ValidationError(_("This membership has changed since the page was opened."))
        if action == "transfer":
            if not data.get("to_enterprise"):
                raise ValidationError(
                    {"to_enterprise": _("Choose the enterprise the member moves to.")}
                )
            membership_transfer(
                member=member, to_enterprise=data["to_enterprise"], on=on, reason=note, by=by
            )
        elif action == "transfer_out":
            membership_end(
                member=member,
                on=on,
                reason=EndReason.TRANSFERRED_OUT,
                note=note,
                external_party=data.get("external_party", ""),
                by=by,
            )
        elif action == "hold":
            membership_hold(
                member=member,
                on=on,
                reason=data.get("hold_reason", ""),
                level=data.get("hold_level") or HoldLevel.COMMUNITY,
                note=note,
                by=by,
            )
        elif action == "resume":
            membership_resume(member=member, on=on, note=note, by=by)
        else:
            membership_end(
                member=member,
                on=on,
                reason=data.get("end_reason", ""),
                note=note,
                external_party=data.get("external_party", ""),
                by=by,
            )
        return Membership.objects.get(pk=obj.pk)

    @admin.display(description=_("full name"), ordering="member__name")
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description=_("ID number"))
    def member_id_number(self, obj):
        return obj.member.id_masked

    @admin.display(description=_("member"))
    def member_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:members_member_change", args=[obj.member_id]),
            obj.member,
        )

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.state_label

    @admin.display(description=_("history"))
    def history(self, obj):
        events = obj.events.order_by("on", "pk")
        return format_html_join(
            mark_safe("<br>"),
            "{} · {} {}",
            ((e.on, e.get_kind_display(), e.note or e.reason) for e in events),
        )


class TransferForm(ServiceForm):
    """A transfer names where the member goes: an enterprise of the street,
    a union outside it, or both (a member coming in from outside)."""

    to_enterprise = forms.ModelChoiceField(
        label=_("enterprise moved to"),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_("Leave empty for a transfer out of the street."),
    )

    class Meta:
        model = Transfer
        fields = ["member", "transferred_on", "external_party", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_enterprise"].queryset = Enterprise.objects.for_user(self.request.user)


@admin.register(Transfer)
class TransferAdmin(ServiceAdminMixin, ScopedModelAdmin):
    """Transfers are recorded through the members services, which close and
    open the memberships; a transfer is never edited."""

    form = TransferForm
    list_display = [
        "member",
        "transferred_on",
        "from_membership",
        "to_membership",
        "external_party",
    ]
    search_fields = ["member__name", "external_party"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["member", "to_enterprise", "external_party", "transferred_on", "reason"]
        return [*self.list_display, "reason", "recorded_by", "recorded_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def run_service(self, request, obj, data):
        member, on, by = data["member"], data["transferred_on"], request.user
        to_enterprise, outside = data["to_enterprise"], data["external_party"]
        reason = data.get("reason", "")
        if to_enterprise and outside:
            joined = membership_join(
                member=member, enterprise=to_enterprise, joined_on=on, external_party=outside, by=by
            )
            return joined.transfers_in.get()
        if to_enterprise:
            return membership_transfer(
                member=member, to_enterprise=to_enterprise, on=on, reason=reason, by=by
            )
        if outside:
            left = membership_end(
                member=member,
                on=on,
                reason=EndReason.TRANSFERRED_OUT,
                note=reason,
                external_party=outside,
                by=by,
            )
            return left.transfers_out.get()
        raise ValidationError(
            _("Name the enterprise the member moves to, or the union outside the street.")
        )


# --- Roster imports -------------------------------------------------------------


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedModelAdmin):
    """Staff see every community's imports. "Add" opens the same upload,
    preview and confirm pages as the portal (where staff choose the
    community); undo is an action here and a button there."""

    list_display = [
        "created_at",
        "filename",
        "community",
        "created_by",
        "state",
        "created",
        "updated",
        "transferred",
        "unchanged",
        "leaving",
        "invalid",
        "open_in_portal",
    ]
    list_filter = ["state", "community"]
    search_fields = ["filename", "file_sha256"]
    list_select_related = ["community", "created_by"]
    actions = ["undo_imports"]
    exclude = ["file", "preview", "faulty_rows", "created_ranges"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ImportBatch._meta.fields if f.name not in self.exclude]

    def get_queryset(self, request):
        # The list needs counts, not the columns that grow with the file.
        return super().get_queryset(request).light()

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("portal:import_new")

    @admin.display(description=_("preview"))
    def open_in_portal(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("portal:import_detail", args=[obj.pk]), _("open")
        )

    @admin.action(description=_("Undo the selected imports"))
    def undo_imports(self, request, queryset):
        for batch in queryset.order_by("-committed_at"):
            try:
                job_undo(job=batch, by=request.user)
            except ValidationError as error:
                self.message_user(
                    request, f"{batch}: {' '.join(error.messages)}", level=messages.ERROR
                )
            else:
                self.message_user(request, _("%(batch)s was undone.") % {"batch": batch})
