"""The chair portal's forms for one member. They only collect the input;
the rules are in members.services and members.coverage."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise

from .models import Correction, EndReason, HoldReason, JingCard
from .models.people import EDUCATION_CHOICES, POLITICAL_STATUS_CHOICES


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes only 2026-12-01
    (the Chinese locale's 2026/12/01 would leave it empty)."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format)


def _day(label):
    return forms.DateField(label=label, initial=timezone.localdate, widget=DateInput())


class DetailsForm(forms.Form):
    """What a chair corrects themselves: nothing that identifies the person
    (their name and ID number are requested from the street)."""

    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    education = forms.ChoiceField(
        label=_("education"), choices=[("", "—"), *EDUCATION_CHOICES], required=False
    )
    political_status = forms.ChoiceField(
        label=_("political status"), choices=[("", "—"), *POLITICAL_STATUS_CHOICES], required=False
    )
    is_migrant_worker = forms.BooleanField(label=_("migrant worker"), required=False)
    is_model_worker = forms.BooleanField(label=_("model worker"), required=False)
    is_in_hardship = forms.BooleanField(label=_("in hardship"), required=False)

    def clean_phone(self):
        phone = "".join(self.cleaned_data["phone"].split())
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
            raise forms.ValidationError(_("A phone number is 7 to 12 digits."))
        return phone


class JingCardForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Jing card"), choices=JingCard.choices)
    on = _day(_("date"))


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class HoldForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason"), choices=HoldReason.choices)
    on = _day(_("date"))
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ResumeForm(forms.Form):
    on = _day(_("date"))
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("reason"),
        choices=[c for c in EndReason.choices if c[0] != EndReason.TRANSFERRED],
    )
    on = _day(_("left on"))
    external_party = forms.CharField(
        label=_("outside unit"),
        max_length=200,
        required=False,
        help_text=_("Only for a transfer out of the street: the union the member goes to."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class TransferForm(forms.Form):
    to_enterprise = forms.ModelChoiceField(label=_("to enterprise"), queryset=None)
    on = _day(_("transferred on"))
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, user, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        enterprises = Enterprise.objects.for_user(user).only("id", "name").order_by("name", "pk")
        self.fields["to_enterprise"].queryset = enterprises


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("what is corrected"), choices=Correction.Field.choices)
    new_value = forms.CharField(label=_("correct value"), max_length=30)
    reason = forms.CharField(label=_("reason"), max_length=200)
