from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
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
from . import admin_auditlog, admin_coverage, admin_transfers, masking  # noqa: F401
from .admin_find import IdNumberFindMixin
from .id_numbers import EXCEL_DAMAGE, id_number_problem, normalise
from .models import ImportBatch, Member, Membership, Transfer
from .services import membership_join, membership_leave, membership_transfer


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
            "jingcard_status",
            "app_registered_on",
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


class MembershipInline(ScopedTabularInline):
    model = Membership
    extra = 0
    fields = ["enterprise", "joined_on", "left_on"]
    autocomplete_fields = ["enterprise"]
    can_delete = False
    verbose_name_plural = _("memberships")


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
        "verified_at",
        "verified_by",
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
            (_("Services"), {"fields": ["jingcard_status", "app_registered_on"]}),
            (_("Verification"), {"fields": ["verified_at", "verified_by"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["verified_at", "verified_by"]
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


@admin.register(Membership)
class MembershipAdmin(ScopedModelAdmin):
    list_display = ["member_name", "member_id_number", "enterprise", "joined_on", "left_on"]
    list_filter = ["enterprise__community", "left_on"]
    search_fields = ["member__name", "enterprise__name", "=enterprise__credit_code"]
    list_select_related = ["member", "enterprise"]
    autocomplete_fields = ["enterprise"]
    raw_id_fields = ["member"]

    @admin.display(description=_("full name"), ordering="member__name")
    def member_name(self, obj):
        return obj.member.name

    @admin.display(description=_("ID number"))
    def member_id_number(self, obj):
        return obj.member.id_masked


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
            left = membership_leave(
                member=member, on=on, external_party=outside, reason=reason, by=by
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
