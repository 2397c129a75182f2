from django import forms
from django.utils.translation import gettext_lazy as _

#: The value of "my employer is not in the list".
UNLISTED = "other"


class ApplicationForm(forms.Form):
    """The public form: short fields, phone keyboards, nothing uploaded."""

    name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    enterprise = forms.ChoiceField(label=_("Employer"))
    employer_typed = forms.CharField(
        label=_("Employer, if it is not in the list"), max_length=100, required=False
    )
    consent = forms.BooleanField(
        label=_("I have read how my information is used and I agree."), required=True
    )

    def __init__(self, *args, employers, **kwargs):
        super().__init__(*args, **kwargs)
        self.employers = {str(e.pk): e for e in employers}
        self.fields["enterprise"].choices = [
            ("", _("— choose —")),
            *[(pk, e.name) for pk, e in self.employers.items()],
            (UNLISTED, _("Not in the list (type it below)")),
        ]

    def chosen_enterprise(self):
        return self.employers.get(self.cleaned_data["enterprise"])


class StatusForm(forms.Form):
    reference = forms.CharField(label=_("Reference code"), max_length=12)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the applicant reads it)"), max_length=200)
