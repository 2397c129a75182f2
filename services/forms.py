"""The chair portal's forms for visits. The rules are in services.services;
these only collect the input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chunshu_union import access

from .models import FindingKind


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
        self.fields["enterprise"].queryset = access.enterprises_for(user).order_by("name")
        self.fields["community"].queryset = access.communities_for(user)
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
        from .models import ServiceOffer

        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = ServiceOffer.objects.filter(is_active=True)
        self.fields["enterprise"].queryset = access.enterprises_for(user).order_by("name")


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("rating (1–5)"), choices=[(i, str(i)) for i in range(5, 0, -1)], coerce=int
    )
    comment = forms.CharField(label=_("comment"), required=False, max_length=500)
