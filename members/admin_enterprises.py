"""The enterprise's page, extended by the members app (enterprises sits
below members and never imports it): when a status change recorded there
moves the enterprise out or deregisters it, its members in good standing are
held at the community joint union (the default) or their memberships end,
as staff choose on the same page — through
members.services.enterprise_members_close, never silently."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enterprises.admin import EnterpriseAdmin
from enterprises.models import OUT_OF_SCOPE, Enterprise, EnterpriseStatus

from .models import Membership
from .services import enterprise_members_close

CLOSURE_CHOICES = [
    ("hold", _("Hold them at the community joint union (会籍保留)")),
    ("end", _("End their memberships")),
]


class EnterpriseForm(forms.ModelForm):
    members_on_closure = forms.ChoiceField(
        label=_("Its members, if it moved out or was deregistered"),
        choices=CLOSURE_CHOICES,
        initial="hold",
        required=False,
        help_text=_(
            "Applied when a status change added below takes the enterprise out (moved out,"
            " deregistered) from today or earlier."
        ),
    )

    class Meta:
        model = Enterprise
        fields = ["name"]  # the admin's fieldsets name the rest


class EnterpriseWithMembersAdmin(EnterpriseAdmin):
    form = EnterpriseForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append((_("Members"), {"fields": ["members_on_closure"]}))
        return fieldsets

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is not EnterpriseStatus:
            return
        exits = [e for e in getattr(formset, "new_objects", []) if e.status in OUT_OF_SCOPE]
        if not exits:
            return
        enterprise = form.instance
        entry = max(exits, key=lambda e: (e.effective_on, e.pk))
        waiting = Membership.objects.standing().filter(enterprise=enterprise).count()
        if not waiting:
            return
        if entry.effective_on > timezone.localdate():
            messages.warning(
                request,
                gettext(
                    "%(n)d members are still in good standing at %(name)s: the exit takes"
                    " effect on %(day)s; hold or end them on their pages then."
                )
                % {"n": waiting, "name": enterprise.name, "day": entry.effective_on},
            )
            return
        action = form.cleaned_data.get("members_on_closure") or "hold"
        try:
            changed = enterprise_members_close(
                enterprise=enterprise, on=entry.effective_on, action=action, by=request.user
            )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return
        messages.info(
            request,
            gettext("%(n)d members of the enterprise: %(what)s.")
            % {"n": changed, "what": dict(CLOSURE_CHOICES)[action]},
        )


admin.site.unregister(Enterprise)
admin.site.register(Enterprise, EnterpriseWithMembersAdmin)
