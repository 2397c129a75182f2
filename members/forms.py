from django import forms
from django.utils.translation import gettext_lazy as _

from chunshu_union import access
from enterprises.models import Community

ROSTER_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "Excel (.xlsx, .xls), OpenDocument (.ods) or CSV; the template is the surest way."
        ),
    )
    community = forms.ModelChoiceField(label=_("Community"), queryset=None, required=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if access.is_chair(user):
            # A chair imports into their own community, and nowhere else.
            del self.fields["community"]
        else:
            self.fields["community"].queryset = Community.objects.for_user(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ROSTER_SUFFIXES):
            raise forms.ValidationError(
                _(
                    "Please upload an Excel file (.xlsx or .xls), an OpenDocument spreadsheet (.ods) or a CSV file."
                )
            )
        return upload

    def target_community(self):
        if "community" in self.fields:
            return self.cleaned_data["community"]
        return self.user.community


class ConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label=_("Import only the valid rows, and take the faulty ones back as an error report"),
        required=False,
    )
