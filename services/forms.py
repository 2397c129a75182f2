"""The chair portal's forms for visits. The rules are in services.services;
these only collect the input."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Community, Enterprise
from members.id_numbers import id_number_error, normalise
from members.models import Member

from .models import FindingKind, ServiceOffer
from .services import aid_attachment_check


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("visited on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    enterprise = forms.ModelChoiceField(
        label=_("enterprise"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for a visit into the community itself."),
    )
    community = forms.ModelChoiceField(label=_("community"), queryset=None, required=False)
    summary = forms.CharField(
        label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        self.fields["community"].queryset = Community.objects.for_user(user)
        for i in range(3):
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=_("finding"),
                choices=[("", "—"), *FindingKind.choices],
                required=False,
            )
            self.fields[f"text_{i}"] = forms.CharField(
                label=_("description"), required=False, max_length=500
            )

    def findings(self) -> tuple[tuple[str, str], ...]:
        pairs = []
        for i in range(3):
            kind, text = self.cleaned_data.get(f"kind_{i}"), self.cleaned_data.get(f"text_{i}")
            if kind and text:
                pairs.append((kind, text.strip()))
            elif kind or text:
                self.add_error(f"text_{i}", _("Give both the kind and the description."))
        return tuple(pairs)


class CloseFindingForm(forms.Form):
    closed_on = forms.DateField(
        label=_("closed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    follow_up = forms.CharField(
        label=_("follow-up"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ServiceRequestForm(forms.Form):
    offer = forms.ModelChoiceField(label=_("service"), queryset=None)
    enterprise = forms.ModelChoiceField(label=_("enterprise"), queryset=None)
    requested_on = forms.DateField(
        label=_("requested on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    need = forms.CharField(
        label=_("what is needed"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = ServiceOffer.objects.filter(is_active=True)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("rating (1–5)"), choices=[(i, str(i)) for i in range(5, 0, -1)], coerce=int
    )
    comment = forms.CharField(label=_("comment"), required=False, max_length=500)


class AidApplicationForm(forms.Form):
    """A chair records a member's application; the member is named by the
    ID number (and must be a member of the chair's community)."""

    id_number = forms.CharField(label=_("ID number"), max_length=30)
    applied_on = forms.DateField(
        label=_("applied on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("hardship"), widget=forms.Textarea(attrs={"rows": 3}))
    amount_requested = forms.DecimalField(
        label=_("amount requested"), max_digits=10, decimal_places=2, min_value=0
    )
    scan = forms.FileField(
        label=_("supporting document (PDF, JPEG or PNG)"),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_id_number(self):
        number = normalise(self.cleaned_data["id_number"])  # the one reader of every door
        problem = id_number_error(number)
        if problem:
            raise forms.ValidationError(problem)
        member = Member.objects.for_user(self.user).with_id_number(number).first()
        if member is None:
            raise forms.ValidationError(_("This person is not a member of your community."))
        self.member = member
        return number

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan:
            aid_attachment_check(scan)
        return scan


def _today_field(label):
    # The date picker reads only 2026-12-01 (not the locale's 2026/12/01).
    return forms.DateField(
        label=label,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class HandoutForm(forms.Form):
    """One item of a batch to one member (the member is looked up in the
    chair's own community by the view)."""

    member = forms.IntegerField(widget=forms.HiddenInput)
    handed_on = _today_field(_("handed out on"))


class AttendanceForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(forms.Form):
    """The date a request was accepted or fulfilled (today unless said)."""

    on = _today_field(_("date"))
