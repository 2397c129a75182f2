from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chunshu_union.imports.admin import ImportUploadForm

from .models import Resolution


class DeclarationUploadForm(ImportUploadForm):
    file = forms.FileField(
        label=_("Declaration details from the tax bureau"),
        help_text=_(
            "Excel (.xlsx, .xls, or the HTML/XML “xls” government systems write),"
            " OpenDocument (.ods) or CSV, as the tax bureau exports it."
        ),
    )


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("What the visit found"), choices=Resolution.choices)
    effective_on = forms.DateField(
        label=_("Effective on"),
        help_text=_(
            "The day the enterprise moved out or was deregistered, or the day of the visit."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was seen, who was spoken to, which document."),
    )
    # Moved out or deregistered: what becomes of the enterprise's members
    # (members.services.enterprise_members_close; nothing is left silent).
    members_action = forms.ChoiceField(
        label=_("Its members, if it moved out or was deregistered"),
        choices=[
            ("hold", _("Hold them at the community joint union (会籍保留)")),
            ("end", _("End their memberships")),
        ],
        initial="hold",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate()
